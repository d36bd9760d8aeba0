// SystemAsterisk (the appliance's --asterisk system mode): starts asterisk.service only once
// the generated config exists, keeps a running one (and its calls), never stops it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemAsterisk } from '../../firmware-agent/src/system/update/system-asterisk.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function setup(active: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'seatbox-sysast-'));
  dirs.push(dir);
  const calls: string[] = [];
  const ast = new SystemAsterisk({
    instanceDir: dir,
    systemctl: async (...args) => {
      calls.push(args.join(' '));
      if (args[0] === 'is-active') {
        if (active) return 'active\n';
        throw new Error('inactive');
      }
      return '';
    },
  });
  return { dir, ast, calls };
}

describe('SystemAsterisk', () => {
  it('refuses to start before the config is written; then starts the service', async () => {
    const { dir, ast, calls } = setup(false);
    ast.ensureLayout();
    await expect(ast.start()).rejects.toThrow(/asterisk.conf/);
    writeFileSync(join(dir, 'etc', 'asterisk.conf'), '[directories]\n');
    await ast.start();
    expect(calls).toEqual(['is-active asterisk.service', 'reset-failed asterisk.service', 'start asterisk.service']);
  });

  it('keeps a running Asterisk on agent start, and stop() leaves it running', async () => {
    const { dir, ast, calls } = setup(true);
    mkdirSync(join(dir, 'etc'), { recursive: true });
    writeFileSync(join(dir, 'etc', 'asterisk.conf'), '[directories]\n');
    await ast.start();
    await ast.stop();
    expect(calls).toEqual(['is-active asterisk.service']);
  });
});
