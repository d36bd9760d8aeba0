// Our Asterisk config checker: every refusal says file, line and why.
import { describe, expect, it } from 'vitest';
import { parseConf } from '../../firmware-agent/src/pbx-config/conf-parser.js';
import { defaultEndpoint, defaultModel, defaultQueue, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { renderConfig } from '../../firmware-agent/src/pbx-config/render.js';
import { checkPbxConfig, dialplanCounts, formatConfigIssue, validateConfigFiles } from '../../firmware-agent/src/pbx-config/validate.js';

const model = (): PbxModel =>
  defaultModel({
    revision: 'r1',
    amiSecret: 'ami-secret-123',
    endpoints: ['8001', '8002', '8003'].map((id) => defaultEndpoint(id, `secret-${id}-xx`)),
    queues: [defaultQueue('sales', { members: [{ endpoint: '8001', penalty: 0 }] })],
  });

/** Rendered files with one file edited. */
function edited(file: string, edit: (text: string) => string): Map<string, string> {
  const files = renderConfig(model());
  files.set(file, edit(files.get(file)!));
  return files;
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not found`);
  return i + 1;
}

const errors = (files: Map<string, string>) => validateConfigFiles(files).map(formatConfigIssue);

describe('pbx-config validate: model stage', () => {
  it('refuses CR/LF and ; injection before rendering, naming the value', () => {
    const m = model();
    m.endpoints[1]!.secret = 'pw\n[evil]';
    expect(checkPbxConfig(m)).toEqual({ ok: false, stage: 'model', errors: ['endpoints[1].secret: must not contain newline'] });
    const m2 = model();
    m2.endpoints[0]!.callerName = 'x;y';
    expect(checkPbxConfig(m2)).toEqual({
      ok: false,
      stage: 'model',
      errors: ["endpoints[0].callerName: must not contain ';' (it starts a comment in Asterisk config files)"],
    });
  });

  it('accepts a good model and returns the files', () => {
    const r = checkPbxConfig(model());
    expect(r.ok).toBe(true);
  });
});

describe('pbx-config validate: file checks', () => {
  it('catches a line injected into a value (if a value ever bypassed the model checks)', () => {
    const files = edited('pjsip.conf', (t) => t.replace('password = secret-8002-xx', 'password = secret-8002-xx\nthis is not config'));
    const line = lineOf(files.get('pjsip.conf')!, 'this is not config');
    expect(errors(files)).toEqual([`pjsip.conf:${line}: stray text "this is not config" (not a [section], key = value or comment)`]);
  });

  it('refuses a Goto to a missing context', () => {
    const files = edited('extensions.conf', (t) => t.replace(' same => n,Busy(5)', ' same => n,Goto(seatbox-nowhere,s,1)'));
    const line = lineOf(files.get('extensions.conf')!, 'Goto(seatbox-nowhere');
    expect(errors(files)).toEqual([`extensions.conf:${line}: Goto(seatbox-nowhere,s,1): context "seatbox-nowhere" does not exist`]);
  });

  it('refuses GotoIf to a missing label, and Goto to a missing extension', () => {
    const files = edited('extensions.conf', (t) => t.replace('?busy)', '?bussy)').replace(' same => n,Busy(5)', ' same => n,Goto(seatbox-internal,7777,1)'));
    const text = files.get('extensions.conf')!;
    expect(errors(files)).toEqual([
      `extensions.conf:${lineOf(text, '?bussy)')}: GotoIf target "bussy": label "bussy" does not exist in extension "_X."`,
      `extensions.conf:${lineOf(text, 'Goto(seatbox-internal,7777')}: Goto(seatbox-internal,7777,1): extension "7777" does not exist in context seatbox-internal`,
    ]);
  });

  it('refuses Dial(Local/...@ctx) to a missing context and Dial(PJSIP/x) to a missing endpoint', () => {
    const files = edited('extensions.conf', (t) =>
      t.replace('Dial(Local/${EXTEN:1}@seatbox-pstn-sim,60)', 'Dial(Local/${EXTEN:1}@seatbox-pstn-gone,60)').replace('Dial(PJSIP/8003,30)', 'Dial(PJSIP/9999,30)'),
    );
    const text = files.get('extensions.conf')!;
    expect(errors(files)).toEqual([
      `extensions.conf:${lineOf(text, 'seatbox-pstn-gone')}: Dial(Local/\${EXTEN:1}@seatbox-pstn-gone): context "seatbox-pstn-gone" does not exist`,
      `extensions.conf:${lineOf(text, 'PJSIP/9999')}: Dial(PJSIP/9999): no such PJSIP endpoint in pjsip.conf`,
    ]);
  });

  it('refuses an include of a missing context and Queue() of a missing queue', () => {
    const files = edited('extensions.conf', (t) => t.replace('include => seatbox-queue-entry', 'include => seatbox-missing').replace('Queue(sales)', 'Queue(salez)'));
    const text = files.get('extensions.conf')!;
    expect(errors(files)).toEqual([
      `extensions.conf:${lineOf(text, 'include => seatbox-missing')}: include => seatbox-missing: no such context`,
      `extensions.conf:${lineOf(text, 'Queue(salez)')}: Queue(salez): no such queue in queues.conf`,
    ]);
  });

  it('refuses unbalanced parentheses and text after the application call', () => {
    const files = edited('extensions.conf', (t) => t.replace('Wait(${RAND(1,6)})', 'Wait(${RAND(1,6)}').replace(' same => n,Hangup(34)', ' same => n,Hangup(34)x(1)'));
    const text = files.get('extensions.conf')!;
    expect(errors(files)).toEqual([
      `extensions.conf:${lineOf(text, 'Hangup(34)x(1)')}: text after the closing parenthesis of Hangup()`,
      `extensions.conf:${lineOf(text, 'Wait(${RAND(1,6)}')}: unclosed "(" in "Wait(\${RAND(1,6)}"`,
    ]);
    const f2 = edited('extensions.conf', (t) => t.replace(' same => n,Hangup(34)', ' same => n,Hangup(34)x'));
    expect(errors(f2)).toEqual([`extensions.conf:${lineOf(f2.get('extensions.conf')!, 'Hangup(34)x')}: "Hangup(34)x" is not Application(args)`]);
  });

  it('refuses a priority defined twice (a duplicate extension)', () => {
    const files = edited('extensions.conf', (t) => t.replace('exten => 8002,1,NoOp(Call to seat 8002, SIP phone)', 'exten => 8001,1,NoOp(Call to seat 8002, SIP phone)'));
    const l = lineOf(files.get('extensions.conf')!, 'NoOp(Call to seat 8002, SIP phone)');
    expect(errors(files)).toEqual([`extensions.conf:${l}: extension "8001" priority 1 is defined twice (Asterisk refuses the second)`]);
  });

  it('refuses a duplicate endpoint', () => {
    const files = edited('pjsip.conf', (t) => {
      const block = t.slice(t.indexOf('[8001]\ntype = endpoint'), t.indexOf('[8001]\ntype = aor'));
      return `${t}\n${block}`;
    });
    const text = files.get('pjsip.conf')!;
    const first = lineOf(text, '[8001]');
    const second = text.split('\n').lastIndexOf('[8001]') + 1;
    expect(errors(files)).toEqual([`pjsip.conf:${second}: duplicate section [8001] of type endpoint (first at line ${first}): Asterisk would merge or shadow them`]);
  });

  it("refuses an endpoint whose aor or auth does not exist", () => {
    const files = edited('pjsip.conf', (t) => t.replace('aors = 8002', 'aors = 8002x').replace('auth = 8003-auth', 'auth = 8003-auth-gone'));
    const text = files.get('pjsip.conf')!;
    expect(errors(files)).toEqual([
      `pjsip.conf:${lineOf(text, 'aors = 8002x')}: endpoint [8002] names aor "8002x", which is not defined`,
      `pjsip.conf:${lineOf(text, 'auth = 8003-auth-gone')}: endpoint [8003] names auth "8003-auth-gone", which is not defined`,
    ]);
  });

  it('refuses an endpoint context missing from the dialplan', () => {
    const files = edited('pjsip.conf', (t) => t.replace('context = seatbox-internal', 'context = from-internal'));
    const text = files.get('pjsip.conf')!;
    expect(errors(files)).toEqual([`pjsip.conf:${lineOf(text, 'context = from-internal')}: endpoint [8001] context "from-internal" does not exist in extensions.conf`]);
  });

  it('refuses a non-loopback AMI bind and a non-loopback permit', () => {
    const files = edited('manager.conf', (t) => t.replace('bindaddr = 127.0.0.1', 'bindaddr = 0.0.0.0').replace('permit = 127.0.0.1/255.255.255.255', 'permit = 192.168.1.0/255.255.255.0'));
    const text = files.get('manager.conf')!;
    expect(errors(files)).toEqual([
      `manager.conf:${lineOf(text, 'bindaddr = 0.0.0.0')}: bindaddr must be a loopback address, got "0.0.0.0"`,
      `manager.conf:${lineOf(text, 'permit = 192.168')}: user [seatbox] permits non-loopback address "192.168.1.0/255.255.255.0"`,
    ]);
  });

  it('refuses a bad AMI port and a missing writetimeout', () => {
    const files = edited('manager.conf', (t) => t.replace('port = 5038', 'port = 99999').replace(/^writetimeout = 5000\n/m, ''));
    const text = files.get('manager.conf')!;
    expect(errors(files)).toEqual([
      `manager.conf:${lineOf(text, '[general]')}: port must be a number 1-65535`,
      `manager.conf:${lineOf(text, '[seatbox]')}: user [seatbox] has no writetimeout (Asterisk's 100 ms default drops a briefly stalled reader)`,
    ]);
  });

  it('refuses applications whose module is not loaded, and unknown functions', () => {
    const files = edited('modules.conf', (t) => t.replace('load = app_playback.so\n', ''));
    const ext = files.get('extensions.conf')!;
    const playbackLines = ext.split('\n').flatMap((l, i) => (l.includes(',Playback(') ? [i + 1] : []));
    expect(playbackLines.length).toBeGreaterThan(5);
    expect(errors(files)).toEqual(playbackLines.map((l) => `extensions.conf:${l}: application Playback needs app_playback.so, which modules.conf does not load`));
    const f2 = edited('extensions.conf', (t) => t.replace('${RAND(1,100)}', '${SHELL(id)}'));
    expect(errors(f2)).toEqual([`extensions.conf:${lineOf(f2.get('extensions.conf')!, 'SHELL(')}: unknown dialplan function SHELL() (not in pbx-config's function map)`]);
  });

  it('refuses autoload and modules missing from the module directory', () => {
    const files = edited('modules.conf', (t) => t.replace('autoload = no', 'autoload = yes'));
    expect(errors(files)).toEqual([`modules.conf:${lineOf(files.get('modules.conf')!, '[modules]')}: autoload must be "no" (SeatBox loads an explicit list)`]);
    const ok = renderConfig(model());
    const have = new Set([...parseConf('modules.conf', ok.get('modules.conf')!).sections[0]!.entries.map((e) => e.value)].filter((m) => m !== 'res_fax_spandsp.so'));
    const issues = validateConfigFiles(ok, { availableModules: have }).map(formatConfigIssue);
    expect(issues).toEqual([`modules.conf:${lineOf(ok.get('modules.conf')!, 'res_fax_spandsp.so')}: res_fax_spandsp.so does not exist in Asterisk's module directory`]);
  });

  it('refuses #include, section templates and block comments', () => {
    const files = edited('queues.conf', (t) => `${t}#include "/etc/passwd"\n[tmpl](!)\n;-- hidden\n`);
    const text = files.get('queues.conf')!;
    expect(errors(files)).toEqual([
      `queues.conf:${lineOf(text, '#include')}: directive "#include" is not allowed in generated files`,
      `queues.conf:${lineOf(text, '[tmpl]')}: section [tmpl] has trailing text "(!)" (templates and section options are not used)`,
      `queues.conf:${lineOf(text, ';-- hidden')}: block comments (;-- --;) are not allowed in generated files`,
    ]);
  });

  it('refuses a queue member that is not an endpoint', () => {
    const files = edited('queues.conf', (t) => t.replace('member => PJSIP/8001,0', 'member => PJSIP/7001,0'));
    expect(errors(files)).toEqual([`queues.conf:${lineOf(files.get('queues.conf')!, 'PJSIP/7001')}: queue [sales] member PJSIP/7001: no such endpoint in pjsip.conf`]);
  });

  it('refuses duplicate settings and carriage returns', () => {
    const files = edited('rtp.conf', (t) => t.replace('rtpend = 10999', 'rtpend = 10999\nrtpend = 11999'));
    expect(errors(files)).toEqual([`rtp.conf:${lineOf(files.get('rtp.conf')!, 'rtpend = 11999')}: "rtpend" set twice in [general] (first at line ${lineOf(files.get('rtp.conf')!, 'rtpend = 10999')})`]);
    const f2 = edited('cdr.conf', (t) => t.replace('enable = no\n', 'enable = no\r\n'));
    expect(errors(f2)).toContain('cdr.conf: contains a carriage return (CR): files must use LF line ends only');
  });

  it('counts extensions and priorities per context like "dialplan show"', () => {
    const counts = dialplanCounts(renderConfig(model()).get('extensions.conf')!);
    expect(counts.get('seatbox-meta')).toEqual({ extensions: 2, priorities: 2 });
    expect(counts.get('seatbox-seats')).toEqual({ extensions: 3, priorities: 12 });
    expect(counts.get('seatbox-pstn-sim')).toEqual({ extensions: 1, priorities: 20 });
    expect(counts.get('seatbox-queue-entry')).toEqual({ extensions: 1, priorities: 4 });
    // includes and comments do not count; "same" lines belong to the extension above; hints are not priorities
    const text = ['[a]', 'include => b', '; x', 'exten => 1,1,NoOp()', ' same => n,Hangup()', 'exten => _X.,hint,PJSIP/1', 'exten => _X.,1,NoOp()', '[b]', ''].join('\n');
    expect(Object.fromEntries(dialplanCounts(text))).toEqual({ a: { extensions: 2, priorities: 3 }, b: { extensions: 0, priorities: 0 } });
  });
});
