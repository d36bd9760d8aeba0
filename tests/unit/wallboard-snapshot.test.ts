// Wallboard snapshot from a hand-worked sequence of app_queue AMI events (fake clock), checked
// against numbers worked by hand below and against the reports' kpi.ts / kpiReport on the
// same rows; targets met/missed; coalescing of events into one frame; QueueStatus resync.
// Times are UTC; the center is Asia/Shanghai (UTC+8): 02:00Z is 10:00 local on 2026-03-02.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { LiveMessage, SeatLive } from '../../firmware-agent/src/http/schemas.js';
import { foldPending } from '../../firmware-agent/src/reports/fold.js';
import { DEFAULT_REPORT_PARAMS } from '../../firmware-agent/src/reports/kpi.js';
import { kpiReport } from '../../firmware-agent/src/reports/query.js';
import { QueueRecorder } from '../../firmware-agent/src/reports/queue-recorder.js';
import { replaceTargets } from '../../firmware-agent/src/reports/targets.js';
import { WallboardModule, type WallboardSnapshot } from '../../firmware-agent/src/reports/wallboard.js';
import { cleanupDbs, tempDb } from './agents-support.js';

const DAY = '2026-03-02';
const T = (hms: string) => `${DAY}T${hms}.000Z`;
const P = { ...DEFAULT_REPORT_PARAMS }; // SL 20 s, short abandon < 5 s

let db: Db;
let now = new Date(T('01:59:00'));
const live = new LiveFeed();
const frames: Array<{ msg: LiveMessage; roles: string[] | undefined }> = [];
live.on('message', (msg: LiveMessage, aud?: { roles?: string[] }) => frames.push({ msg, roles: aud?.roles }));
/** Fake timers: what the module scheduled, fired by hand. */
const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
const fire = () => {
  const t = timers.find((x) => !x.cleared);
  if (!t) throw new Error('no timer pending');
  t.cleared = true;
  t.fn();
};
const pending = () => timers.filter((x) => !x.cleared).length;

const seats: SeatLive[] = [
  { extension: '8001', kind: 'sip', registered: true, agent: { id: 1, number: '1001', name: '张三' }, state: 'talking', since: T('02:00:12'), pauseReason: null, wrapUpEndsAt: null, callLinkedid: 'A' },
  { extension: '8002', kind: 'sip', registered: true, agent: { id: 2, number: '1002', name: '李四' }, state: 'ready', since: T('01:50:00'), pauseReason: null, wrapUpEndsAt: null, callLinkedid: null },
  { extension: '8003', kind: 'sip', registered: true, agent: { id: 3, number: '1003', name: '王五' }, state: 'paused', since: T('01:58:00'), pauseReason: '2', wrapUpEndsAt: null, callLinkedid: null },
  { extension: '8004', kind: 'sip', registered: false, agent: null, state: 'logged_out', since: T('01:00:00'), pauseReason: null, wrapUpEndsAt: null, callLinkedid: null },
];

let rec: QueueRecorder;
let wb: WallboardModule;
const ev = (f: Record<string, string>) => new AmiMessage(Object.entries(f));
/** One AMI event at a time, to both listeners in the order main.ts subscribes them. */
const at = (hms: string, f: Record<string, string>) => {
  now = new Date(T(hms));
  const m = ev(f);
  rec.handle(m);
  wb.handleAmi(m);
};
const join = (q: string, u: string) => ({ Event: 'QueueCallerJoin', Queue: q, Uniqueid: u, Linkedid: u, Position: '1' });
const last = (): WallboardSnapshot => {
  const f = [...frames].reverse().find((x) => x.msg.type === 'wallboard.update');
  if (!f || f.msg.type !== 'wallboard.update') throw new Error('no frame');
  return f.msg.data;
};

beforeAll(async () => {
  db = tempDb();
  db.prepare("INSERT INTO agents (id, number, name, team) VALUES (1, '1001', '张三', '一组'), (2, '1002', '李四', '一组'), (3, '1003', '王五', NULL)").run();
  db.prepare("INSERT INTO agent_sessions (id, agent_id, seat, login_at, login_source) VALUES (1, 1, '8001', ?, 'ui')").run(T('01:00:00'));
  rec = new QueueRecorder(db, () => now);
  wb = new WallboardModule({
    db,
    live,
    params: () => P,
    seats: () => seats,
    queues: () => [{ name: 'sales', label: '销售热线' }, { name: 'service', label: '客服' }, { name: 'vip', label: 'VIP' }],
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (h) => ((h as { cleared: boolean }).cleared = true),
  });
  await wb.start();
  // Center targets: answer rate ≥ 96 %, SL ≥ 80 %, average talk ≤ 150 s, drop rate ≤ 3 %.
  replaceTargets(db, [
    { scope: 'center', scopeKey: '', metric: 'answerRate', op: 'min', value: 0.96 },
    { scope: 'center', scopeKey: '', metric: 'serviceLevel', op: 'min', value: 0.8 },
    { scope: 'center', scopeKey: '', metric: 'avgTalkSeconds', op: 'max', value: 150 },
    { scope: 'center', scopeKey: '', metric: 'dropRate', op: 'max', value: 0.03 },
  ]);
  // Campaign "春季" (cap 3 %): 4 dials today, 2 live answers, 1 connected (talk 90 s), 1 drop; one dial yesterday (not today).
  db.prepare("INSERT INTO campaigns (id, name, status, dial_mode, settings_json) VALUES (7, '春季', 'active', 'predictive', ?)").run(JSON.stringify({ dropCapPercent: 3 }));
  const dc = db.prepare('INSERT INTO dialer_calls (campaign_id, dialed_at, answered_at, connected_at, ended_at, outcome, live_answer, dropped) VALUES (7, ?, ?, ?, ?, ?, ?, ?)');
  dc.run(T('01:00:00'), T('01:00:04'), T('01:00:05'), T('01:01:35'), 'connected', 1, 0);
  dc.run(T('01:00:00'), T('01:00:06'), null, T('01:00:08'), 'dropped', 1, 1);
  dc.run(T('01:00:00'), null, null, T('01:00:26'), 'no_answer', 0, 0);
  dc.run(T('01:00:00'), null, null, T('01:00:02'), 'busy', 0, 0);
  dc.run('2026-03-01T03:00:00.000Z', T('01:00:06'), null, null, 'dropped', 1, 1); // 11:00 local on 03-01: yesterday
});
afterAll(async () => {
  await wb.stop();
  cleanupDbs();
});

describe('wallboard snapshot from AMI events', () => {
  it('callers waiting and the longest wait', () => {
    at('02:00:00', join('sales', 'A'));
    at('02:00:05', join('sales', 'B'));
    at('02:00:08', join('service', 'C'));
    now = new Date(T('02:00:10'));
    const s = wb.snapshot();
    const sales = s.queues.find((q) => q.name === 'sales')!;
    expect([sales.label, sales.waiting, sales.oldestSince]).toEqual(['销售热线', 2, T('02:00:00')]);
    expect(s.queues.find((q) => q.name === 'service')!.waiting).toBe(1);
    // A configured queue with nobody today still shows.
    expect(s.queues.find((q) => q.name === 'vip')).toMatchObject({ waiting: 0, oldestSince: null, today: { offered: 0, answerRate: null } });
    expect([s.center.waiting, s.center.oldestSince]).toEqual([3, T('02:00:00')]);
    expect(s.day).toBe(DAY);
  });

  it("today's figures: worked by hand, and equal to the reports on the same rows", () => {
    // A: answered after 12 s (in SL), talks 60 s. B: abandons after 10 s (long). D: abandons after 2 s (short).
    at('02:00:12', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'A' });
    at('02:00:12', { Event: 'AgentConnect', Queue: 'sales', Uniqueid: 'A', Linkedid: 'A', Interface: 'PJSIP/8001', RingTime: '3' });
    at('02:00:15', { Event: 'QueueCallerAbandon', Queue: 'sales', Uniqueid: 'B' });
    at('02:00:15', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'B' });
    at('02:00:15', { Event: 'Hangup', Uniqueid: 'B' });
    // C (service): answered after 25 s (outside SL), talks 60 s.
    at('02:00:33', { Event: 'QueueCallerLeave', Queue: 'service', Uniqueid: 'C' });
    at('02:00:33', { Event: 'AgentConnect', Queue: 'service', Uniqueid: 'C', Linkedid: 'C', Interface: 'PJSIP/8002', RingTime: '2' });
    at('02:00:50', join('sales', 'D'));
    at('02:00:52', { Event: 'Hangup', Uniqueid: 'D' }); // hung up while waiting, no QueueCallerAbandon first
    at('02:01:12', { Event: 'AgentComplete', Queue: 'sales', Uniqueid: 'A', Reason: 'agent', TalkTime: '60' });
    at('02:01:33', { Event: 'AgentComplete', Queue: 'service', Uniqueid: 'C', Reason: 'caller', TalkTime: '60' });
    now = new Date(T('02:02:00'));
    const s = wb.snapshot();
    const sales = s.queues.find((q) => q.name === 'sales')!;
    const service = s.queues.find((q) => q.name === 'service')!;
    // sales: offered 3 (A, B, D), short abandon 1 (D) → base 2; answered 1 (A, 12 s ≤ 20 s).
    expect(sales.waiting).toBe(0);
    expect(sales.oldestSince).toBeNull();
    expect(sales.today).toEqual({ offered: 3, answered: 1, abandoned: 2, shortAbandoned: 1, timedOut: 0, answerRate: 0.5, serviceLevel: 0.5, abandonRate: 0.5, asaSeconds: 12, avgTalkSeconds: 60 });
    // service: offered 1, answered 1 after 25 s → answer rate 1, SL 0.
    expect(service.today).toEqual({ offered: 1, answered: 1, abandoned: 0, shortAbandoned: 0, timedOut: 0, answerRate: 1, serviceLevel: 0, abandonRate: 0, asaSeconds: 25, avgTalkSeconds: 60 });
    // center: offered 4, base 3, answered 2 (one in SL).
    expect([s.center.waiting, s.center.today.offered, s.center.today.answerRate, s.center.today.serviceLevel]).toEqual([0, 4, 2 / 3, 1 / 3]);

    // The reports (rollups folded from the same rows) say the same.
    foldPending(db, P, { nowMs: Date.parse('2026-03-04T00:00:00Z') });
    const rep = kpiReport(db, P, { dimension: 'queue', period: 'day', from: DAY, to: DAY }, Date.parse('2026-03-04T00:00:00Z'));
    for (const q of [sales, service]) {
      const k = rep.rows.find((r) => r.key === q.name)!.kpis;
      expect([q.today.offered, q.today.answered, q.today.abandoned, q.today.shortAbandoned, q.today.answerRate, q.today.serviceLevel, q.today.asaSeconds, q.today.avgTalkSeconds]).toEqual([
        k.offered, k.answered, k.abandoned, k.shortAbandoned, k.answerRate, k.serviceLevel, k.asaSeconds, k.avgTalkSeconds,
      ]);
    }
  });

  it('average talk leaves out a call still in conversation (the reports count it once over)', () => {
    at('02:03:00', join('sales', 'H'));
    at('02:03:04', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'H' });
    at('02:03:04', { Event: 'AgentConnect', Queue: 'sales', Uniqueid: 'H', Linkedid: 'H', Interface: 'PJSIP/8001', RingTime: '2' });
    now = new Date(T('02:04:00'));
    const sales = wb.snapshot().queues.find((q) => q.name === 'sales')!;
    // H is answered (2 of base 3) but still talking: the average stays A's 60 s, not 60/2.
    expect([sales.today.answered, sales.today.answerRate, sales.today.avgTalkSeconds]).toEqual([2, 2 / 3, 60]);
    db.prepare("DELETE FROM queue_calls WHERE uniqueid = 'H'").run(); // back to the hand-worked set
  });

  it('targets met / missed, campaigns against their drop cap, agents by team', () => {
    now = new Date(T('02:02:00'));
    const s = wb.snapshot();
    const met = (checks: Array<{ metric: string; met: boolean | null }>, m: string) => checks.find((c) => c.metric === m)?.met;
    const sales = s.queues.find((q) => q.name === 'sales')!;
    const service = s.queues.find((q) => q.name === 'service')!;
    expect([met(sales.targets, 'answerRate'), met(sales.targets, 'serviceLevel'), met(sales.targets, 'avgTalkSeconds')]).toEqual([false, false, true]);
    expect([met(service.targets, 'answerRate'), met(service.targets, 'serviceLevel')]).toEqual([true, false]);
    expect(met(s.queues.find((q) => q.name === 'vip')!.targets, 'answerRate')).toBeNull(); // no call: no verdict
    // 春季: yesterday's dial is not today's. 4 dials, 2 live answers, 1 drop → 50 % > 3 % cap.
    expect(s.campaigns).toHaveLength(1);
    expect(s.campaigns[0]).toMatchObject({ id: 7, name: '春季', dials: 4, liveAnswers: 2, connected: 1, drops: 1, dropRate: 0.5, dropCap: 0.03, dropMet: false, avgTalkSeconds: 90 });
    expect(met(s.campaigns[0]!.targets, 'dropRate')).toBe(false);
    // Agents by team (the empty seat is no agent); the team-less agent last.
    expect(s.teams.map((t) => [t.team, t.agents.map((a) => a.number), t.counts])).toEqual([
      ['一组', ['1001', '1002'], { talking: 1, ready: 1 }],
      ['', ['1003'], { paused: 1 }],
    ]);
    expect(s.teams[1]!.agents[0]).toMatchObject({ state: 'paused', since: T('01:58:00'), pauseReason: '2', seat: '8003' });
  });

  it('QueueStatus after a reconnect replaces the waiting list (Wait = seconds waited)', () => {
    now = new Date(T('02:10:00'));
    at('02:09:00', join('sales', 'E')); // known: keeps its exact entry time
    now = new Date(T('02:10:00'));
    wb.applyQueueStatus([
      ev({ Event: 'QueueParams', Queue: 'sales' }),
      ev({ Event: 'QueueEntry', Queue: 'sales', Uniqueid: 'E', Wait: '60' }),
      ev({ Event: 'QueueEntry', Queue: 'service', Uniqueid: 'F', Wait: '45' }), // joined while we were disconnected
    ]);
    const s = wb.snapshot();
    expect(s.queues.find((q) => q.name === 'sales')).toMatchObject({ waiting: 1, oldestSince: T('02:09:00') });
    expect(s.queues.find((q) => q.name === 'service')).toMatchObject({ waiting: 1, oldestSince: T('02:09:15') });
    // A caller that vanished meanwhile (left, not in QueueStatus) is gone.
    wb.applyQueueStatus([ev({ Event: 'QueueEntry', Queue: 'sales', Uniqueid: 'E', Wait: '61' })]);
    expect(wb.snapshot().center.waiting).toBe(1);
  });
});

describe('frames: coalesced, pushed after one window, never on a timer of their own', () => {
  it('many events → one timer → one frame carrying the first event', () => {
    while (pending()) fire(); // the frame the earlier events scheduled
    frames.length = 0;
    now = new Date(T('03:00:00.000'.slice(0, 8)));
    at('03:00:00', join('sales', 'G'));
    at('03:00:00', { Event: 'AgentCalled', Queue: 'sales', Uniqueid: 'G' }); // nothing the board shows
    live.publish({ type: 'seat.updated', data: seats[1]! });
    at('03:00:00', { Event: 'QueueCallerLeave', Queue: 'sales', Uniqueid: 'G' });
    expect(pending()).toBe(1);
    expect(timers.filter((x) => !x.cleared)[0]!.ms).toBe(150);
    expect(frames.filter((f) => f.msg.type === 'wallboard.update')).toHaveLength(0);
    fire();
    const wf = frames.filter((f) => f.msg.type === 'wallboard.update');
    expect(wf).toHaveLength(1);
    expect(wf[0]!.roles).toEqual(['admin', 'manager', 'team_lead']);
    expect(last().trigger).toEqual({ source: 'QueueCallerJoin', at: T('03:00:00') });
    // Our own frame does not trigger another one; nothing is pending; no timer runs idle.
    expect(pending()).toBe(0);
  });

  it('events that do not matter schedule nothing; dialer.status only when its counters move', () => {
    wb.handleAmi(ev({ Event: 'Newchannel', Uniqueid: 'X' }));
    wb.handleAmi(ev({ Event: 'Hangup', Uniqueid: 'not-waiting' }));
    live.publish({ type: 'system.status', data: {} as never });
    expect(pending()).toBe(0);
    const st = { campaignId: 7, dialsToday: 4, liveAnswersToday: 2, dropsToday: 1, connected: 1 } as never;
    live.publish({ type: 'dialer.status', data: st });
    expect(pending()).toBe(1);
    fire();
    live.publish({ type: 'dialer.status', data: st }); // same counters a second later
    expect(pending()).toBe(0);
  });

  it('with real timers the frame follows the event within the window (≤ 250 ms)', async () => {
    const real = new WallboardModule({ db, live, params: () => P, seats: () => seats });
    await real.start();
    const got = new Promise<number>((resolve) => {
      const l = (m: LiveMessage) => {
        if (m.type === 'wallboard.update' && m.data.trigger?.source === 'QueueCallerJoin' && m.data.queues.some((q) => q.name === 'rt')) {
          live.off('message', l);
          resolve(Date.now());
        }
      };
      live.on('message', l);
    });
    const t0 = Date.now();
    real.handleAmi(ev({ Event: 'QueueCallerJoin', Queue: 'rt', Uniqueid: 'R1' }));
    const latency = (await got) - t0;
    await real.stop();
    expect(latency).toBeGreaterThanOrEqual(140);
    expect(latency).toBeLessThan(250);
  });

  it("one frame at the center's midnight, without any event (the new 'today')", async () => {
    const frozen = new Date('2026-03-02T15:59:58.500Z'); // 23:59:58.5 in Asia/Shanghai
    const m = new WallboardModule({ db, live, params: () => P, now: () => frozen });
    const got = new Promise<string | undefined>((resolve) => {
      const l = (msg: LiveMessage) => {
        if (msg.type === 'wallboard.update' && msg.data.trigger?.source === 'midnight') {
          live.off('message', l);
          resolve(msg.data.trigger.source);
        }
      };
      live.on('message', l);
    });
    const t0 = Date.now();
    await m.start();
    expect(await got).toBe('midnight');
    await m.stop();
    // 1.5 s to midnight + 1 s margin + the 150 ms window.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2500);
  }, 10_000);
});
