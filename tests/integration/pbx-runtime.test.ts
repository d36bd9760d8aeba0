/**
 * ChrootAsterisk against a real Asterisk 22 in the cached sid root (scripts/sid-root.sh).
 * If the root is not built these tests FAIL (not skip) with a message saying how to build it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  ChrootAsterisk,
  asteriskVersion,
  defaultRootDir,
  moduleDir,
  pidsInMountNamespace,
  rootNotReadyMessage,
  rootReady,
  upstreamVersion,
} from '../../firmware-agent/src/pbx-runtime/index.js';
import { amiExchange, startTestAsterisk, type TestAsterisk } from '../support/asterisk.js';

const ROOT = defaultRootDir();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Mount points in the HOST's mount table at or below dir. */
function hostMountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .map((m) => m.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(dir + '/'));
}

async function coreSettings(t: TestAsterisk) {
  const [login, settings] = await amiExchange(t.ami, [{ Action: 'CoreSettings' }]);
  expect(login?.Response).toBe('Success');
  expect(settings?.Response).toBe('Success');
  return settings!;
}

describe('sid root helpers', () => {
  it('parses the upstream version out of the Debian one', () => {
    expect(upstreamVersion('1:22.10.1+dfsg+~cs6.17.60671434-1')).toBe('22.10.1');
    expect(upstreamVersion('22.5.0~dfsg-1')).toBe('22.5.0');
    expect(() => upstreamVersion('garbage')).toThrow();
  });

  it('a root that is not built is reported with the command that builds it', async () => {
    expect(rootReady('/nonexistent/sid-root')).toBe(false);
    expect(rootNotReadyMessage('/x')).toMatch(/scripts\/sid-root\.sh/);
    const a = new ChrootAsterisk({ rootDir: '/nonexistent/sid-root', instanceDir: '/tmp/seatbox-never-created' });
    await expect(a.start()).rejects.toThrow(/scripts\/sid-root\.sh/);
    expect(a.running).toBe(false);
  });
});

describe('ChrootAsterisk (real Asterisk 22 in the sid root)', () => {
  const started: TestAsterisk[] = [];
  const start = async (...args: Parameters<typeof startTestAsterisk>) => {
    const t = await startTestAsterisk(...args);
    started.push(t);
    return t;
  };

  // beforeEach, not beforeAll: without a root every test FAILS (vitest would report
  // tests under a failed beforeAll as skipped).
  beforeEach(() => {
    if (!rootReady(ROOT)) throw new Error(rootNotReadyMessage(ROOT));
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.stop()));
  });

  it('the root has Asterisk 22.x and its module dir', async () => {
    expect(await asteriskVersion(ROOT)).toMatch(/^22\.\d+\.\d+$/);
    const mods = moduleDir(ROOT);
    expect(mods).toMatch(/^\/usr\/lib\/.*asterisk\/modules$/);
    expect(existsSync(join(ROOT, mods, 'chan_pjsip.so'))).toBe(true);
    for (const dev of ['null', 'zero', 'urandom', 'random']) expect(statSync(join(ROOT, 'dev', dev)).isCharacterDevice()).toBe(true);
  });

  it('starts; AMI login works over TCP and CoreSettings reports 22.x', async () => {
    const t0 = performance.now();
    const t = await start();
    const settings = await coreSettings(t);
    const ms = Math.round(performance.now() - t0);
    console.log(`[pbx-runtime] start() to AMI CoreSettings answered: ${ms} ms`);

    expect(settings.AsteriskVersion).toMatch(/^22\.\d+\.\d+/);
    expect(upstreamVersion(settings.AsteriskVersion!)).toBe(await asteriskVersion(ROOT));
    expect(t.asterisk.running).toBe(true);
    const pid = t.asterisk.pid!;
    expect(processAlive(pid)).toBe(true);
    // The process really is chrooted in the root, in its own mount namespace...
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('/usr/sbin/asterisk');
    expect(statSync(`/proc/${pid}/root/seatbox/etc/asterisk.conf`).ino).toBe(statSync(join(t.instanceDir, 'etc/asterisk.conf')).ino);
    expect(t.asterisk.mountNamespace).toMatch(/^mnt:\[\d+\]$/);
    expect(t.asterisk.mountNamespace).not.toBe(await import('node:fs').then((fs) => fs.readlinkSync('/proc/self/ns/mnt')));
    // ...whose mounts the host does not see.
    expect(hostMountsUnder(ROOT)).toEqual([]);
    // Its state lands in the instance dir.
    expect(existsSync(join(t.instanceDir, 'run/asterisk.ctl'))).toBe(true);
    expect(Number(readFileSync(join(t.instanceDir, 'run/asterisk.pid'), 'utf8').trim())).toBe(pid);
    expect(existsSync(join(t.instanceDir, 'lib/astdb.sqlite3'))).toBe(true);
    expect(readFileSync(join(t.instanceDir, 'log/console.log'), 'utf8')).toContain('Asterisk Ready');
    // The CLI bridge works too.
    expect(await t.asterisk.rx('core show version')).toMatch(/^Asterisk 22\./);
  });

  it('runs two instances side by side', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.ports.ami).not.toBe(b.ports.ami);
    expect(a.asterisk.pid).not.toBe(b.asterisk.pid);
    expect(a.asterisk.mountNamespace).not.toBe(b.asterisk.mountNamespace);
    expect((await coreSettings(a)).AsteriskVersion).toMatch(/^22\./);
    expect((await coreSettings(b)).AsteriskVersion).toMatch(/^22\./);
    // Each has its own astdb: a key set in one is absent in the other.
    await a.asterisk.rx('database put seatbox who a');
    expect(await a.asterisk.rx('database get seatbox who')).toMatch(/Value: a/);
    expect(await b.asterisk.rx('database get seatbox who')).toMatch(/not found/i);
    // Stopping one leaves the other serving.
    await a.stop();
    expect(a.asterisk.running).toBe(false);
    expect((await coreSettings(b)).Response).toBe('Success');
  });

  it('stop() leaves no process and no mount behind (including children left in its namespace)', async () => {
    const t = await start();
    const pid = t.asterisk.pid!;
    const ns = t.asterisk.mountNamespace!;
    // A stray process inside the instance's namespace + chroot (as a System() child would be).
    const stray = spawn('nsenter', ['--target', String(pid), '--mount', '--root', '--', '/usr/bin/sleep', '300'], { stdio: 'ignore' });
    onTestFinished(() => {
      if (stray.exitCode === null && stray.signalCode === null) stray.kill('SIGKILL');
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(pidsInMountNamespace(ns)).toEqual(expect.arrayContaining([pid, stray.pid!]));
    // Inside, the instance dir is mounted at /seatbox.
    expect(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')).toMatch(/ \/seatbox /);

    const exits: Array<[number | null, string | null]> = [];
    t.asterisk.onExit((code, signal) => exits.push([code, signal]));
    const t0 = performance.now();
    await t.asterisk.stop();
    console.log(`[pbx-runtime] graceful stop: ${Math.round(performance.now() - t0)} ms`);

    expect(t.asterisk.running).toBe(false);
    expect(exits).toHaveLength(1);
    expect(processAlive(pid)).toBe(false);
    expect(processAlive(stray.pid!)).toBe(false);
    expect(pidsInMountNamespace(ns)).toEqual([]);
    expect(hostMountsUnder(ROOT)).toEqual([]);
    // The root's mount points are empty again from the host's view.
    expect(existsSync(join(ROOT, 'seatbox/etc'))).toBe(false);
    // A clean shutdown removes its control socket.
    expect(existsSync(join(t.instanceDir, 'run/asterisk.ctl'))).toBe(false);
    expect(readFileSync(join(t.instanceDir, 'log/console.log'), 'utf8')).toMatch(/Asterisk cleanly ending/);
  });

  it('kill9 then start again in the same instance dir works (stale pid/ctl files)', async () => {
    const t = await start();
    const firstPid = t.asterisk.pid!;
    const exit = new Promise<[number | null, string | null]>((r) => t.asterisk.onExit((c, s) => r([c, s])));
    t.asterisk.kill9();
    expect(await exit).toEqual([null, 'SIGKILL']);
    await t.asterisk.waitForExit();
    expect(processAlive(firstPid)).toBe(false);
    // Stale files are really there...
    expect(existsSync(join(t.instanceDir, 'run/asterisk.ctl'))).toBe(true);
    expect(existsSync(join(t.instanceDir, 'run/asterisk.pid'))).toBe(true);
    await expect(t.asterisk.rx('core show version')).rejects.toThrow(/not running/);
    // ...and do not stop a new start.
    await t.asterisk.start();
    expect(t.asterisk.pid).not.toBe(firstPid);
    expect((await coreSettings(t)).AsteriskVersion).toMatch(/^22\./);
    expect(Number(readFileSync(join(t.instanceDir, 'run/asterisk.pid'), 'utf8').trim())).toBe(t.asterisk.pid);
  });

  it('refuses a second Asterisk on a live instance dir, and a second start()', async () => {
    const t = await start();
    await expect(t.asterisk.start()).rejects.toThrow(/already running/);
    const other = new ChrootAsterisk({ rootDir: ROOT, instanceDir: t.instanceDir });
    await expect(other.start()).rejects.toThrow(/another Asterisk is running/);
    expect(other.running).toBe(false);
    expect((await coreSettings(t)).Response).toBe('Success');
  });

  it('a config that makes Asterisk fail fails start() with the console log', async () => {
    // AMI on a port that is taken is not fatal to Asterisk, but a missing module dir is.
    const p = startTestAsterisk({
      files: ({ ports }) => ({
        'asterisk.conf': '[directories]\nastetcdir => /seatbox/etc\nastmoddir => /nonexistent\nastrundir => /seatbox/run\nastlogdir => /seatbox/log\nastvarlibdir => /seatbox/lib\nastdbdir => /seatbox/lib\n',
        'modules.conf': `[modules]\nautoload = no\nrequire = res_pjsip.so\n; ami ${ports.ami}\n`,
      }),
    });
    await expect(p).rejects.toThrow(/exited during startup[\s\S]*Failed to load module res_pjsip.so - Required/);
  });
});
