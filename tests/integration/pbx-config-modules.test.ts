// Adding a module to modules.conf loads it through the AMI ModuleLoad action: the CLI form
// "module load" is on Asterisk's AMI command blacklist (found when cards add chan_dahdi).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskAmiClient } from '../../firmware-agent/src/ami/client.js';
import { runReloadCommand } from '../../firmware-agent/src/pbx-config/reload.js';
import { startTestAsterisk, type TestAsterisk } from '../support/asterisk.js';

let t: TestAsterisk;
let ami: AsteriskAmiClient;

beforeAll(async () => {
  t = await startTestAsterisk();
  ami = new AsteriskAmiClient({ host: '127.0.0.1', port: t.ami.port, username: t.ami.username, secret: t.ami.secret, events: false, connectAttempts: 3 });
  await ami.connect();
}, 60_000);

afterAll(async () => {
  await ami?.close();
  await t?.stop();
});

describe('loading a module over AMI', () => {
  it('the CLI form is refused by AMI, so pbx-config uses ModuleLoad', async () => {
    const out = await ami.command('module load app_milliwatt.so').catch((e: Error) => e.message);
    expect(out).toMatch(/blacklisted/i);
    await expect(ami.action('ModuleCheck', { Module: 'app_milliwatt.so' })).rejects.toThrow();
    expect(await runReloadCommand(ami, 'module load app_milliwatt.so')).toBeUndefined();
    expect((await ami.action('ModuleCheck', { Module: 'app_milliwatt.so' })).response).toBe('Success');
    // Already loaded: nothing to do, no error.
    expect(await runReloadCommand(ami, 'module load app_milliwatt.so')).toBeUndefined();
  });

  it('reports a module that cannot load with Asterisk\'s reason', async () => {
    const err = await runReloadCommand(ami, 'module load no_such_module.so');
    expect(err).toMatch(/loading no_such_module\.so failed/);
  });
});
