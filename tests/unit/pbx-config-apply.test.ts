// PbxConfigurator against a fake Asterisk (an AmiClient that "loads" files from etc/ when told
// to reload and answers the verification commands from what it loaded), plus atomic writes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiError, AmiMessage, type AmiClient, type AmiListResult } from '../../firmware-agent/src/ami/types.js';
import { PbxConfigurator } from '../../firmware-agent/src/pbx-config/apply.js';
import { atomicWriteFile, removeStaleTempFiles } from '../../firmware-agent/src/pbx-config/atomic.js';
import { getValue, getValues, parseConf, type ConfSection } from '../../firmware-agent/src/pbx-config/conf-parser.js';
import { defaultEndpoint, defaultModel, defaultQueue, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { RELOAD_COMMANDS } from '../../firmware-agent/src/pbx-config/reload.js';
import { CONFIG_FILES, renderConfig } from '../../firmware-agent/src/pbx-config/render.js';
import { dialplanCounts } from '../../firmware-agent/src/pbx-config/validate.js';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'seatbox-pbxcfg-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const msg = (fields: Record<string, string>) => new AmiMessage(Object.entries(fields));

/** Which file a reload command re-reads. */
const COMMAND_FILE = new Map<string, string>();
for (const [file, cmds] of Object.entries(RELOAD_COMMANDS)) if (Array.isArray(cmds)) for (const c of cmds) COMMAND_FILE.set(c, file);

/**
 * A fake Asterisk: `live` holds the files it "runs on". A reload command copies the file from
 * etc/ into `live` (unless the test made it ignore that file, like an Asterisk that keeps the
 * old config); verification commands are answered from `live`, in Asterisk's output format.
 */
class FakeAsterisk implements AmiClient {
  connected = true;
  asteriskVersion = '22.10.1';
  readonly live = new Map<string, string>();
  readonly commands: string[] = [];
  /** Reloads of these files are "accepted" but not applied. */
  readonly ignore = new Set<string>();
  /** Reload commands answered with a failure. */
  readonly failing = new Set<string>();

  constructor(private readonly etcDir: string) {}

  boot(): void {
    for (const f of CONFIG_FILES) this.live.set(f, readFileSync(join(this.etcDir, f), 'utf8'));
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
  async action(action: string, headers?: Record<string, string>): Promise<AmiMessage> {
    // Modules load through the ModuleLoad action (AMI's Command refuses "module load").
    if (action === 'ModuleCheck') throw new AmiError(`AMI ModuleCheck failed: Module not loaded`);
    if (action === 'ModuleLoad') {
      this.commands.push(`module load ${headers?.Module}`);
      return new AmiMessage([['Response', 'Success'], ['Message', 'Module was successfully loaded.']]);
    }
    throw new AmiError(`unexpected action ${action}`);
  }

  private secs(file: string): ConfSection[] {
    return parseConf(file, this.live.get(file) ?? '').sections;
  }

  async command(cmd: string): Promise<string> {
    this.commands.push(cmd);
    const file = COMMAND_FILE.get(cmd);
    if (file) {
      if (this.failing.has(cmd)) return `The module '${cmd.split(' ').pop()}' reported a reload failure`;
      if (!this.ignore.has(file)) this.live.set(file, readFileSync(join(this.etcDir, file), 'utf8'));
      if (cmd === 'dialplan reload') return 'Dialplan reloaded.';
      if (cmd.startsWith('module reload ')) return `Module '${cmd.slice(14)}' reloaded successfully.`;
      return '';
    }
    if (cmd.startsWith('module load ')) return 'Command blacklisted';
    const ds = /^dialplan show (\S+)$/.exec(cmd);
    if (ds) {
      const ctx = ds[1]!;
      const text = this.live.get('extensions.conf')!;
      const c = dialplanCounts(text).get(ctx);
      if (!c) throw new AmiError(`AMI Command "${cmd}" failed: There is no existence of '${ctx}' context`);
      const lines = [`[ Context '${ctx}' created by 'pbx_config' ]`];
      if (ctx === 'seatbox-meta') {
        lines.push(`  'content' =>      1. NoOp(${/content,1,NoOp\((.*)\)/.exec(text)![1]})   [extensions.conf:16]`);
        lines.push(`  'revision' =>     1. NoOp(${/revision,1,NoOp\((.*)\)/.exec(text)![1]})   [extensions.conf:15]`);
      }
      lines.push('', `-= ${c.extensions} extensions (${c.priorities} priorities) in 1 context. =-`);
      return lines.join('\n');
    }
    if (cmd === 'pjsip show settings') {
      const g = this.secs('pjsip.conf').find((s) => getValue(s, 'type') === 'global')!;
      return `Global Settings:\n user_agent                                 : ${getValue(g, 'user_agent')}\n`;
    }
    if (cmd === 'pjsip show transports') {
      return this.secs('pjsip.conf')
        .filter((s) => getValue(s, 'type') === 'transport')
        .map((t) => `Transport:  ${t.name}               udp      0      0  ${getValue(t, 'bind')}`)
        .join('\n');
    }
    if (cmd === 'manager show settings') {
      const g = this.secs('manager.conf').find((s) => s.name === 'general')!;
      return `  Manager (AMI):             Yes\n  TCP Bindaddress:           ${getValue(g, 'bindaddr')}:${getValue(g, 'port')}\n`;
    }
    const mu = /^manager show user (\S+)$/.exec(cmd);
    if (mu) {
      const u = this.secs('manager.conf').find((s) => s.name === mu[1]);
      if (!u) throw new AmiError(`AMI Command "${cmd}" failed: There is no manager called ${mu[1]}`);
      return `          username: ${u.name}\n         read perm: ${getValue(u, 'read')}\n        write perm: ${getValue(u, 'write')}\n`;
    }
    if (cmd === 'rtp show settings') {
      const g = this.secs('rtp.conf')[0]!;
      return `  Port start:      ${getValue(g, 'rtpstart')}\n  Port end:        ${getValue(g, 'rtpend')}\n`;
    }
    const ind = /^indication show (\S+)$/.exec(cmd);
    if (ind) {
      const z = this.secs('indications.conf').find((s) => s.name === ind[1]);
      return z ? `${z.name}      busy            ${getValue(z, 'busy')}\n` : '';
    }
    if (cmd === 'logger show channels') {
      const lf = this.secs('logger.conf').find((s) => s.name === 'logfiles')!;
      return lf.entries
        .filter((e) => e.key !== 'console')
        .map((e) => `/seatbox/log/${e.key}           File     default    Enabled    - NOTICE`)
        .join('\n');
    }
    if (cmd === 'cdr show status') return `  Logging:                    ${getValue(this.secs('cdr.conf')[0]!, 'enable') === 'yes' ? 'Enabled' : 'Disabled'}\n`;
    if (cmd === 'cel show status') return `CEL Logging: ${getValue(this.secs('cel.conf')[0]!, 'enable') === 'yes' ? 'Enabled' : 'Disabled'}`;
    if (cmd === 'moh show classes') return '';
    if (cmd === 'module show') {
      return getValues(this.secs('modules.conf')[0]!, 'load')
        .map((e) => `${e.value}   Some module   0   Running   core`)
        .join('\n');
    }
    throw new AmiError(`AMI Command "${cmd}" failed: No such command`);
  }

  async listAction(action: string, headers?: unknown): Promise<AmiListResult> {
    const pj = this.secs('pjsip.conf');
    const ofType = (t: string) => pj.filter((s) => getValue(s, 'type') === t);
    const response = msg({ Response: 'Success', EventList: 'start' });
    if (action === 'PJSIPShowEndpoints') {
      const eps = ofType('endpoint');
      if (!eps.length) throw new AmiError('AMI PJSIPShowEndpoints failed: No endpoints found');
      return { response, events: eps.map((e) => msg({ Event: 'EndpointList', ObjectName: e.name })) };
    }
    if (action === 'PJSIPShowEndpoint') {
      const name = (headers as { Endpoint: string }).Endpoint;
      const ep = ofType('endpoint').find((s) => s.name === name);
      if (!ep) throw new AmiError(`AMI PJSIPShowEndpoint failed: Unable to retrieve endpoint ${name}`);
      const auth = ofType('auth').find((s) => s.name === getValue(ep, 'auth'));
      const aor = ofType('aor').find((s) => s.name === getValue(ep, 'aors'))!;
      const events = [
        msg({
          Event: 'EndpointDetail',
          ObjectName: name,
          Context: getValue(ep, 'context')!,
          Aors: getValue(ep, 'aors')!,
          Auth: getValue(ep, 'auth') ?? '',
          OutboundAuth: getValue(ep, 'outbound_auth') ?? '',
          Callerid: getValue(ep, 'callerid') ?? '',
          Allow: `(${getValue(ep, 'allow')!.split(',').join('|')})`,
          SetVar: getValues(ep, 'set_var').map((v) => v.value).join(','),
        }),
        msg({ Event: 'AorDetail', ObjectName: aor.name, MaxContacts: getValue(aor, 'max_contacts') ?? '0' }),
      ];
      if (auth) events.push(msg({ Event: 'AuthDetail', ObjectName: auth.name, Username: getValue(auth, 'username')!, Password: getValue(auth, 'password')! }));
      for (const id of ofType('identify').filter((i) => getValue(i, 'endpoint') === name)) {
        events.push(msg({ Event: 'IdentifyDetail', ObjectName: id.name, Endpoint: name, Match: getValues(id, 'match').map((m) => `${m.value}/32`).join(',') }));
      }
      return { response, events };
    }
    if (action === 'PJSIPShowRegistrationsOutbound') {
      const events = ofType('registration').map((r) =>
        msg({
          Event: 'OutboundRegistrationDetail',
          ObjectName: r.name,
          ServerUri: getValue(r, 'server_uri')!,
          ClientUri: getValue(r, 'client_uri')!,
          Expiration: getValue(r, 'expiration')!,
          Endpoint: getValue(r, 'endpoint') ?? '',
          Status: 'Registered',
        }),
      );
      return { response, events };
    }
    if (action === 'QueueStatus') {
      const events: AmiMessage[] = [];
      for (const q of this.secs('queues.conf').filter((s) => s.name !== 'general')) {
        events.push(msg({ Event: 'QueueParams', Queue: q.name, Strategy: getValue(q, 'strategy')!, Calls: '0' }));
        for (const m of getValues(q, 'member'))
          events.push(msg({ Event: 'QueueMember', Queue: q.name, Location: m.value.split(',')[0]!, Membership: 'static' }));
      }
      return { response, events };
    }
    throw new AmiError(`unexpected list action ${action}`);
  }
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

function model(revision: string, seats = 2): PbxModel {
  return defaultModel({
    revision,
    amiSecret: 'ami-secret-123',
    endpoints: Array.from({ length: seats }, (_, i) => defaultEndpoint(String(8001 + i), `seat-secret-${8001 + i}`)),
    queues: seats ? [defaultQueue('sales', { members: [{ endpoint: '8001', penalty: 0 }] })] : [],
  });
}

/** A configurator on a fresh instance dir, booted (writeInitial + fake Asterisk loads etc/). */
async function setup(opts: { initial?: PbxModel } = {}) {
  const inst = temp();
  const etcDir = join(inst, 'etc');
  const ami = new FakeAsterisk(etcDir);
  const hooks: { afterValidate?: (f: Map<string, string>) => void; beforeRename?: (tmp: string, target: string) => void } = {};
  const cfg = new PbxConfigurator({
    etcDir,
    ami,
    logger: quiet,
    verifyTimeoutMs: 300,
    testHooks: {
      afterValidate: (f) => hooks.afterValidate?.(f),
      beforeRename: (t, target) => hooks.beforeRename?.(t, target),
    },
  });
  await cfg.writeInitial(opts.initial ?? model('r1'));
  ami.boot();
  const snapshot = () => new Map(CONFIG_FILES.map((f) => [f, readFileSync(join(etcDir, f), 'utf8')]));
  return { inst, etcDir, ami, cfg, hooks, snapshot };
}

describe('atomicWriteFile', () => {
  it('replaces the file and leaves no temp file', async () => {
    const d = temp();
    const p = join(d, 'x.conf');
    writeFileSync(p, 'old\n');
    await atomicWriteFile(p, 'new\n');
    expect(readFileSync(p, 'utf8')).toBe('new\n');
    expect(readdirSync(d)).toEqual(['x.conf']);
  });

  it('leaves the old file intact and no partial file when interrupted between write and rename', async () => {
    const d = temp();
    const p = join(d, 'x.conf');
    writeFileSync(p, 'old\n');
    let tmpSeen = '';
    await expect(
      atomicWriteFile(p, 'new content\n', {
        beforeRename: (tmp) => {
          tmpSeen = tmp;
          expect(readFileSync(tmp, 'utf8')).toBe('new content\n'); // fully written and synced
          throw new Error('power cut');
        },
      }),
    ).rejects.toThrow('power cut');
    expect(readFileSync(p, 'utf8')).toBe('old\n');
    expect(existsSync(tmpSeen)).toBe(false);
    expect(readdirSync(d)).toEqual(['x.conf']);
    // A new file that never got renamed does not appear at all.
    await expect(atomicWriteFile(join(d, 'y.conf'), 'y\n', { beforeRename: () => Promise.reject(new Error('crash')) })).rejects.toThrow('crash');
    expect(readdirSync(d)).toEqual(['x.conf']);
  });

  it('removeStaleTempFiles cleans what a hard crash left behind', async () => {
    const d = temp();
    writeFileSync(join(d, '.pjsip.conf.seatbox-tmp-123-abcd'), 'half');
    writeFileSync(join(d, 'pjsip.conf'), 'ok');
    expect(await removeStaleTempFiles(d)).toEqual(['.pjsip.conf.seatbox-tmp-123-abcd']);
    expect(readdirSync(d)).toEqual(['pjsip.conf']);
  });
});

describe('PbxConfigurator', () => {
  it('writeInitial writes every file and the last good set; again with the same model changes nothing', async () => {
    const { etcDir, cfg, inst } = await setup();
    expect(readdirSync(etcDir).sort()).toEqual([...CONFIG_FILES].sort());
    expect(readdirSync(join(inst, 'etc.last-good')).sort()).toEqual([...CONFIG_FILES].sort());
    expect(await cfg.writeInitial(model('r1'))).toEqual({ changed: [] });
    await expect(cfg.writeInitial({ ...model('r1'), revision: 'bad revision' })).rejects.toThrow(/revision: must be 1-64 characters/);
  });

  it('applies a new revision: writes only extensions.conf, reloads only the dialplan, verifies the sentinel', async () => {
    const { ami, cfg, inst, etcDir } = await setup();
    const res = await cfg.apply(model('r2'));
    expect(res).toEqual({ ok: true, changed: ['extensions.conf'], restartRequired: [] });
    expect(ami.commands.filter((c) => !c.startsWith('dialplan show'))).toEqual(['dialplan reload']);
    expect(ami.commands).toContain('dialplan show seatbox-meta');
    expect(readFileSync(join(inst, 'etc.last-good', 'extensions.conf'), 'utf8')).toBe(readFileSync(join(etcDir, 'extensions.conf'), 'utf8'));
  });

  it('reloads pjsip, queues and the dialplan when seats change, and checks every endpoint', async () => {
    const { ami, cfg } = await setup({ initial: model('r1', 0) });
    const res = await cfg.apply(model('r2', 48));
    expect(res).toEqual({ ok: true, changed: ['pjsip.conf', 'extensions.conf', 'queues.conf'], restartRequired: [] });
    const reloads = ami.commands.filter((c) => /reload/.test(c));
    expect(reloads).toEqual(['module reload res_pjsip.so', 'module reload app_queue.so', 'dialplan reload']);
    expect(ami.commands).toContain('pjsip show settings');
  });

  it('does nothing when nothing changed', async () => {
    const { ami, cfg } = await setup();
    expect(await cfg.apply(model('r1'))).toEqual({ ok: true, changed: [], restartRequired: [] });
    expect(ami.commands).toEqual([]);
  });

  it('refuses an invalid model: nothing written, nothing sent to Asterisk', async () => {
    const { ami, cfg, snapshot } = await setup();
    const before = snapshot();
    const m = model('r2');
    m.endpoints[1]!.secret = 'pw;\n[evil]';
    const res = await cfg.apply(m);
    expect(res).toEqual({ ok: false, error: 'configuration refused: endpoints[1].secret: must not contain newline; endpoints[1].secret: must not contain \';\' (it starts a comment in Asterisk config files)', rolledBack: false });
    expect(snapshot()).toEqual(before);
    expect(ami.commands).toEqual([]);
  });

  it('rolls back when Asterisk does not take the new files (reload silently ignored)', async () => {
    const { ami, cfg, snapshot } = await setup();
    const before = snapshot();
    ami.ignore.add('extensions.conf');
    const res = await cfg.apply(model('r2'));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.rolledBack).toBe(true);
    expect(res.error).toMatch(/^Asterisk did not take configuration r2: extensions\.conf: live dialplan revision is r1, expected r2/);
    expect(res.error).toMatch(/The previous configuration was restored and is active\.$/);
    expect(snapshot()).toEqual(before);
  });

  it('rolls back a file corrupted after validation (test hook) that Asterisk loads differently', async () => {
    const { ami, cfg, snapshot, hooks } = await setup();
    const before = snapshot();
    hooks.afterValidate = (files) => files.set('pjsip.conf', files.get('pjsip.conf')!.replace(/^type = endpoint$/m, 'type = endpoint_x'));
    const res = await cfg.apply(model('r2', 3));
    expect(res).toMatchObject({ ok: false, rolledBack: true });
    expect(!res.ok && res.error).toMatch(/pjsip\.conf: live endpoints differ from pjsip\.conf: missing 8001/);
    expect(snapshot()).toEqual(before);
    expect(ami.live.get('pjsip.conf')).toBe(before.get('pjsip.conf'));
    // The next good apply works normally.
    hooks.afterValidate = undefined;
    expect(await cfg.apply(model('r3', 3))).toMatchObject({ ok: true });
  });

  it('reports a failed reload command and rolls back', async () => {
    const { ami, cfg, snapshot } = await setup();
    const before = snapshot();
    ami.failing.add('module reload res_pjsip.so');
    const res = await cfg.apply(model('r2', 3));
    expect(res).toMatchObject({ ok: false });
    expect(!res.ok && res.error).toContain(`"module reload res_pjsip.so": The module 'res_pjsip.so' reported a reload failure`);
    expect(snapshot()).toEqual(before);
    // the rollback's own pjsip reload fails too: Asterisk's state is unknown, and the result says so
    expect(!res.ok && res.rolledBack).toBe(false);
    expect(!res.ok && res.error).toMatch(/ROLLBACK FAILED/);
  });

  it('restores the old files when writing the set fails midway, without reloading', async () => {
    const { ami, cfg, snapshot, hooks } = await setup();
    const before = snapshot();
    let n = 0;
    hooks.beforeRename = () => {
      if (++n === 2) throw new Error('disk full');
    };
    const res = await cfg.apply(model('r2', 3));
    expect(res).toEqual({ ok: false, error: 'could not write the configuration: disk full', rolledBack: true });
    hooks.beforeRename = undefined;
    expect(snapshot()).toEqual(before);
    expect(ami.commands).toEqual([]);
  });

  it('refuses while AMI is down, without touching the files', async () => {
    const { ami, cfg, snapshot } = await setup();
    const before = snapshot();
    ami.connected = false;
    const res = await cfg.apply(model('r2'));
    expect(res).toMatchObject({ ok: false, rolledBack: false });
    expect(!res.ok && res.error).toMatch(/AMI link down/);
    expect(snapshot()).toEqual(before);
  });

  it('serializes concurrent applies', async () => {
    const { cfg, ami } = await setup();
    const [a, b] = await Promise.all([cfg.apply(model('r2', 3)), cfg.apply(model('r3', 5))]);
    expect(a).toMatchObject({ ok: true });
    expect(b).toMatchObject({ ok: true });
    expect(ami.live.get('extensions.conf')).toContain('NoOp(r3)');
    expect(ami.live.get('pjsip.conf')).toContain('[8005-auth]');
  });

  it('reports files that need a restart and loads added modules', async () => {
    const { cfg, ami } = await setup();
    const m = model('r2');
    m.paths.log = '/seatbox/log2';
    const res = await cfg.apply(m);
    expect(res).toEqual({ ok: true, changed: ['asterisk.conf', 'extensions.conf'], restartRequired: ['asterisk.conf'] });
    expect(ami.commands.filter((c) => c.includes('reload'))).toEqual(['dialplan reload']);
  });

  it('uses the rendered output of renderConfig (what is on disk is what was validated)', async () => {
    const { etcDir } = await setup();
    const files = renderConfig(model('r1'));
    for (const f of CONFIG_FILES) expect(readFileSync(join(etcDir, f), 'utf8')).toBe(files.get(f));
  });
});
