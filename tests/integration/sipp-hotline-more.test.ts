// More of the inbound hotline on the real Asterisk 22 with SIPp (see sipp-hotline.test.ts for
// the IVR walk, survey, hours, JOINEMPTY overflow, ringall/leastrecent/linear, limit,
// monitoring and blind transfer): the remaining queue strategies (fewestcalls, rrmemory,
// random, wrandom) and penalty tiers (skills), overflow after waiting (Reason TIMEOUT) to an
// overflow seat that answers / that does not answer (then callback), attended transfer *2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { defaultEndpoint, defaultQueue, defaultSipTrunk, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { cleanSipp, csvFile, describeRun, freeUdpPortFor, scenario, startSipp, startTestPbx, stopAllSipp, type SippProcess, type TestPbx, dtmfInfoSteps, uasDtmfInfoKeys, type DtmfStep } from '../support/sipp.js';

const CARRIER = '127.0.0.2';
const DID = '4008002345';
const secret = (ext: string) => `seat-pw-${ext}`;
const cred = (ext: string) => ({ user: ext, password: secret(ext) });

let pbx: TestPbx;
let carrierPort: number;
const events: AmiMessage[] = [];
/** When each AMI event arrived (ms). */
const arrived = new WeakMap<AmiMessage, number>();

// IVR key -> queue
const KEY = { fewest: '1', rrm: '2', rnd: '3', wrnd: '4', skills: '5', waitans: '6', waitcb: '7', atx: '8' } as const;

function model(build: TestPbx['model']): PbxModel {
  const m = (endpoint: string, penalty = 0) => ({ endpoint, penalty });
  const base = build({
    revision: 'sipp-hotline-more-1',
    endpoints: ['8001', '8002', '8003', '8004'].map((e) => defaultEndpoint(e, secret(e))),
    trunks: [defaultSipTrunk('carrier', CARRIER, { port: carrierPort, qualifySeconds: 0, maxChannels: 10, dtmfMode: 'info' })],
    queues: [
      defaultQueue('fewest', { strategy: 'fewestcalls', timeout: 10, members: [m('8001'), m('8002')] }),
      defaultQueue('rrm', { strategy: 'rrmemory', timeout: 10, members: [m('8001'), m('8002'), m('8003')] }),
      // 8003's penalty puts it in a later tier: never rung while 8001/8002 are free
      defaultQueue('rnd', { strategy: 'random', timeout: 10, members: [m('8001'), m('8002'), m('8003', 5)] }),
      defaultQueue('wrnd', { strategy: 'wrandom', timeout: 10, members: [m('8001'), m('8002', 3)] }),
      defaultQueue('skills', { strategy: 'ringall', timeout: 10, members: [m('8001'), m('8002', 1)] }),
      // members refuse (486): the caller waits afterSeconds, then the overflow seats ring
      defaultQueue('waitans', { strategy: 'linear', timeout: 2, retry: 1, members: [m('8001')], overflow: { afterSeconds: 5, whenNoAgentFree: false, seats: ['8003'], thenAfterSeconds: 5, final: 'hangup' } }),
      defaultQueue('waitcb', { strategy: 'linear', timeout: 2, retry: 1, members: [m('8001')], overflow: { afterSeconds: 5, whenNoAgentFree: false, seats: ['8004'], thenAfterSeconds: 5, final: 'callback' } }),
      defaultQueue('atx', { strategy: 'linear', timeout: 10, members: [m('8001')] }),
    ],
  });
  return {
    ...base,
    ivrs: [
      {
        id: 'more',
        entryMenu: 'root',
        menus: [
          {
            id: 'root',
            prompt: 'beep',
            invalidPrompt: 'beep',
            timeoutSeconds: 3,
            maxRetries: 2,
            options: Object.entries(KEY).map(([q, digit]) => ({ digit, destination: { kind: 'queue' as const, target: q } })),
            fallback: { kind: 'hangup' },
          },
        ],
      },
    ],
    hotlines: [{ id: 'h400b', dids: [DID], ivr: 'more', maxConcurrent: 8, faxDetect: false, useBusinessHours: false }],
  };
}

beforeAll(async () => {
  carrierPort = await freeUdpPortFor(CARRIER);
  pbx = await startTestPbx((build) => model(build));
  pbx.ami.on('event', (e) => {
    arrived.set(e, Date.now());
    events.push(e);
  });
}, 120_000);

afterAll(async () => {
  await stopAllSipp();
  await pbx?.stop();
});

const remote = () => `127.0.0.1:${pbx.sipPort}`;


/** Callers on the hotline DID; CSV row = [caller number, IVR key]; one call at a time unless `limit`. */
function callers(label: string, rows: Array<[string, string]>, list: DtmfStep[], talkMs: number, limit = 1): Promise<SippProcess> {
  return startSipp({
    label,
    scenario: scenario('hotline-caller.xml', { STEPS: dtmfInfoSteps(list), TALK_MS: talkMs }),
    csv: csvFile(rows.map(([num, key]) => [num, '0', DID, key])),
    localIp: CARRIER,
    localPort: carrierPort,
    remote: remote(),
    calls: rows.length,
    limit,
    rate: 10,
    timeoutSeconds: 40,
  });
}
const KEY_STEPS: DtmfStep[] = [{ pause: 500 }, { dtmf: '[field3]' }];

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
// The caller hangs up (CALL_MS after its key), not the agent: the out-of-call calls of one SIPp
// process share call_number, so a second agent BYE from the same phone would reuse the first
// one's Via branch and Asterisk would take it for a retransmission.
const answering = (ext: string) => phone(ext, scenario('uas-answer-hangup.xml', { RING_MS: 100, TALK_MS: 20_000 }));
const CALL_MS = 800;

const userEvents = (name: string, from = 0) => events.slice(from).filter((e) => e.event === 'UserEvent' && e.get('UserEvent') === name);
const connects = (from: number, queue: string) => events.slice(from).filter((e) => e.event === 'AgentConnect' && e.get('Queue') === queue).map((e) => e.get('Interface'));
const invites = (p: SippProcess) => (p.messagesSoFar().match(/^INVITE sip:/gm) ?? []).length;

async function stopAll(list: SippProcess[]): Promise<void> {
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

describe('inbound hotline with SIPp: more strategies, overflow after waiting, attended transfer', () => {
  it('fewestcalls: two successive calls go to the two members, one each, each offered to one member only', async () => {
    const phones = [await answering('8001'), await answering('8002')];
    const from = events.length;
    const c = await callers('fewest', [['13810000001', KEY.fewest], ['13810000002', KEY.fewest]], KEY_STEPS, CALL_MS);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    const got = connects(from, 'fewest');
    expect(got).toHaveLength(2);
    expect(new Set(got)).toEqual(new Set(['PJSIP/8001', 'PJSIP/8002']));
    expect(invites(phones[0]!) + invites(phones[1]!)).toBe(2);
    await stopAll(phones);
    cleanSipp(r);
  }, 30_000);

  it('rrmemory: successive calls go round the three members in turn, the fourth back to the first', async () => {
    const phones = [await answering('8001'), await answering('8002'), await answering('8003')];
    const from = events.length;
    const rows: Array<[string, string]> = [1, 2, 3, 4].map((i) => [`1382000000${i}`, KEY.rrm]);
    const c = await callers('rrmemory', rows, KEY_STEPS, CALL_MS);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    const got = connects(from, 'rrm');
    expect(got).toHaveLength(4);
    expect(new Set(got.slice(0, 3)).size).toBe(3);
    expect(got[3]).toBe(got[0]);
    expect(phones.map(invites).reduce((a, b) => a + b, 0)).toBe(4);
    await stopAll(phones);
    cleanSipp(r);
  }, 40_000);

  it('random / wrandom: every call reaches a member; the random member in a higher penalty tier (8003) never rings', async () => {
    const phones = [await answering('8001'), await answering('8002'), await answering('8003')];
    const from = events.length;
    const rows: Array<[string, string]> = [
      ['13830000001', KEY.rnd],
      ['13830000002', KEY.rnd],
      ['13830000003', KEY.rnd],
      ['13830000004', KEY.wrnd],
    ];
    const c = await callers('random', rows, KEY_STEPS, CALL_MS);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    const rnd = connects(from, 'rnd');
    expect(rnd).toHaveLength(3);
    for (const i of rnd) expect(['PJSIP/8001', 'PJSIP/8002']).toContain(i);
    const wrnd = connects(from, 'wrnd');
    expect(wrnd).toHaveLength(1);
    for (const i of wrnd) expect(['PJSIP/8001', 'PJSIP/8002']).toContain(i);
    expect(invites(phones[2]!)).toBe(0);
    expect(r.logs.match(/OUTCOME 200/g) ?? []).toHaveLength(4);
    await stopAll(phones);
    cleanSipp(r);
  }, 40_000);

  it('penalty skills (ringall): 8002 (penalty 1) is not rung while 8001 (penalty 0) is free; with 8001 paused, 8002 takes the call', async () => {
    const p1 = await answering('8001');
    const p2 = await answering('8002');
    let from = events.length;
    const c1 = await callers('skills-1', [['13840000001', KEY.skills]], KEY_STEPS, CALL_MS);
    const r1 = await c1.done;
    expect(r1.code, describeRun(r1)).toBe(0);
    expect(connects(from, 'skills')).toEqual(['PJSIP/8001']);
    expect(invites(p2)).toBe(0);
    const before1 = invites(p1);
    await pbx.ami.action('QueuePause', { Queue: 'skills', Interface: 'PJSIP/8001', Paused: 'true' });
    try {
      from = events.length;
      const c2 = await callers('skills-2', [['13840000002', KEY.skills]], KEY_STEPS, CALL_MS);
      const r2 = await c2.done;
      expect(r2.code, describeRun(r2)).toBe(0);
      expect(connects(from, 'skills')).toEqual(['PJSIP/8002']);
      expect(invites(p1)).toBe(before1);
      cleanSipp(r2);
    } finally {
      await pbx.ami.action('QueuePause', { Queue: 'skills', Interface: 'PJSIP/8001', Paused: 'false' });
    }
    await stopAll([p1, p2]);
    cleanSipp(r1);
  }, 30_000);

  it('overflow after waiting: the member refuses, after 5 s (TIMEOUT) overflow seat 8003 answers; on the other queue 8004 does not answer, then the callback', async () => {
    const member = await phone('8001', scenario('uas-refuse.xml', { CODE: 486, REASON: 'Busy Here' }));
    const ans = await phone('8003', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 9000 }));
    const noans = await phone('8004', scenario('uas-ring-noanswer.xml'));
    const from = events.length;
    // both calls at once; the '#' at ~12 s ends the callback Read (if it comes too early, Read times out: same result)
    const c = await callers(
      'overflow-wait',
      [
        ['13850000001', KEY.waitans],
        ['13850000002', KEY.waitcb],
      ],
      [...KEY_STEPS, { pause: 11_500 }, { dtmf: '#' }],
      15_000,
      2,
    );
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs.match(/FARBYE/g) ?? []).toHaveLength(2);
    const ov = userEvents('SeatBoxOverflow', from);
    expect(ov.map((e) => [e.get('Queue'), e.get('Reason'), e.get('Seats')]).sort()).toEqual([
      ['waitans', 'TIMEOUT', '8003'],
      ['waitcb', 'TIMEOUT', '8004'],
    ]);
    // the overflow came after the 5 s wait in the queue, not at once
    const queueJoin = events.slice(from).filter((e) => e.event === 'QueueCallerJoin');
    expect(queueJoin.map((e) => e.get('Queue')).sort()).toEqual(['waitans', 'waitcb']);
    for (const o of ov) {
      const join = queueJoin.find((e) => e.get('Queue') === o.get('Queue'))!;
      expect(arrived.get(o)! - arrived.get(join)!).toBeGreaterThanOrEqual(4500);
    }
    const ends = events.slice(from).filter((e) => e.event === 'DialEnd');
    const endOf = (seat: string) => ends.find((e) => (e.get('DestChannel') ?? '').startsWith(`PJSIP/${seat}-`))?.get('DialStatus');
    expect(endOf('8003')).toBe('ANSWER');
    expect(endOf('8004')).toBe('NOANSWER');
    expect(connects(from, 'waitans')).toEqual([]);
    expect(connects(from, 'waitcb')).toEqual([]);
    const cb = userEvents('SeatBoxCallback', from);
    expect(cb.map((e) => [e.get('Queue'), e.get('Number'), e.get('Hotline')])).toEqual([['waitcb', '13850000002', 'h400b']]);
    const ar = await ans.stop();
    expect(ar.logs).toContain('ANSWERED 8003');
    const nr = await noans.stop();
    expect(nr.logs).toContain('RINGING 8004');
    expect(nr.logs).toContain('CANCELLED');
    await stopAll([member]);
    cleanSipp(r);
    cleanSipp(ar);
    cleanSipp(nr);
  }, 40_000);
  it('attended transfer: the agent keys *2 8002 (SIP INFO), 8002 answers, the agent hangs up: AMI AttendedTransfer; the caller then talks to 8002', async () => {
    const keys = uasDtmfInfoKeys('*28002');
    // after its keys the agent talks to 8002 (consultation) and hangs up 2 s after the last message
    // (before 8002 does): that completes the transfer
    const agent = await phone('8001', scenario('uas-answer-keys-reinvite.xml', { RING_MS: 200, TALK_MS: 2000, KEYS_XML: keys }));
    // the target gets a connected-line re-INVITE too: it takes it and hangs up 3 s after the last message
    const target = await phone('8002', scenario('uas-answer-keys-reinvite.xml', { RING_MS: 200, TALK_MS: 3000, KEYS_XML: '' }));
    const from = events.length;
    const c = await callers('atxfer', [['13860000001', KEY.atx]], KEY_STEPS, 12_000);
    await until('AttendedTransfer', () => events.slice(from).some((e) => e.event === 'AttendedTransfer'), c);
    const at = events.slice(from).find((e) => e.event === 'AttendedTransfer')!;
    expect(at.get('Result')).toBe('Success');
    expect(at.get('OrigTransfererChannel')).toMatch(/^PJSIP\/8001-/);
    expect(at.get('SecondTransfererChannel')).toMatch(/^PJSIP\/8001-/);
    expect(at.get('TransfereeChannel')).toMatch(/^PJSIP\/carrier-/);
    // the consultation call is dialled in the agent's context through a Local channel (the
    // event names it as TransferTargetChannel only for some completion paths, so look at the
    // channels that were created)
    const target8002 = at.get('TransferTargetChannel') ?? events.slice(from).find((e) => /^Local\/8002@/.test(e.get('Channel') ?? ''))?.get('Channel');
    expect(target8002).toMatch(/^Local\/8002@/);
    expect(connects(from, 'atx')).toEqual(['PJSIP/8001']);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toContain('FARBYE'); // 8002 hung up on the caller
    const tr = await target.stop();
    expect(tr.logs).toContain('ANSWERED 8002');
    expect(tr.logs).toContain('AGENTBYE');
    expect(tr.errors).not.toMatch(/Aborting call/);
    const ar = await agent.stop();
    expect(ar.logs).toContain('ANSWERED 8001');
    expect(ar.logs).toContain('AGENTBYE');
    expect(ar.errors).not.toMatch(/Aborting call/);
    cleanSipp(r);
    cleanSipp(tr);
    cleanSipp(ar);
  }, 30_000);
});
