// Generated configuration against the real Asterisk 22 in the sid root: the generated set
// boots and every listed module runs; apply() reloads and the new revision is live; a broken
// generated config never reaches Asterisk; a set Asterisk does not take is rolled back and
// Asterisk keeps working on the last good set.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskAmiClient } from '../../firmware-agent/src/ami/client.js';
import { PbxConfigurator, type PbxConfiguratorTestHooks } from '../../firmware-agent/src/pbx-config/apply.js';
import { defaultEndpoint, defaultModel, defaultQueue, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { CONFIG_FILES, defaultTemplateDir, LOADED_MODULES } from '../../firmware-agent/src/pbx-config/render.js';
import { defaultRootDir, moduleDir } from '../../firmware-agent/src/pbx-runtime/index.js';
import { amiExchange, freePort, startTestAsterisk, type TestAsterisk } from '../support/asterisk.js';

const ROOT = defaultRootDir();
const AMI_SECRET = 'pbx-config-it-secret';
const logLines: string[] = [];
const logger = {
  info: (o: object, m?: string) => logLines.push(`info ${m} ${JSON.stringify(o)}`),
  warn: (o: object, m?: string) => logLines.push(`warn ${m} ${JSON.stringify(o)}`),
  error: (o: object, m?: string) => logLines.push(`error ${m} ${JSON.stringify(o)}`),
  debug: () => {},
};

let t: TestAsterisk;
let ami: AsteriskAmiClient;
let cfg: PbxConfigurator;
const hooks: PbxConfiguratorTestHooks = {};
let etcDir: string;
/** A second free SIP port (UDP) for the transport re-bind. */
let sip2: number;

function seats(n: number, from = 8001) {
  return Array.from({ length: n }, (_, i) => defaultEndpoint(String(from + i), `it-secret-${from + i}`, i === 0 ? { callerName: '坐席 一' } : {}));
}

function model(revision: string, n: number, extra: Partial<PbxModel> = {}): PbxModel {
  const m = defaultModel({
    revision,
    amiSecret: AMI_SECRET,
    amiPort: t.ports.ami,
    paths: { mod: moduleDir(ROOT) },
    sip: { bind: '127.0.0.1', port: t.ports.sip, rtpStart: t.ports.rtpStart, rtpEnd: t.ports.rtpEnd },
    endpoints: seats(n),
    queues: n ? [defaultQueue('sales', { members: [{ endpoint: '8001', penalty: 0 }, { endpoint: '8002', penalty: 1 }] }), defaultQueue('support')] : [],
  });
  return { ...m, ...extra };
}

const cli = (cmd: string) => ami.command(cmd);
const liveRevision = async () => /'revision'\s*=>\s*1\.\s*NoOp\(([^)]*)\)/.exec(await cli('dialplan show seatbox-meta'))?.[1];
async function liveEndpoints(): Promise<string[]> {
  try {
    const r = await ami.listAction('PJSIPShowEndpoints');
    return r.events.filter((e) => e.event === 'EndpointList').map((e) => e.get('ObjectName')!).sort();
  } catch (e) {
    if (/No endpoints found/.test((e as Error).message)) return [];
    throw e;
  }
}
const snapshot = () => new Map(CONFIG_FILES.map((f) => [f, readFileSync(join(etcDir, f), 'utf8')]));
const lastReload = async () => /Last reload time:\s*(.*)/.exec(await cli('core show settings'))?.[1];

beforeAll(async () => {
  // Instance dir + free ports from the shared helper; the configuration is ours.
  t = await startTestAsterisk({ start: false });
  sip2 = await freePort({ udp: true });
  etcDir = t.asterisk.paths.etc;
  for (const f of ['asterisk.conf', 'modules.conf', 'manager.conf', 'logger.conf']) rmSync(join(etcDir, f), { force: true });
  ami = new AsteriskAmiClient({ host: '127.0.0.1', port: t.ports.ami, username: 'seatbox', secret: AMI_SECRET, events: false, connectAttempts: 3 });
  cfg = new PbxConfigurator({
    etcDir,
    ami,
    logger,
    hostModuleDir: join(ROOT, moduleDir(ROOT)),
    verifyTimeoutMs: 4000,
    testHooks: {
      afterValidate: (f) => hooks.afterValidate?.(f),
    },
  });
  await cfg.writeInitial(model('r1', 48));
  await t.asterisk.start();
  await ami.connect();
}, 120_000);

afterAll(async () => {
  await ami?.close();
  await t?.stop();
});

describe('generated configuration on the real Asterisk 22', () => {
  it('boots Asterisk; the generated AMI user logs in', async () => {
    const [login, settings] = await amiExchange({ host: '127.0.0.1', port: t.ports.ami, username: 'seatbox', secret: AMI_SECRET }, [{ Action: 'CoreSettings' }]);
    expect(login?.Response).toBe('Success');
    expect(settings?.AsteriskVersion).toMatch(/^22\./);
    await expect(amiExchange({ host: '127.0.0.1', port: t.ports.ami, username: 'seatbox', secret: 'wrong-secret' }, [])).rejects.toThrow(/login refused/);
    const mgr = await cli('manager show settings');
    expect(mgr).toMatch(new RegExp(`TCP Bindaddress:\\s*127\\.0\\.0\\.1:${t.ports.ami}`));
  });

  it('runs every module modules.conf lists, and nothing is autoloaded', async () => {
    const out = await cli('module show');
    const running = new Set<string>();
    for (const line of out.split('\n')) {
      const m = /^(\S+\.so)\s.*\sRunning\s/.exec(line);
      if (m && !/Not Running/.test(line)) running.add(m[1]!);
    }
    expect(LOADED_MODULES.filter((m) => !running.has(m))).toEqual([]);
    expect(running.has('chan_dahdi.so')).toBe(false);
    expect(running.has('chan_iax2.so')).toBe(false);
  });

  it('loads the model: 48 endpoints, queues, the sentinel, cn tones, CDR/CEL off, RTP range', async () => {
    expect(await liveRevision()).toBe('r1');
    expect(await liveEndpoints()).toHaveLength(48);
    const q = await ami.listAction('QueueStatus');
    expect(q.events.filter((e) => e.event === 'QueueParams').map((e) => e.get('Queue')).sort()).toEqual(['sales', 'support']);
    expect(await cli('indication show cn')).toMatch(/cn\s+busy\s+450\/350,0\/350/);
    expect(await cli('cdr show status')).toMatch(/Logging:\s+Disabled/);
    expect(await cli('cel show status')).toMatch(/CEL Logging: Disabled/);
    expect(await cli('rtp show settings')).toMatch(new RegExp(`Port start:\\s+${t.ports.rtpStart}`));
    const ep = await ami.listAction('PJSIPShowEndpoint', { Endpoint: '8001' });
    expect(ep.events.find((e) => e.event === 'EndpointDetail')?.get('Callerid')).toBe('"坐席 一" <8001>');
  });

  it('boot log has no errors from our files (music-on-hold content aside)', () => {
    const log = readFileSync(t.asterisk.paths.consoleLog, 'utf8');
    const bad = log
      .split('\n')
      .filter((l) => /ERROR\[|WARNING\[/.test(l))
      .filter((l) => !/moh|music on hold/i.test(l));
    expect(bad).toEqual([]);
  });

  it('apply() of a changed model reloads only what changed and the new revision is live', async () => {
    const res = await cfg.apply(model('r2', 50));
    expect(res).toEqual({ ok: true, changed: ['pjsip.conf', 'extensions.conf'], restartRequired: [] });
    expect(await liveRevision()).toBe('r2');
    expect(await liveEndpoints()).toHaveLength(50);
    expect(readFileSync(join(t.instanceDir, 'etc.last-good', 'pjsip.conf'), 'utf8')).toBe(readFileSync(join(etcDir, 'pjsip.conf'), 'utf8'));
  });

  it('applies queue and transport (SIP port) changes, and removes the demo contexts', async () => {
    const m = model('r3', 50);
    m.queues[0]!.strategy = 'ringall';
    m.queues.pop();
    m.sip.port = sip2;
    const res = await cfg.apply(m);
    expect(res).toEqual({ ok: true, changed: ['pjsip.conf', 'extensions.conf', 'queues.conf'], restartRequired: [] });
    expect(await cli('pjsip show transports')).toMatch(new RegExp(`seatbox-udp\\s+udp\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:${sip2}`));
    const q = await ami.listAction('QueueStatus');
    expect(q.events.filter((e) => e.event === 'QueueParams').map((e) => `${e.get('Queue')}/${e.get('Strategy')}`)).toEqual(['sales/ringall']);
    // demo off: the demo contexts disappear from the live dialplan
    const off = model('r4', 50);
    off.demo.enabled = false;
    off.sip.port = sip2;
    off.queues[0]!.strategy = 'ringall';
    off.queues.pop();
    expect(await cfg.apply(off)).toMatchObject({ ok: true, changed: ['extensions.conf'] });
    await expect(cli('dialplan show seatbox-pstn-sim')).rejects.toThrow(/no existence/);
  });

  it('refuses a broken generated config before it reaches Asterisk: files and Asterisk unchanged', async () => {
    const before = snapshot();
    const reloadBefore = await lastReload();
    const revBefore = await liveRevision();

    // 1. a bad value in the model
    const bad = model('r-bad', 50);
    bad.endpoints[7]!.secret = 'x\n[evil]\ntype=endpoint';
    const r1 = await cfg.apply(bad);
    expect(r1).toEqual({ ok: false, error: 'configuration refused: endpoints[7].secret: must not contain newline', rolledBack: false });

    // 2. a broken template (a Goto to a context that does not exist) caught by our checker
    const tplDir = mkdtempSync(join(tmpdir(), 'seatbox-tpl-'));
    try {
      cpSync(defaultTemplateDir(), tplDir, { recursive: true });
      const p = join(tplDir, 'extensions.conf.hbs');
      writeFileSync(p, readFileSync(p, 'utf8').replace(' same => n,Busy(5)', ' same => n,Goto(seatbox-nowhere,s,1)'));
      const broken = new PbxConfigurator({ etcDir, ami, logger, templateDir: tplDir });
      const r2 = await broken.apply(model('r-bad2', 50));
      expect(r2.ok).toBe(false);
      expect(!r2.ok && r2.error).toMatch(/^configuration refused, generated files failed the checks: extensions\.conf:\d+: Goto\(seatbox-nowhere,s,1\): context "seatbox-nowhere" does not exist$/);
    } finally {
      rmSync(tplDir, { recursive: true, force: true });
    }

    expect(snapshot()).toEqual(before);
    expect(await liveRevision()).toBe(revBefore);
    expect(await lastReload()).toBe(reloadBefore);
  });

  it('rolls back a set that passes our checks but Asterisk rejects; Asterisk keeps working on the last good set', async () => {
    const before = snapshot();
    const revBefore = await liveRevision();
    const endpointsBefore = await liveEndpoints();
    // After validation, corrupt the new seat 8051: Asterisk refuses to create that endpoint.
    hooks.afterValidate = (files) => {
      const pj = files.get('pjsip.conf')!;
      const start = pj.indexOf('[8051]\ntype = endpoint');
      files.set('pjsip.conf', pj.slice(0, start) + pj.slice(start).replace('dtmf_mode = rfc4733', 'dtmf_mode = banana'));
    };
    try {
      const m = model('r5', 51);
      m.demo.enabled = false;
      m.sip.port = sip2;
      m.queues[0]!.strategy = 'ringall';
      m.queues.pop();
      const res = await cfg.apply(m);
      expect(res.ok).toBe(false);
      if (res.ok) return;
      expect(res.rolledBack).toBe(true);
      expect(res.error).toMatch(/^Asterisk did not take configuration r5: pjsip\.conf: live endpoints differ from pjsip\.conf: missing 8051/);
      expect(res.error).toMatch(/The previous configuration was restored and is active\.$/);
    } finally {
      hooks.afterValidate = undefined;
    }
    expect(snapshot()).toEqual(before);
    expect(await liveRevision()).toBe(revBefore);
    expect(await liveEndpoints()).toEqual(endpointsBefore);
    // Still fully working: AMI answers and a good apply goes through.
    const ok = model('r6', 51);
    ok.demo.enabled = false;
    ok.sip.port = sip2;
    ok.queues[0]!.strategy = 'ringall';
    ok.queues.pop();
    expect(await cfg.apply(ok)).toMatchObject({ ok: true });
    expect(await liveRevision()).toBe('r6');
    expect(await liveEndpoints()).toHaveLength(51);
  });

  it('rolls back a dialplan that Asterisk loads differently from what was validated', async () => {
    const revBefore = await liveRevision();
    hooks.afterValidate = (files) => {
      files.set('extensions.conf', files.get('extensions.conf')!.replace('exten => revision,1,NoOp(r7)', 'exten => revision,1,NoOp(r7-tampered)'));
    };
    try {
      const m = model('r7', 51);
      m.demo.enabled = false;
      m.sip.port = sip2;
      m.queues[0]!.strategy = 'ringall';
      m.queues.pop();
      const res = await cfg.apply(m);
      expect(res).toMatchObject({ ok: false, rolledBack: true });
      expect(!res.ok && res.error).toMatch(/extensions\.conf: live dialplan revision is r7-tampered, expected r7/);
    } finally {
      hooks.afterValidate = undefined;
    }
    expect(await liveRevision()).toBe(revBefore);
  });

  it('the simulated PSTN answers a call with the configured odds', async () => {
    const m = model('r8', 51);
    m.sip.port = sip2;
    m.queues[0]!.strategy = 'ringall';
    m.queues.pop();
    Object.assign(m.demo, { enabled: true, answerPercent: 100, busyPercent: 0, noAnswerPercent: 0, ringMinSeconds: 0, ringMaxSeconds: 0, talkMinSeconds: 1, talkMaxSeconds: 1 });
    expect(await cfg.apply(m)).toMatchObject({ ok: true });
    const res = await ami.action('Originate', {
      Channel: 'Local/13800138000@seatbox-pstn-sim',
      Context: 'seatbox-demo-agent',
      Exten: '8001',
      Priority: '1',
      Timeout: '10000',
    }, { timeoutMs: 15_000 });
    expect(res.response).toBe('Success');
    Object.assign(m.demo, { answerPercent: 0, busyPercent: 100 });
    m.revision = 'r9';
    expect(await cfg.apply(m)).toMatchObject({ ok: true });
    await expect(
      ami.action('Originate', { Channel: 'Local/13800138000@seatbox-pstn-sim', Context: 'seatbox-demo-agent', Exten: '8001', Priority: '1', Timeout: '10000' }, { timeoutMs: 15_000 }),
    ).rejects.toThrow(/Originate failed/);
  });

  it('applies a new AMI secret: new logins need it, the running session survives the manager reload', async () => {
    const m = model('r10', 51, { ami: { port: t.ports.ami, username: 'seatbox', secret: 'rotated-secret-2' } });
    m.sip.port = sip2;
    m.queues[0]!.strategy = 'ringall';
    m.queues.pop();
    Object.assign(m.demo, { enabled: true, answerPercent: 0, busyPercent: 100, noAnswerPercent: 0, ringMinSeconds: 0, ringMaxSeconds: 0, talkMinSeconds: 1, talkMaxSeconds: 1 });
    expect(await cfg.apply(m)).toEqual({ ok: true, changed: ['manager.conf', 'extensions.conf'], restartRequired: [] });
    const target = { host: '127.0.0.1', port: t.ports.ami, username: 'seatbox', secret: 'rotated-secret-2' };
    expect((await amiExchange(target, [{ Action: 'Ping' }]))[1]?.Response).toBe('Success');
    await expect(amiExchange({ ...target, secret: AMI_SECRET }, [])).rejects.toThrow(/login refused/);
    expect(ami.connected).toBe(true);
    expect(await liveRevision()).toBe('r10');
  });
});
