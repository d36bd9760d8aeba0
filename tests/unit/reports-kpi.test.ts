// KPIs against a small hand-worked data set (docs/kpis.md). Every expected number below is
// worked out by hand in the comments, not by calling the code under test. Times are UTC;
// the center is Asia/Shanghai (UTC+8), so 02:00Z is 10:00 local on Monday 2026-03-02.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { foldPending, foldRange } from '../../firmware-agent/src/reports/fold.js';
import { DEFAULT_REPORT_PARAMS, classifyQueueCall, splitInterval, type ReportParams } from '../../firmware-agent/src/reports/kpi.js';
import { agentDaily, kpiReport, type KpiRow } from '../../firmware-agent/src/reports/query.js';
import { QueueRecorder } from '../../firmware-agent/src/reports/queue-recorder.js';
import { cleanupDbs, tempDb } from './agents-support.js';
import { AFTER, DAY, T, seed } from './reports-support.js'; // the data set, worked by hand in its comments

const P: ReportParams = { ...DEFAULT_REPORT_PARAMS }; // SL 20 s, short abandon < 5 s, flag < 50 %

let db: Db;

const rowOf = (rows: KpiRow[], key: string) => {
  const r = rows.find((x) => x.key === key);
  if (!r) throw new Error(`no row ${key} in ${rows.map((x) => x.key).join(',')}`);
  return r;
};

beforeAll(() => {
  db = tempDb();
  seed(db);
});
afterAll(() => cleanupDbs());

describe('queue entries recorded from AMI', () => {
  it('answered wins over a later caller hangup; short abandon; timeout', () => {
    const rows = db.prepare('SELECT linkedid, outcome, agent_id, team, answered_at, ended_at, ring_ms FROM queue_calls ORDER BY linkedid').all() as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.linkedid, r.outcome, r.agent_id])).toEqual([
      ['L1', 'answered', 1],
      ['L2', 'answered', 2],
      ['L3', 'abandoned', null],
      ['L4', 'abandoned', null],
      ['L5', 'timeout', null],
    ]);
    // Talk ends at AgentComplete / the hangup, not later.
    expect(rows[1]!.ended_at).toBe(T('02:04:30'));
    expect(rows[0]!.ring_ms).toBe(4000);
    const cls = db.prepare('SELECT * FROM queue_calls ORDER BY linkedid').all().map((r) => classifyQueueCall(r as never, P));
    expect(cls).toEqual(['answered', 'answered', 'short_abandoned', 'abandoned', 'timeout']);
  });

  it('entries whose end was missed (AMI down) are closed from the call record', () => {
    const d = tempDb();
    d.prepare("INSERT INTO calls (linkedid, direction, state, created_at, ended_at) VALUES ('X', 'inbound', 'ended', ?, ?)").run(T('05:00:00'), T('05:03:00'));
    const leg = d.prepare("INSERT INTO call_legs (uniqueid, linkedid, channel, state, created_at, hungup_at) VALUES (?, 'X', ?, 'Hungup', ?, ?)");
    const qc = d.prepare("INSERT INTO queue_calls (linkedid, uniqueid, queue, entered_at, answered_at, left_at, outcome) VALUES ('X', ?, 'sales', ?, ?, ?, ?)");
    leg.run('a', 'PJSIP/trunk-1', T('05:00:00'), T('05:03:00'));
    qc.run('a', T('05:00:00'), T('05:00:20'), T('05:00:20'), 'answered'); // answered, AgentComplete and Hangup missed
    leg.run('w', 'PJSIP/trunk-2', T('05:00:00'), T('05:01:00'));
    qc.run('w', T('05:00:05'), null, null, null); // still "waiting"
    leg.run('t', 'PJSIP/trunk-3', T('05:00:00'), T('05:02:00'));
    qc.run('t', T('05:00:05'), null, T('05:01:05'), null); // left the queue unanswered
    qc.run('open', T('05:00:05'), null, null, null); // no call record: stays open
    const rec = new QueueRecorder(d, () => new Date(T('06:00:00')));
    expect(rec.closeFromCallRecords()).toBe(3);
    expect(d.prepare('SELECT uniqueid, outcome, left_at, ended_at FROM queue_calls ORDER BY id').all()).toEqual([
      { uniqueid: 'a', outcome: 'answered', left_at: T('05:00:20'), ended_at: T('05:03:00') },
      { uniqueid: 'w', outcome: 'abandoned', left_at: T('05:01:00'), ended_at: T('05:01:00') },
      { uniqueid: 't', outcome: 'timeout', left_at: T('05:01:05'), ended_at: T('05:02:00') },
      { uniqueid: 'open', outcome: null, left_at: null, ended_at: null },
    ]);
    expect(rec.closeFromCallRecords()).toBe(0);
  });

  it('an answered row stays answered even if its outcome text says abandoned', () => {
    expect(classifyQueueCall({ entered_at: T('02:00:00'), answered_at: T('02:00:10'), left_at: T('02:00:10'), ended_at: T('02:01:00'), outcome: 'abandoned', ring_ms: 1 }, P)).toBe('answered');
  });
});

describe('KPIs from detail and from rollups (hand-worked)', () => {
  // Run every check twice: before any fold (all from detail: the "tail"), and after folding.
  for (const mode of ['detail', 'rollups'] as const) {
    describe(mode, () => {
      beforeAll(() => {
        if (mode === 'rollups') {
          foldPending(db, P, { nowMs: AFTER });
          expect((db.prepare('SELECT COUNT(*) AS n FROM rollup_states_day').get() as { n: number }).n).toBeGreaterThan(0);
        }
      });

      it('queue "sales": answer rate, SL, abandon rate, ASA, talk, ring, satisfaction', () => {
        const r = kpiReport(db, P, { dimension: 'queue', period: 'day', from: DAY, to: DAY }, AFTER);
        expect(r.rows).toHaveLength(1);
        const k = rowOf(r.rows, 'sales').kpis;
        // offered 5 = q1..q5; answered 2; abandons 2 of which 1 short; 1 timed out.
        expect([k.offered, k.answered, k.abandoned, k.shortAbandoned, k.timedOut]).toEqual([5, 2, 2, 1, 1]);
        // base = offered − short abandons = 4
        expect(k.answerRate).toBeCloseTo(2 / 4, 10); // 0.5
        expect(k.serviceLevel).toBeCloseTo(1 / 4, 10); // only q1 (10 s ≤ 20 s)
        expect(k.abandonRate).toBeCloseTo(1 / 4, 10); // q4 only (q3 is short)
        expect(k.asaSeconds).toBeCloseTo((10 + 30) / 2, 10); // 20
        expect(k.avgTalkSeconds).toBeCloseTo((120 + 180) / 2, 10); // 150 (queue: from the calls)
        expect(k.avgRingSeconds).toBeCloseTo((4 + 6) / 2, 10); // 5
        expect(k.avgWrapSeconds).toBeCloseTo((15 + 30) / 2, 10); // the agents' wrap-ups of L1 and L2
        expect(k.ahtSeconds).toBeCloseTo(150 + 22.5, 10);
        expect(k.satisfactionRate).toBeCloseTo(1 / 2, 10); // scores 5 and 3
        expect(k.transferRate).toBeCloseTo(1 / 2, 10); // Fail + Success
        expect(k.conversations).toBeNull(); // no agent time on a queue row
      });

      it('agents: talk, ring, wrap-up, pauses per reason, occupancy, utilisation', () => {
        const r = kpiReport(db, P, { dimension: 'agent', period: 'day', from: DAY, to: DAY }, AFTER);
        const a1 = rowOf(r.rows, '1');
        expect(a1.label).toBe('1001 Li Lei');
        const k = a1.kpis;
        expect(k.loginSeconds).toBe(2100);
        expect(k.readySeconds).toBe(906); // 306 + 600
        expect([k.ringSeconds, k.talkSeconds, k.wrapSeconds]).toEqual([4, 120, 15]);
        // Two adjacent pauses with different reasons: two pauses, time per reason.
        expect(k.pausedSeconds).toBe(1055);
        expect(k.pauses).toBe(2);
        expect(k.pauseSecondsByReason).toEqual({ '1': 455, '2': 600 });
        expect(k.conversations).toBe(1);
        expect(k.ahtSeconds).toBe(135); // 120 + 15
        // occupancy = (4 + 120 + 15) / (139 + 906) — wrap-up is NOT available time
        expect(k.occupancy).toBeCloseTo(139 / 1045, 10);
        expect(k.utilisation).toBeCloseTo(139 / 2100, 10);
        expect(k.transfers).toBe(1); // the failed one
        expect(k.transferRate).toBe(0);
        expect(k.satisfactionRate).toBe(1);
        expect([k.answered, k.asaSeconds]).toEqual([1, 10]);

        expect([k.registrations, k.complaints]).toEqual([1, 0]);
        const k2 = rowOf(r.rows, '2').kpis;
        expect([k2.registrations, k2.complaints]).toEqual([0, 1]);
        // occupancy = (6 + 180 + 30) / (216 + 384) = 0.36 (with wrap-up counted as available it would be 186/600 = 0.31)
        expect(k2.occupancy).toBeCloseTo(0.36, 10);
        expect(k2.utilisation).toBeCloseTo(0.36, 10);
        expect(k2.avgTalkSeconds).toBe(180);

        const k4 = rowOf(r.rows, '4').kpis;
        expect([k4.loginSeconds, k4.pausedSeconds, k4.conversations, k4.occupancy]).toEqual([600, 600, 0, null]);
        expect(k4.utilisation).toBe(0);
      });

      it('targets against actuals: talk ≤ 150 s (over one year) / ≤ 170 s (newer)', () => {
        const r = kpiReport(db, P, { dimension: 'agent', period: 'day', from: DAY, to: DAY }, AFTER);
        const talk = (key: string) => rowOf(r.rows, key).targets.find((t) => t.metric === 'avgTalkSeconds')!;
        expect(talk('1')).toMatchObject({ target: 150, actual: 120, met: true, source: 'seniority:senior' });
        expect(talk('2')).toMatchObject({ target: 170, actual: 180, met: false, source: 'seniority:junior' });
        const sat = rowOf(r.rows, '2').targets.find((t) => t.metric === 'satisfactionRate')!;
        expect(sat).toMatchObject({ target: 0.988, actual: 0, met: false, source: 'center' });
      });

      it('teams and center', () => {
        const t = kpiReport(db, P, { dimension: 'team', period: 'day', from: DAY, to: DAY }, AFTER);
        const a = rowOf(t.rows, 'A').kpis;
        // team A = A1 + A2 + A4: busy 10 + 300 + 45 = 355, ready 906 + 384 = 1290
        expect(a.loginSeconds).toBe(3300);
        expect(a.occupancy).toBeCloseTo(355 / 1645, 10);
        expect(a.conversations).toBe(2);
        expect(a.pauseSecondsByReason).toEqual({ '1': 455, '2': 600, '3': 600 });
        const b = rowOf(t.rows, 'B').kpis;
        expect([b.talkSeconds, b.wrapSeconds, b.readySeconds, b.dials, b.connected]).toEqual([60, 15, 525, 1, 1]);

        const c = kpiReport(db, P, { dimension: 'center', period: 'month', from: DAY, to: DAY }, AFTER);
        expect(c.rows.map((x) => x.period)).toEqual(['2026-03']);
        const k = c.rows[0]!.kpis;
        expect([k.offered, k.answered, k.transfers, k.surveys, k.dials, k.liveAnswers, k.drops, k.connected]).toEqual([5, 2, 2, 2, 4, 2, 1, 1]);
        expect([k.registrations, k.complaints]).toEqual([3, 1]);
        expect(k.dropRate).toBeCloseTo(1 / 2, 10);
        expect(k.loginSeconds).toBe(2100 + 600 + 600 + 600);
      });

      it('campaign: dials, drop rate, talk', () => {
        const r = kpiReport(db, P, { dimension: 'campaign', period: 'week', from: DAY, to: DAY }, AFTER);
        const k = rowOf(r.rows, '1');
        expect(k.label).toBe('Spring');
        expect(k.period).toBe('2026-03-02'); // ISO week starts Monday
        expect([k.kpis.dials, k.kpis.liveAnswers, k.kpis.drops, k.kpis.connected, k.kpis.avgTalkSeconds, k.kpis.dropRate]).toEqual([4, 2, 1, 1, 60, 0.5]);
      });

      it('half-hours: an interval crossing 10:00 local is cut exactly', () => {
        const r = kpiReport(db, P, { dimension: 'agent', period: 'halfhour', from: DAY, to: DAY, agentIds: [1] }, AFTER);
        expect(r.rows.map((x) => [x.period, x.kpis.readySeconds])).toEqual([
          ['2026-03-02 09:30', 300], // 01:55-02:00Z
          ['2026-03-02 10:00', 606], // 6 s + 02:20-02:30Z
        ]);
        expect(r.rows.reduce((a, x) => a + (x.kpis.loginSeconds ?? 0), 0)).toBe(2100);
      });

      it('conversations per agent per day against the team average, flagged below 50 %', () => {
        const r = agentDaily(db, P, { from: DAY, to: DAY }, AFTER);
        const by = Object.fromEntries(r.rows.map((x) => [x.agentId, x]));
        // team A conversations: (1 + 1 + 0) / 3; registrations (1 + 0 + 0) / 3; team B: A3 alone
        expect(by[1]!.teamAverageConversations).toBeCloseTo(2 / 3, 10);
        expect(by[1]!.shareOfTeamAverage).toBeCloseTo(1.5, 10);
        expect(by[1]!.teamAverageRegistrations).toBeCloseTo(1 / 3, 10);
        expect(by[1]!.registrationsShareOfTeamAverage).toBeCloseTo(3, 10);
        expect(by[1]!.flagged).toBe(false);
        // A2 talks as much as the team average (share 1.5) but registered nothing: flagged.
        expect([by[2]!.shareOfTeamAverage, by[2]!.registrations, by[2]!.registrationsShareOfTeamAverage, by[2]!.flagged]).toEqual([1.5, 0, 0, true]);
        expect(by[4]!.conversations).toBe(0);
        expect(by[4]!.flagged).toBe(true);
        expect([by[3]!.shareOfTeamAverage, by[3]!.registrations, by[3]!.registrationsShareOfTeamAverage, by[3]!.flagged]).toEqual([1, 2, 1, false]);
        expect(r.registrationsAvailable).toBe(true);
      });
    });
  }
});

describe('splitInterval', () => {
  it('cuts at half-hour edges, never merges, keeps zero-length starts', () => {
    const t0 = Date.parse('2026-03-02T01:59:00Z'); // to 03:02: 60 s + 30 min + 30 min + 120 s
    expect(splitInterval(t0, t0 + 63 * 60_000).map(([b, ms, s]) => [new Date(b * 1000).toISOString().slice(11, 16), ms / 1000, s])).toEqual([
      ['01:30', 60, true],
      ['02:00', 1800, false],
      ['02:30', 1800, false],
      ['03:00', 120, false],
    ]);
    expect(splitInterval(t0, t0)).toEqual([[Math.floor(t0 / 1800_000) * 1800, 0, true]]);
  });

  it('re-folding a range gives the same rollups (idempotent)', () => {
    const before = db.prepare('SELECT * FROM rollup_states_hh ORDER BY bucket, agent_id, state, reason').all();
    const from = Math.floor(Date.parse(T('00:00:00')) / 1000);
    foldRange(db, from, from + 86_400, P, AFTER);
    expect(db.prepare('SELECT * FROM rollup_states_hh ORDER BY bucket, agent_id, state, reason').all()).toEqual(before);
  });
});
