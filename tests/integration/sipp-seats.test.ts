// Seats on the real Asterisk 22 with SIPp phones: 48 seats register with digest auth; a seat
// calls another seat and both legs carry SEATBOX_SEAT; busy and unavailable seats end the
// call as a phone expects (486 / 480); the agent feature codes check the PIN in AstDB and
// report login / pause / ready / logout as AMI UserEvents.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { defaultEndpoint } from '../../firmware-agent/src/pbx-config/model.js';
import { cleanSipp, csvFile, describeRun, requestUris, scenario, startSipp, startTestPbx, stopAllSipp, type TestPbx } from '../support/sipp.js';

const SEATS = 48;
const secret = (ext: string) => `seat-pw-${ext}`;
const seat = (ext: string) => defaultEndpoint(ext, secret(ext));
const cred = (ext: string, password = secret(ext)) => ({ user: ext, password });

let pbx: TestPbx;
const events: AmiMessage[] = [];

beforeAll(async () => {
  pbx = await startTestPbx((model) =>
    model({
      revision: 'sipp-seats-1',
      // 8001-8048 register in the first test; 8049 never registers (unavailable).
      endpoints: [...Array.from({ length: SEATS }, (_, i) => seat(String(8001 + i))), seat('8049')],
    }),
  );
  pbx.ami.on('event', (e) => events.push(e));
}, 120_000);

afterAll(async () => {
  await stopAllSipp();
  await pbx?.stop();
});

const remote = () => `127.0.0.1:${pbx.sipPort}`;

/** The aor of a ContactList event ("8001;@<hash>"). */
const aorOf = (c: AmiMessage) => (c.get('ObjectName') ?? '').split(';@')[0];

async function contacts(): Promise<AmiMessage[]> {
  try {
    return (await pbx.ami.listAction('PJSIPShowContacts')).events.filter((e) => e.event === 'ContactList');
  } catch (e) {
    if (/No Contacts found/i.test((e as Error).message)) return [];
    throw e;
  }
}

/** A registered phone (SIPp) that answers calls with `answer` (uas-answer.xml or a refusal). */
async function phone(ext: string, answer: string, holdMs: number) {
  const p = await startSipp({
    label: `phone-${ext}`,
    scenario: scenario('seat-phone.xml', { HOLD_MS: holdMs }),
    outOfCallScenario: answer,
    csv: csvFile([[ext, cred(ext)]]),
    remote: remote(),
    calls: 1,
    autoAnswer: true,
    timeoutSeconds: Math.ceil(holdMs / 1000) + 10,
  });
  // Registered once the scenario logged it (or the process ended: the test shows why).
  for (;;) {
    const r = await Promise.race([p.done.then(() => 'exited'), new Promise<string>((res) => setTimeout(() => res('poll'), 50))]);
    if (r === 'exited') throw new Error(`phone ${ext} ended before registering: ${describeRun(await p.done)}`);
    const regs = await contacts();
    if (regs.some((c) => aorOf(c) === ext && (c.get('Uri') ?? '').includes(`:${p.localPort}`))) return p;
  }
}

/** Calls from seat `from` (SIPp UAC) to each number; resolves with the run's outcome log. */
async function call(from: string, numbers: string[], talkMs = 1000) {
  const uac = await startSipp({
    label: `call-${from}`,
    scenario: scenario('uac-call.xml', { TALK_MS: talkMs }),
    csv: csvFile(numbers.map((n) => [from, cred(from), n])),
    remote: remote(),
    calls: numbers.length,
    limit: numbers.length,
    rate: 20,
    timeoutSeconds: 30,
  });
  return uac;
}

describe('seats with SIPp phones', () => {
  it('48 seats register with digest auth; Asterisk lists 48 contacts', async () => {
    const csv = csvFile(Array.from({ length: SEATS }, (_, i) => [String(8001 + i), cred(String(8001 + i))]));
    const reg = await startSipp({ label: 'register', scenario: scenario('register.xml'), csv, remote: remote(), calls: SEATS, rate: 50, limit: SEATS, timeoutSeconds: 30 });
    const r = await reg.done;
    expect(r.code, describeRun(r)).toBe(0);
    // every REGISTER was challenged first: 48 x (401, 200)
    expect(r.messages.match(/^SIP\/2\.0 401 /gm)).toHaveLength(SEATS);
    expect(r.messages.match(/^SIP\/2\.0 200 /gm)).toHaveLength(SEATS);
    const list = await contacts();
    const aors = new Set(list.map(aorOf));
    expect(aors.size).toBe(SEATS);
    for (let i = 0; i < SEATS; i++) expect(aors.has(String(8001 + i))).toBe(true);
    expect(aors.has('8049')).toBe(false);
    cleanSipp(r);
  });

  it('a wrong password is refused (no contact for it)', async () => {
    const reg = await startSipp({ label: 'badreg', scenario: scenario('register.xml'), csv: csvFile([['8049', cred('8049', 'wrong-password')]]), remote: remote(), calls: 1, timeoutSeconds: 15 });
    const r = await reg.done;
    expect(r.code).toBe(1); // the second REGISTER gets 401 again, not 200
    expect((await contacts()).some((c) => aorOf(c) === '8049')).toBe(false);
    cleanSipp(r);
  });

  it('seat 8001 calls seat 8002: both legs are up in Asterisk and carry SEATBOX_SEAT', async () => {
    const callee = await phone('8002', scenario('uas-answer.xml'), 15_000);
    const from = events.length;
    const uac = await call('8001', ['8002'], 2500);
    // While the call is up: two PJSIP channels, bridged, one per seat.
    let legs: AmiMessage[] = [];
    for (;;) {
      legs = (await pbx.ami.listAction('CoreShowChannels')).events.filter((e) => e.event === 'CoreShowChannel');
      if (legs.length >= 2 && legs.every((l) => l.get('ChannelStateDesc') === 'Up' && l.get('BridgeId'))) break;
      if (uac.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(legs.map((l) => l.get('Channel')!.replace(/-[0-9a-f]+$/, '')).sort()).toEqual(['PJSIP/8001', 'PJSIP/8002']);
    expect(new Set(legs.map((l) => l.get('Linkedid'))).size).toBe(1);
    expect(legs[0]!.get('BridgeId')).toBeTruthy();
    expect(legs[0]!.get('BridgeId')).toBe(legs[1]!.get('BridgeId'));
    const r = await uac.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toContain('OUTCOME 200 8002');
    // Asterisk ends the other leg too: the phone gets its BYE.
    await callee.waitForMessage(/^BYE sip:/m);
    const phoneRun = await callee.stop();
    expect(requestUris(phoneRun.messages, 'INVITE')).toHaveLength(1);
    // Every channel event of the call names its seat (manager.conf channelvars).
    // Every channel event of the call names its seat (manager.conf channelvars). Asterisk
    // publishes Newchannel before the endpoint's set_var runs: there the value is still empty,
    // and the VarSet right after it carries the seat; every later event has it.
    const seatOf = (e: AmiMessage) => e.getAll('ChanVariable').find((v) => v.startsWith('SEATBOX_SEAT='));
    for (const ext of ['8001', '8002']) {
      const mine = events.slice(from).filter((e) => (e.get('Channel') ?? '').startsWith(`PJSIP/${ext}-`));
      expect(mine[0]?.event).toBe('Newchannel');
      expect(mine.some((e) => e.event === 'VarSet' && e.get('Variable') === 'SEATBOX_SEAT' && e.get('Value') === ext)).toBe(true);
      const later = mine.slice(1).filter((e) => e.event !== 'TestEvent');
      expect(later.length).toBeGreaterThan(5);
      expect(later.filter((e) => seatOf(e) !== `SEATBOX_SEAT=${ext}`).map((e) => e.event)).toEqual([]);
      expect(later.some((e) => e.event === 'Hangup')).toBe(true);
    }
    cleanSipp(r);
    cleanSipp(phoneRun);
  });

  it('a busy seat gives busy (486); an unregistered seat gives an announcement and 480', async () => {
    const busyPhone = await phone('8003', scenario('uas-refuse.xml', { CODE: 486, REASON: 'Busy Here' }), 15_000);
    const uac = await call('8001', ['8003', '8049']);
    const r = await uac.done;
    expect(r.logs).toContain('OUTCOME 486 8003');
    expect(r.logs).toContain('OUTCOME 480 8049');
    // The unavailable seat's announcement is early media: 183 before the 480, never a 200.
    expect(r.messages).toMatch(/SIP\/2\.0 183 [\s\S]*SIP\/2\.0 480 /);
    const pr = await busyPhone.stop();
    expect(requestUris(pr.messages, 'INVITE')).toHaveLength(1);
    cleanSipp(r);
    cleanSipp(pr);
  });

  it('feature codes: PIN login checked in AstDB, pause with reason, ready, logout -> UserEvents', async () => {
    const salt = '5eed5a17';
    const pinHash = createHash('sha1').update(`${salt}4321`).digest('hex');
    await pbx.ami.action('DBPut', { Family: 'seatbox-agent', Key: '1001/salt', Val: salt });
    await pbx.ami.action('DBPut', { Family: 'seatbox-agent', Key: '1001/pin', Val: pinHash });
    const from = events.length;
    const codes = ['*21*1001*4321', '*21*1001*9999', '*21*7777*4321', '*23', '*232', '*24', '*22'];
    const uac = await call('8004', codes, 15_000);
    const r = await uac.done;
    expect(r.code, describeRun(r)).toBe(0);
    // Each code answers, plays its prompt and hangs up itself (we never send BYE).
    for (const c of codes) expect(r.logs).toContain(`OUTCOME 200 ${c}`);
    expect(r.messages.match(/^BYE /gm)).toHaveLength(codes.length);
    const ue = events
      .slice(from)
      .filter((e) => e.event === 'UserEvent' && e.get('UserEvent') === 'SeatBoxAgent')
      .map((e) => [e.get('Op'), e.get('Seat'), e.get('Agent') ?? e.get('Reason') ?? ''].join(' '))
      .sort();
    expect(ue).toEqual(
      [
        'login 8004 1001',
        'login_failed 8004 1001',
        'login_failed 8004 7777',
        'pause 8004 ',
        'pause 8004 2',
        'ready 8004 ',
        'logout 8004 ',
      ].sort(),
    );
    cleanSipp(r);
  });
});
