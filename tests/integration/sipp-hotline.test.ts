// Inbound hotline on the real Asterisk 22 with SIPp: a caller on the 400 number (carrier, IP
// auth, DTMF as SIP INFO) walks the IVR with a wrong key and silence into the hotline queue;
// the agent seat (SIPp UAS) answers and hangs up; the caller rates the call (SeatBoxSurvey).
// Business hours with a fixed clock (X-SeatBox-Now, testClock): holiday closed, make-up
// Sunday open, plain Saturday closed. A queue without free agents overflows to a busy
// outbound seat, then takes a callback request (SeatBoxCallback). A supervisor listens in
// (ChanSpyStart/ChanSpyStop, SeatBoxMonitor).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { defaultEndpoint, defaultQueue, defaultSipTrunk, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { cleanSipp, csvFile, describeRun, freeUdpPortFor, scenario, startSipp, startTestPbx, stopAllSipp, type SippProcess, type TestPbx, dtmfInfoSteps, uasDtmfInfoKeys, type DtmfStep } from '../support/sipp.js';

const CARRIER = '127.0.0.2';
const DID = '4008001234';
const DID_SMALL = '4008009999';
const secret = (ext: string) => `seat-pw-${ext}`;
const cred = (ext: string) => ({ user: ext, password: secret(ext) });

/** Epoch seconds of a wall-clock time in Asia/Shanghai (UTC+8, no DST). */
const cst = (isoLocal: string) => String(Math.floor(Date.parse(`${isoLocal}+08:00`) / 1000));
const OPEN_MONDAY = cst('2026-11-23T10:00:00');
const HOLIDAY = cst('2026-10-01T10:00:00');
const MAKEUP_SUNDAY = cst('2026-09-27T10:00:00');
const SATURDAY = cst('2026-11-21T10:00:00');

let pbx: TestPbx;
let carrierPort: number;
const events: AmiMessage[] = [];

function model(build: TestPbx['model']): PbxModel {
  const base = build({
    revision: 'sipp-hotline-1',
    endpoints: ['8001', '8002', '8003', '8004'].map((e) => defaultEndpoint(e, secret(e))),
    trunks: [defaultSipTrunk('carrier', CARRIER, { port: carrierPort, qualifySeconds: 0, maxChannels: 10, dtmfMode: 'info' })],
    queues: [
      defaultQueue('hotline', { strategy: 'linear', timeout: 10, members: [{ endpoint: '8001', penalty: 0 }, { endpoint: '8002', penalty: 1 }], survey: true, maxWaitSeconds: 30 }),
      defaultQueue('ring', { strategy: 'ringall', timeout: 10, members: [{ endpoint: '8001', penalty: 0 }, { endpoint: '8002', penalty: 0 }] }),
      defaultQueue('least', { strategy: 'leastrecent', timeout: 10, members: [{ endpoint: '8001', penalty: 0 }, { endpoint: '8002', penalty: 0 }] }),
      defaultQueue('busyq', { strategy: 'linear', timeout: 10, members: [{ endpoint: '8002', penalty: 0 }], overflow: { whenNoAgentFree: true, seats: ['8003'], thenAfterSeconds: 10, final: 'hangup' } }),
      defaultQueue('sales', { strategy: 'ringall', members: [], overflow: { whenNoAgentFree: true, seats: ['8003'], thenAfterSeconds: 10, final: 'callback' } }),
    ],
  });
  return {
    ...base,
    ivrs: [
      {
        id: 'main',
        entryMenu: 'root',
        menus: [
          {
            id: 'root',
            prompt: 'beep',
            invalidPrompt: 'beep',
            timeoutSeconds: 2,
            maxRetries: 3,
            options: [
              { digit: '1', destination: { kind: 'queue', target: 'hotline' } },
              { digit: '2', destination: { kind: 'queue', target: 'sales' } },
              { digit: '3', destination: { kind: 'queue', target: 'ring' } },
              { digit: '4', destination: { kind: 'queue', target: 'least' } },
              { digit: '5', destination: { kind: 'queue', target: 'busyq' } },
            ],
            fallback: { kind: 'hangup' },
          },
        ],
      },
    ],
    businessHours: {
      timeZone: 'Asia/Shanghai',
      weekly: [{ days: [1, 2, 3, 4, 5], open: '09:00', close: '18:00' }],
      holidays: ['2026-10-01'],
      makeupWorkdays: ['2026-09-27'],
      makeupHours: { open: '09:00', close: '17:00' },
      closedPrompt: 'beep',
      closedDestination: { kind: 'hangup' },
      testClock: true,
    },
    survey: { enabled: true, prompt: 'beep', timeoutSeconds: 5 },
    hotlines: [
      { id: 'h400', dids: [DID], ivr: 'main', maxConcurrent: 8, faxDetect: false, useBusinessHours: true },
      // one call at a time: the second simultaneous caller is refused busy
      { id: 'small', dids: [DID_SMALL], ivr: 'main', maxConcurrent: 1, faxDetect: false, useBusinessHours: false },
    ],
    monitoring: { enabled: true, supervisorSeats: ['8004'] },
  };
}

beforeAll(async () => {
  carrierPort = await freeUdpPortFor(CARRIER);
  pbx = await startTestPbx((build) => model(build));
  pbx.ami.on('event', (e) => events.push(e));
}, 120_000);

afterAll(async () => {
  await stopAllSipp();
  await pbx?.stop();
});

const remote = () => `127.0.0.1:${pbx.sipPort}`;


function caller(label: string, rows: string[][], list: DtmfStep[], talkMs: number): Promise<SippProcess> {
  return startSipp({
    label,
    scenario: scenario('hotline-caller.xml', { STEPS: dtmfInfoSteps(list), TALK_MS: talkMs }),
    csv: csvFile(rows),
    localIp: CARRIER,
    localPort: carrierPort,
    remote: remote(),
    calls: rows.length,
    limit: 1,
    timeoutSeconds: 40,
  });
}

/** A registered seat phone answering with `answer` (out-of-call scenario). */
async function phone(ext: string, answer: string, holdMs = 30_000): Promise<SippProcess> {
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
  await p.waitForMessage(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/m);
  return p;
}

const userEvents = (name: string, from = 0) => events.slice(from).filter((e) => e.event === 'UserEvent' && e.get('UserEvent') === name);
const newexten = (from: number, context: string) =>
  events.slice(from).filter((e) => e.event === 'Newexten' && e.get('Context') === context && e.get('Priority') === '1').map((e) => e.get('Extension'));

async function stopAllSippOf(list: SippProcess[]): Promise<void> {
  for (const p of list) cleanSipp(await p.stop());
}

async function until(what: string, pred: () => boolean, proc?: SippProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (pred()) return;
    if (proc && proc.child.exitCode !== null && !pred()) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

describe('inbound hotline with SIPp', () => {

  it('IVR: wrong key and silence are retried, 1 queues to the agent (linear: 8001), the caller scores 4 after the agent hangs up', async () => {
    const agent = await phone('8001', scenario('uas-answer-hangup.xml', { RING_MS: 300, TALK_MS: 1500 }));
    const from = events.length;
    const c = await caller(
      'ivr',
      [['13812345678', OPEN_MONDAY, DID]],
      [{ pause: 800 }, { dtmf: '7' }, { pause: 6500 }, { dtmf: '1' }, { pause: 3500 }, { dtmf: '4' }],
      8000,
    );
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toContain('OUTCOME 200');
    expect(r.logs).toContain('FARBYE'); // the survey hangs up after the score
    const seen = newexten(from, 'seatbox-ivr-main-root');
    // the menu, a wrong key (i), silence (one or more t, as the prompt replays), then the queue key
    expect(seen.filter((x) => x !== 's').join(',')).toMatch(/^i(,t)+,1$/);
    expect(userEvents('SeatBoxClosed', from)).toHaveLength(0);
    const connect = events.slice(from).find((e) => e.event === 'AgentConnect');
    expect(connect?.get('Queue')).toBe('hotline');
    expect(connect?.get('Interface')).toBe('PJSIP/8001');
    const survey = userEvents('SeatBoxSurvey', from);
    expect(survey).toHaveLength(1);
    expect(survey[0]!.get('Score')).toBe('4');
    expect(survey[0]!.get('Queue')).toBe('hotline');
    expect(survey[0]!.get('Linkedid')).toBe(connect?.get('Linkedid'));
    const ar = await agent.stop();
    expect(ar.logs).toContain('ANSWERED 8001');
    expect(ar.logs).toContain('AGENTBYE');
    cleanSipp(r);
    cleanSipp(ar);
  }, 45_000);

  it('business hours with a fixed clock: holiday closed, make-up Sunday open, Saturday closed', async () => {
    const from = events.length;
    const c = await caller(
      'hours',
      [
        ['13900000001', HOLIDAY, DID],
        ['13900000002', MAKEUP_SUNDAY, DID],
        ['13900000003', SATURDAY, DID],
      ],
      [],
      1200,
    );
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    const closed = userEvents('SeatBoxClosed', from).map((e) => e.get('CallerId'));
    expect(closed.sort()).toEqual(['13900000001', '13900000003']);
    const hot = userEvents('SeatBoxHotline', from).map((e) => e.get('CallerId'));
    expect(hot.sort()).toEqual(['13900000001', '13900000002', '13900000003']);
    // only the make-up day reached the IVR
    const ivrChans = new Set(events.slice(from).filter((e) => e.event === 'Newexten' && e.get('Context') === 'seatbox-ivr-main-root').map((e) => e.get('CallerIDNum')));
    expect([...ivrChans]).toEqual(['13900000002']);
    cleanSipp(r);
  }, 30_000);

  it('no agent free: overflow to the busy outbound seat 8003, then a callback request for the caller ID', async () => {
    const busy = await phone('8003', scenario('uas-refuse.xml', { CODE: 486, REASON: 'Busy Here' }));
    const from = events.length;
    const c = await caller('overflow', [['13811112222', OPEN_MONDAY, DID]], [{ pause: 800 }, { dtmf: '2' }, { pause: 2500 }, { dtmf: '#' }], 8000);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toContain('FARBYE');
    const ov = userEvents('SeatBoxOverflow', from);
    expect(ov).toHaveLength(1);
    expect(ov[0]!.get('Queue')).toBe('sales');
    expect(ov[0]!.get('Reason')).toBe('JOINEMPTY');
    expect(ov[0]!.get('Seats')).toBe('8003');
    const dial = events.slice(from).find((e) => e.event === 'DialEnd' && (e.get('DestChannel') ?? '').startsWith('PJSIP/8003-'));
    expect(dial?.get('DialStatus')).toBe('BUSY');
    const cb = userEvents('SeatBoxCallback', from);
    expect(cb).toHaveLength(1);
    expect(cb[0]!.get('Number')).toBe('13811112222');
    expect(cb[0]!.get('Queue')).toBe('sales');
    expect(cb[0]!.get('Hotline')).toBe('h400');
    const br = await busy.stop();
    cleanSipp(r);
    cleanSipp(br);
  }, 30_000);

  it('a supervisor (8004) listens, whispers and barges in on the agent 8001: ChanSpyStart/ChanSpyStop and SeatBoxMonitor start/end', async () => {
    const from = events.length;
    const modes = ['listen', 'whisper', 'barge'];
    for (const [i, mode] of modes.entries()) {
      // one hotline call per mode; the session ends when the agent hangs up (ChanSpy option E)
      const agent = await phone('8001', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 2500 }));
      const sup = await phone('8004', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 20_000 }));
      const mark = events.length;
      const c = await caller(`monitored-${mode}`, [['13833334444', OPEN_MONDAY, DID]], [{ pause: 800 }, { dtmf: '1' }], 20_000);
      await until('the agent to answer', () => events.slice(mark).some((e) => e.event === 'AgentConnect'), c);
      await pbx.ami.action('Originate', { Channel: 'PJSIP/8004', Context: 'seatbox-monitor', Exten: `${mode}-8001`, Priority: '1', Async: 'true', CallerID: '8004' });
      await until(`ChanSpyStop #${i + 1}`, () => events.slice(from).filter((e) => e.event === 'ChanSpyStop').length > i);
      await until(`SeatBoxMonitor end #${i + 1}`, () => userEvents('SeatBoxMonitor', from).filter((e) => e.get('Phase') === 'end').length > i);
      const r = await c.done;
      expect(r.logs, describeRun(r)).toContain('FARBYE');
      await stopAllSippOf([agent, sup]);
      cleanSipp(r);
    }
    const other = await phone('8003', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 5000 }));
    // a seat that is not a supervisor is refused before ChanSpy
    await pbx.ami.action('Originate', { Channel: 'PJSIP/8003', Context: 'seatbox-monitor', Exten: 'listen-8001', Priority: '1', Async: 'true', CallerID: '8003' });
    await until('the refused spy to hang up', () => events.slice(from).some((e) => e.event === 'Hangup' && (e.get('Channel') ?? '').startsWith('PJSIP/8003-')));
    const starts = events.slice(from).filter((e) => e.event === 'ChanSpyStart');
    expect(starts).toHaveLength(3);
    for (const st of starts) {
      expect(st.get('SpyeeChannel')).toMatch(/^PJSIP\/8001-/);
      expect(st.get('SpyerChannel')).toMatch(/^PJSIP\/8004-/);
    }
    const spyApps = events.slice(from).filter((e) => e.event === 'Newexten' && e.get('Application') === 'ChanSpy').map((e) => e.get('AppData'));
    expect(spyApps).toEqual(['PJSIP/8001-,qE', 'PJSIP/8001-,qEw', 'PJSIP/8001-,qEB']);
    const mon = userEvents('SeatBoxMonitor', from);
    expect(mon.map((e) => [e.get('Phase'), e.get('Mode'), e.get('SpySeat'), e.get('TargetSeat')])).toEqual(
      modes.flatMap((m) => [
        ['start', m, '8004', '8001'],
        ['end', m, '8004', '8001'],
      ]),
    );
    expect(mon.every((e) => e.get('Linkedid'))).toBe(true);
    await stopAllSippOf([other]);
  }, 60_000);

  it('strategies: ringall rings 8001 and 8002 together; leastrecent alternates between them', async () => {
    const a1 = await phone('8001', scenario('uas-answer-hangup.xml', { RING_MS: 300, TALK_MS: 800 }));
    const a2 = await phone('8002', scenario('uas-answer-hangup.xml', { RING_MS: 4000, TALK_MS: 800 }));
    let from = events.length;
    const ring = await caller('ringall', [['13855550001', OPEN_MONDAY, DID]], [{ pause: 800 }, { dtmf: '3' }], 6000);
    const rr = await ring.done;
    expect(rr.code, describeRun(rr)).toBe(0);
    // both phones got the INVITE; 8001 answered first, 8002 was cancelled
    expect(a1.messagesSoFar()).toMatch(/^INVITE sip:8001@/m);
    expect(a2.messagesSoFar()).toMatch(/^INVITE sip:8002@/m);
    expect(a2.messagesSoFar()).toMatch(/^CANCEL sip:8002@/m);
    const ringConnect = events.slice(from).filter((e) => e.event === 'AgentConnect');
    expect(ringConnect.map((e) => [e.get('Queue'), e.get('Interface')])).toEqual([['ring', 'PJSIP/8001']]);
    for (const p of [a1, a2]) cleanSipp(await p.stop());

    const b1 = await phone('8001', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 800 }));
    const b2 = await phone('8002', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 800 }));
    from = events.length;
    const least = await caller(
      'leastrecent',
      [
        ['13855550002', OPEN_MONDAY, DID],
        ['13855550003', OPEN_MONDAY, DID],
      ],
      [{ pause: 800 }, { dtmf: '4' }],
      6000,
    );
    const lr = await least.done;
    expect(lr.code, describeRun(lr)).toBe(0);
    const got = events.slice(from).filter((e) => e.event === 'AgentConnect').map((e) => e.get('Interface'));
    expect(got).toHaveLength(2);
    expect(new Set(got)).toEqual(new Set(['PJSIP/8001', 'PJSIP/8002']));
    // each call offered to one agent only (not rung together)
    const invites = (p: SippProcess) => (p.messagesSoFar().match(/^INVITE sip:/gm) ?? []).length;
    expect(invites(b1) + invites(b2)).toBe(2);
    for (const p of [b1, b2]) cleanSipp(await p.stop());
    cleanSipp(rr);
    cleanSipp(lr);
  }, 40_000);

  it('concurrency limit: a second simultaneous call to a one-call hotline is refused busy (SeatBoxHotlineBusy)', async () => {
    const from = events.length;
    const c = await startSipp({
      label: 'limit',
      scenario: scenario('hotline-caller.xml', { STEPS: '', TALK_MS: 3000 }),
      csv: csvFile([
        ['13866660001', OPEN_MONDAY, DID_SMALL],
        ['13866660002', OPEN_MONDAY, DID_SMALL],
      ]),
      localIp: CARRIER,
      localPort: carrierPort,
      remote: remote(),
      calls: 2,
      limit: 2,
      rate: 10,
      timeoutSeconds: 20,
    });
    const r = await c.done;
    expect(r.logs, describeRun(r)).toMatch(/OUTCOME 200/);
    expect(r.logs).toMatch(/OUTCOME 486/);
    const busy = userEvents('SeatBoxHotlineBusy', from);
    expect(busy).toHaveLength(1);
    expect(busy[0]!.get('Hotline')).toBe('small');
    expect(busy[0]!.get('Limit')).toBe('1');
    cleanSipp(r);
  }, 30_000);

  it('transfers: the agent blind-transfers the hotline call with ##8002; AMI BlindTransfer; 8002 then talks to the caller', async () => {
    const keys = uasDtmfInfoKeys('##8002');
    const agent = await phone('8001', scenario('uas-answer-keys.xml', { RING_MS: 200, TALK_MS: 8000, KEYS_XML: keys }));
    const target = await phone('8002', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 1000 }));
    const from = events.length;
    const c = await caller('transfer', [['13877770001', OPEN_MONDAY, DID]], [{ pause: 800 }, { dtmf: '1' }], 12_000);
    // linear queue: 8001 answers; its ##8002 blind-transfers the caller to seat 8002
    await until('BlindTransfer', () => events.slice(from).some((e) => e.event === 'BlindTransfer'), c);
    const bt = events.slice(from).find((e) => e.event === 'BlindTransfer')!;
    expect(bt.get('TransfererChannel')).toMatch(/^PJSIP\/8001-/);
    expect(bt.get('Extension')).toBe('8002');
    expect(bt.get('Result')).toBe('Success');
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    const tr = await target.stop();
    expect(tr.logs).toContain('ANSWERED 8002');
    for (const p of [agent]) cleanSipp(await p.stop());
    cleanSipp(r);
    cleanSipp(tr);
  }, 40_000);

  it('the hotline seat 8002 is on a call: the caller overflows at once to the outbound seat 8003, which answers', async () => {
    const hot = await phone('8002', scenario('uas-answer-hangup.xml', { RING_MS: 100, TALK_MS: 15_000 }));
    const out = await phone('8003', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 1000 }));
    // 8001 calls 8002: the hotline seat is busy
    const busyCall = await startSipp({
      label: 'busy-call',
      scenario: scenario('uac-call.xml', { TALK_MS: 15_000 }),
      csv: csvFile([['8001', cred('8001'), '8002']]),
      remote: remote(),
      calls: 1,
      timeoutSeconds: 30,
    });
    await until('8002 to be in use', () => events.some((e) => e.event === 'DeviceStateChange' && e.get('Device') === 'PJSIP/8002' && e.get('State') === 'INUSE'), busyCall);
    const from = events.length;
    const c = await caller('busy-overflow', [['13899990000', OPEN_MONDAY, DID]], [{ pause: 800 }, { dtmf: '5' }], 8000);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    const ov = userEvents('SeatBoxOverflow', from);
    expect(ov.map((e) => [e.get('Queue'), e.get('Reason'), e.get('Seats')])).toEqual([['busyq', 'JOINEMPTY', '8003']]);
    const dial = events.slice(from).find((e) => e.event === 'DialEnd' && (e.get('DestChannel') ?? '').startsWith('PJSIP/8003-'));
    expect(dial?.get('DialStatus')).toBe('ANSWER');
    expect(events.slice(from).some((e) => e.event === 'AgentConnect')).toBe(false);
    const or = await out.stop();
    expect(or.logs).toContain('ANSWERED 8003');
    await stopAllSippOf([busyCall, hot]);
    cleanSipp(r);
    cleanSipp(or);
  }, 40_000);
});
