// Trunks and routes on the real Asterisk 22 with SIPp carriers: a seat dials 9 + a mobile
// number and the carrier receives it rewritten by the route, with the trunk's caller ID; a
// failing carrier (503) hands the call to the next trunk, a busy callee (486) or a wrong
// number (404) does not; a trunk at its channel limit is skipped; emergency numbers go out
// first through the first trunk that works; inbound DIDs reach a seat or are refused
// politely; registration trunks register (200) or report the carrier's refusal (403).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { CN_PATTERNS, defaultEndpoint, defaultRoute, defaultSipTrunk, type PbxModel, type PbxSipTrunk } from '../../firmware-agent/src/pbx-config/model.js';
import { freePort } from '../support/asterisk.js';
import {
  cleanSipp,
  csvFile,
  describeRun,
  requestUris,
  scenario,
  startSipp,
  startTestPbx,
  stopAllSipp,
  type SippProcess,
  type TestPbx,
} from '../support/sipp.js';

// Every carrier has its own loopback address: trunks are told apart by source IP (identify).
const CARRIER_A = '127.0.0.2';
const CARRIER_B = '127.0.0.3';
const REGISTRAR_OK = '127.0.0.4';
const REGISTRAR_403 = '127.0.0.5';

const secret = (ext: string) => `seat-pw-${ext}`;
const cred = (ext: string) => ({ user: ext, password: secret(ext) });

let pbx: TestPbx;
let ports: { a: number; b: number; ok: number; forbidden: number };
const events: AmiMessage[] = [];

function trunks(): PbxSipTrunk[] {
  return [
    defaultSipTrunk('carrierA', CARRIER_A, {
      port: ports.a,
      qualifySeconds: 0,
      maxChannels: 1,
      callerId: { number: '01088886666', name: 'SeatBox', presentation: 'allowed' },
    }),
    defaultSipTrunk('carrierB', CARRIER_B, {
      port: ports.b,
      qualifySeconds: 0,
      maxChannels: 10,
      callerId: { number: '02166667777', presentation: 'restricted' },
    }),
  ];
}

type Builder = TestPbx['model'];

function model(build: Builder, revision: string): PbxModel {
  return build({
    revision,
    endpoints: ['8001', '8002', '8003'].map((e) => defaultEndpoint(e, secret(e))),
    trunks: trunks(),
    routes: [
      defaultRoute('mobile', [...CN_PATTERNS.mobile], ['carrierA', 'carrierB'], { prepend: '+86' }),
      defaultRoute('landline', [...CN_PATTERNS.landline], ['carrierB'], { stripDigits: 1, prepend: '+86' }),
    ],
    inboundRoutes: [{ did: '01088886666', destination: { kind: 'seat', target: '8003' } }],
  });
}

beforeAll(async () => {
  ports = { a: await freePort({ udp: true }), b: await freePort({ udp: true }), ok: await freePort({ udp: true }), forbidden: await freePort({ udp: true }) };
  pbx = await startTestPbx((build) => model(build, 'sipp-trunks-1'));
  pbx.ami.on('event', (e) => events.push(e));
}, 120_000);

afterAll(async () => {
  await stopAllSipp();
  await pbx?.stop();
});

const remote = () => `127.0.0.1:${pbx.sipPort}`;

function carrier(ip: string, port: number, xml: string, calls = 1, label = `carrier-${ip}`): Promise<SippProcess> {
  return startSipp({ label, scenario: xml, localIp: ip, localPort: port, calls, timeoutSeconds: 30 });
}
const answers = () => scenario('uas-answer.xml');
const refuses = (code: number, reason: string) => scenario('uas-refuse.xml', { CODE: code, REASON: reason });

function call(from: string, numbers: string[], talkMs = 1000) {
  return startSipp({
    label: `call-${from}`,
    scenario: scenario('uac-call.xml', { TALK_MS: talkMs }),
    csv: csvFile(numbers.map((n) => [from, cred(from), n])),
    remote: remote(),
    calls: numbers.length,
    limit: numbers.length,
    timeoutSeconds: 30,
  });
}

/** The first INVITE in a carrier's trace, as header name -> value (plus the Request-URI). */
function firstInvite(messages: string): { uri: string; headers: Map<string, string> } {
  const m = /^INVITE (\S+) SIP\/2\.0\n([\s\S]*?)\n\n/m.exec(messages.replace(/\r/g, ''));
  if (!m) throw new Error(`no INVITE in trace:\n${messages.slice(0, 2000)}`);
  const headers = new Map<string, string>();
  for (const line of m[2]!.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { uri: m[1]!, headers };
}

describe('trunks and outbound routes with SIPp carriers', () => {
  it('9 + mobile number: carrier A gets +86<number> with the trunk caller ID', async () => {
    const a = await carrier(CARRIER_A, ports.a, answers());
    const uac = await call('8001', ['913800138000']);
    const r = await uac.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toContain('OUTCOME 200 913800138000');
    const ar = await a.done;
    const inv = firstInvite(ar.messages);
    expect(inv.uri).toBe(`sip:+8613800138000@${CARRIER_A}:${ports.a}`);
    expect(inv.headers.get('from')).toMatch(/^"SeatBox" <sip:01088886666@/);
    cleanSipp(r);
    cleanSipp(ar);
  });

  it('landline: strip the 0, prepend +86, through carrier B with caller ID withheld (anonymous From, PAI + Privacy: id)', async () => {
    const b = await carrier(CARRIER_B, ports.b, answers());
    const uac = await call('8001', ['902188889999']);
    const r = await uac.done;
    expect(r.logs).toContain('OUTCOME 200 902188889999');
    const br = await b.done;
    const inv = firstInvite(br.messages);
    expect(inv.uri).toBe(`sip:+862188889999@${CARRIER_B}:${ports.b}`);
    expect(inv.headers.get('from')).toMatch(/anonymous/i);
    expect(inv.headers.get('p-asserted-identity')).toContain('02166667777');
    expect(inv.headers.get('privacy')).toBe('id');
    cleanSipp(r);
    cleanSipp(br);
  });

  it('carrier A fails (503): the call goes out through carrier B', async () => {
    const a = await carrier(CARRIER_A, ports.a, refuses(503, 'Service Unavailable'));
    const b = await carrier(CARRIER_B, ports.b, answers());
    const r = await (await call('8001', ['913900139000'])).done;
    expect(r.logs, describeRun(r)).toContain('OUTCOME 200 913900139000');
    const [ar, br] = await Promise.all([a.done, b.done]);
    expect(requestUris(ar.messages, 'INVITE')).toEqual([`sip:+8613900139000@${CARRIER_A}:${ports.a}`]);
    expect(ar.messages).toMatch(/^SIP\/2\.0 503 /m);
    expect(requestUris(br.messages, 'INVITE')).toEqual([`sip:+8613900139000@${CARRIER_B}:${ports.b}`]);
    for (const x of [r, ar, br]) cleanSipp(x);
  });

  it('busy (486) and a wrong number (404) do not fail over: the seat hears busy / not in service', async () => {
    const a = await carrier(CARRIER_A, ports.a, refuses(486, 'Busy Here'));
    const b = await carrier(CARRIER_B, ports.b, answers());
    const r1 = await (await call('8001', ['913700137000'])).done;
    expect(r1.logs, describeRun(r1)).toContain('OUTCOME 486 913700137000');
    const ar = await a.done;
    expect(ar.messages).toMatch(/^SIP\/2\.0 486 /m);

    const a2 = await carrier(CARRIER_A, ports.a, refuses(404, 'Not Found'));
    const r2 = await (await call('8001', ['913600136000'])).done;
    expect(r2.logs, describeRun(r2)).toContain('OUTCOME 404 913600136000');
    expect(r2.messages).toMatch(/SIP\/2\.0 183 [\s\S]*SIP\/2\.0 404 /); // "not in service" as early media
    const a2r = await a2.done;
    // Carrier B never saw either call.
    const br = await b.stop();
    expect(requestUris(br.messages, 'INVITE')).toEqual([]);
    for (const x of [r1, r2, ar, a2r, br]) cleanSipp(x);
  });

  it('a trunk at its channel limit is skipped: the second call goes to carrier B', async () => {
    const a = await carrier(CARRIER_A, ports.a, answers());
    const b = await carrier(CARRIER_B, ports.b, answers());
    // Call 1 holds carrier A's only channel while call 2 is made.
    const first = await call('8001', ['913800138001'], 8000);
    await a.waitForMessage(/^ACK sip:/m);
    const second = await (await call('8002', ['913800138002'])).done;
    expect(second.logs, describeRun(second)).toContain('OUTCOME 200 913800138002');
    const br = await b.done;
    expect(requestUris(br.messages, 'INVITE')).toEqual([`sip:+8613800138002@${CARRIER_B}:${ports.b}`]);
    // End call 1 from the PBX side: both its SIPp ends get a BYE and finish cleanly.
    const chans = (await pbx.ami.listAction('CoreShowChannels')).events.filter((e) => e.event === 'CoreShowChannel');
    const seatLeg = chans.find((c) => c.get('Channel')!.startsWith('PJSIP/8001-'));
    expect(seatLeg).toBeDefined();
    await pbx.ami.action('Hangup', { Channel: seatLeg!.get('Channel')! });
    const firstRun = await first.done;
    expect(firstRun.code, describeRun(firstRun)).toBe(0);
    const ar = await a.done;
    expect(requestUris(ar.messages, 'INVITE')).toEqual([`sip:+8613800138001@${CARRIER_A}:${ports.a}`]);
    for (const x of [second, br, firstRun, ar]) cleanSipp(x);
  });

  it('emergency 110 (with or without prefix) goes first to the first working trunk, number presented', async () => {
    const a = await carrier(CARRIER_A, ports.a, refuses(503, 'Service Unavailable'));
    const b = await carrier(CARRIER_B, ports.b, answers());
    const r = await (await call('8001', ['9110'])).done;
    expect(r.logs, describeRun(r)).toContain('OUTCOME 200 9110');
    const [ar, br] = await Promise.all([a.done, b.done]);
    expect(requestUris(ar.messages, 'INVITE')).toEqual([`sip:110@${CARRIER_A}:${ports.a}`]);
    const inv = firstInvite(br.messages);
    expect(inv.uri).toBe(`sip:110@${CARRIER_B}:${ports.b}`);
    // Carrier B withholds caller ID normally, but not for an emergency call.
    expect(inv.headers.get('from')).toContain('02166667777');
    for (const x of [r, ar, br]) cleanSipp(x);
  });

  it('inbound: a DID routed to a seat rings it; an unknown DID hears "not in service" and gets 404', async () => {
    const phone = await startSipp({
      label: 'phone-8003',
      scenario: scenario('seat-phone.xml', { HOLD_MS: 15_000 }),
      outOfCallScenario: answers(),
      csv: csvFile([['8003', cred('8003')]]),
      remote: remote(),
      calls: 1,
      autoAnswer: true,
      timeoutSeconds: 25,
    });
    await phone.waitForMessage(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/m);
    const inbound = await startSipp({
      label: 'inbound',
      scenario: scenario('carrier-call.xml', { TALK_MS: 1000 }),
      csv: csvFile([
        ['13812345678', '-', '01088886666'],
        ['13812345678', '-', '01099990000'],
      ]),
      // From carrier B (10 channels): carrier A's single channel would refuse the second call.
      localIp: CARRIER_B,
      localPort: ports.b,
      remote: remote(),
      calls: 2,
      limit: 2,
      timeoutSeconds: 30,
    });
    const r = await inbound.done;
    expect(r.logs, describeRun(r)).toContain('OUTCOME 200 01088886666');
    expect(r.logs).toContain('OUTCOME 404 01099990000');
    await phone.waitForMessage(/^BYE sip:/m);
    const pr = await phone.stop();
    const inv = firstInvite(pr.messages);
    expect(inv.uri).toMatch(/^sip:8003@127\.0\.0\.1:/);
    expect(inv.headers.get('from')).toContain('13812345678');
    for (const x of [r, pr]) cleanSipp(x);
  });

  it('registration trunks: Registered after the carrier challenges and accepts, Rejected on 403', async () => {
    const ok = await carrier(REGISTRAR_OK, ports.ok, scenario('registrar.xml', { USER: 'box01', PASSWORD: 'carrier-pw-1' }), 1, 'registrar');
    const no = await carrier(REGISTRAR_403, ports.forbidden, scenario('registrar-forbidden.xml'), 1, 'registrar-403');
    const regTrunk = (id: string, host: string, port: number, password: string): PbxSipTrunk =>
      defaultSipTrunk(id, host, {
        port,
        qualifySeconds: 0,
        auth: { username: 'box01', secret: password },
        registration: { expirationSeconds: 3600, retrySeconds: 60 },
      });
    const m = model(pbx.model, 'sipp-trunks-2');
    m.trunks = [...trunks(), regTrunk('carrierR', REGISTRAR_OK, ports.ok, 'carrier-pw-1'), regTrunk('carrierF', REGISTRAR_403, ports.forbidden, 'whatever-pw')];
    const res = await pbx.cfg.apply(m);
    expect(res).toMatchObject({ ok: true });
    const status = async () => {
      const r = await pbx.ami.listAction('PJSIPShowRegistrationsOutbound');
      return new Map(r.events.filter((e) => e.event === 'OutboundRegistrationDetail').map((e) => [e.get('ObjectName'), e.get('Status')]));
    };
    let s = await status();
    for (let i = 0; i < 200 && (s.get('carrierR-reg') !== 'Registered' || s.get('carrierF-reg') !== 'Rejected'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      s = await status();
    }
    expect(Object.fromEntries(s)).toEqual({ 'carrierR-reg': 'Registered', 'carrierF-reg': 'Rejected' });
    const okRun = await ok.done;
    expect(okRun.code, describeRun(okRun)).toBe(0);
    expect(okRun.logs).toContain('AUTH OK');
    expect(requestUris(okRun.messages, 'REGISTER')).toEqual([`sip:${REGISTRAR_OK}:${ports.ok}`, `sip:${REGISTRAR_OK}:${ports.ok}`]);
    expect(okRun.messages).toMatch(/^From: <sip:box01@/m);
    const noRun = await no.done;
    expect(noRun.messages).toMatch(/^SIP\/2\.0 403 /m);
    for (const x of [okRun, noRun]) cleanSipp(x);
  });
});
