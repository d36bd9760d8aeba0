// Rollup = detail: folding detail into half-hour/day rollups in arbitrary chunks up to an
// arbitrary watermark (the rest read from detail at query time) gives exactly the KPIs
// computed from detail alone — for every dimension and period (fast-check).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { foldPending, foldRange, readFoldState } from '../../firmware-agent/src/reports/fold.js';
import { DEFAULT_REPORT_PARAMS, type ReportParams } from '../../firmware-agent/src/reports/kpi.js';
import { DIMENSIONS, PERIODS, kpiReport } from '../../firmware-agent/src/reports/query.js';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { archiveDetail } from '../../firmware-agent/src/reports/archive.js';
import { cleanupDbs, tempDb } from './agents-support.js';
import { AFTER, DAY, seed } from './reports-support.js';

const START = Date.parse('2026-03-28T12:00:00Z'); // spans the New York / Europe DST weekend too
const SPAN_MS = 40 * 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const STATES = ['ready', 'ringing', 'talking', 'wrap_up', 'paused'] as const;

const interval = fc.record({ state: fc.constantFrom(...STATES), reason: fc.constantFrom(null, '1', '2', '3'), ms: fc.integer({ min: 0, max: 50 * 60_000 }) });
const session = fc.record({ agent: fc.integer({ min: 1, max: 3 }), gapMs: fc.integer({ min: 1000, max: 6 * 3600_000 }), intervals: fc.array(interval, { minLength: 1, maxLength: 12 }) });
const queueCall = fc.record({
  atMs: fc.integer({ min: 0, max: SPAN_MS }),
  waitMs: fc.integer({ min: 0, max: 120_000 }),
  kind: fc.constantFrom('answered', 'abandoned', 'timeout'),
  talkMs: fc.integer({ min: 0, max: 900_000 }),
  agent: fc.integer({ min: 1, max: 3 }),
  queue: fc.constantFrom('sales', 'service'),
  survey: fc.constantFrom(null, 1, 3, 4, 5),
  transfer: fc.constantFrom(null, 'Success', 'Fail'),
});
const dialerCall = fc.record({ atMs: fc.integer({ min: 0, max: SPAN_MS }), outcome: fc.constantFrom('connected', 'dropped', 'busy', 'no_answer'), agent: fc.integer({ min: 1, max: 3 }), talkMs: fc.integer({ min: 0, max: 600_000 }) });
const scenario = fc.record({
  sessions: fc.array(session, { maxLength: 8 }),
  queue: fc.array(queueCall, { maxLength: 25 }),
  dialer: fc.array(dialerCall, { maxLength: 15 }),
  tz: fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/Berlin'),
  sl: fc.constantFrom(10, 20, 30),
  short: fc.constantFrom(0, 5, 10),
  cuts: fc.array(fc.integer({ min: 0, max: 90 }), { maxLength: 4 }), // half-hours after START-6h
  watermark: fc.integer({ min: 0, max: 100 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function load(db: Db, s: Scenario): void {
  const agent = db.prepare("INSERT INTO agents (id, number, name, team, created_at) VALUES (?, ?, ?, ?, '2025-01-01T00:00:00.000Z')");
  agent.run(1, '1001', 'A1', 'A');
  agent.run(2, '1002', 'A2', 'A');
  agent.run(3, '1003', 'A3', null);
  db.prepare("INSERT INTO campaigns (id, name) VALUES (1, 'C1')").run();
  const ses = db.prepare("INSERT INTO agent_sessions (agent_id, seat, login_at, logout_at, login_source) VALUES (?, ?, ?, ?, 'ui')");
  const st = db.prepare('INSERT INTO agent_state_history (agent_id, session_id, seat, state, reason, linkedid, start_at, end_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const cursor = new Map<number, number>([[1, START], [2, START], [3, START]]);
  let wraps = 0;
  for (const x of s.sessions) {
    const seat = `800${x.agent}`;
    let t = cursor.get(x.agent)! + x.gapMs;
    const login = t;
    const sid = Number(ses.run(x.agent, seat, iso(login), iso(login + x.intervals.reduce((a, i) => a + i.ms, 0))).lastInsertRowid);
    for (const i of x.intervals) {
      // Wrap-ups name a queue call (counted for its queue when the same agent answered it).
      const linkedid = i.state === 'wrap_up' && s.queue.length ? `q${wraps++ % s.queue.length}` : null;
      st.run(x.agent, sid, seat, i.state, i.state === 'paused' ? i.reason : null, linkedid, iso(t), iso(t + i.ms));
      t += i.ms;
    }
    cursor.set(x.agent, t);
  }
  const qc = db.prepare('INSERT INTO queue_calls (linkedid, uniqueid, queue, entered_at, answered_at, agent_id, team, ring_ms, left_at, ended_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  s.queue.forEach((q, n) => {
    const at = START + q.atMs;
    const id = `q${n}`;
    const left = at + q.waitMs;
    if (q.kind === 'answered') qc.run(id, id, q.queue, iso(at), iso(left), q.agent, q.agent === 3 ? null : 'A', 2000, iso(left), iso(left + q.talkMs), 'answered');
    else qc.run(id, id, q.queue, iso(at), null, null, null, null, iso(left), iso(left + 1000), q.kind);
    if (q.survey) db.prepare('INSERT INTO call_surveys (linkedid, score, at) VALUES (?, ?, ?)').run(id, q.survey, iso(left + q.talkMs + 5000));
    if (q.transfer) db.prepare('INSERT INTO call_transfers (linkedid, kind, result, transferer, at) VALUES (?, ?, ?, ?, ?)').run(id, 'blind', q.transfer, `PJSIP/800${q.agent}-0001`, iso(left + 1000));
  });
  const dc = db.prepare('INSERT INTO dialer_calls (campaign_id, dialed_at, connected_at, ended_at, outcome, live_answer, dropped, agent_id) VALUES (1, ?, ?, ?, ?, ?, ?, ?)');
  for (const d of s.dialer) {
    const at = START + d.atMs;
    const conn = d.outcome === 'connected';
    dc.run(iso(at), conn ? iso(at + 5000) : null, iso(at + 5000 + (conn ? d.talkMs : 0)), d.outcome, conn || d.outcome === 'dropped' ? 1 : 0, d.outcome === 'dropped' ? 1 : 0, conn ? d.agent : null);
  }
}

const NOW = START + 4 * 86_400_000;
const FROM = '2026-03-27';
const TO = '2026-03-31';

function allReports(db: Db, p: ReportParams) {
  const out: unknown[] = [];
  for (const dimension of DIMENSIONS) for (const period of PERIODS) out.push(kpiReport(db, p, { dimension, period, from: FROM, to: TO }, NOW).rows);
  // Whole months (the month rollups) and partial ones (day rollups) in one range.
  for (const dimension of DIMENSIONS) for (const period of ['day', 'week', 'month'] as const) out.push(kpiReport(db, p, { dimension, period, from: '2026-02-15', to: '2026-04-30' }, NOW).rows);
  // Filters: the per-dimension sums (agent ids on agents) and the full rollups (agent ids on queues).
  out.push(kpiReport(db, p, { dimension: 'agent', period: 'month', from: '2026-03-01', to: '2026-03-31', agentIds: [1, 3] }, NOW).rows);
  out.push(kpiReport(db, p, { dimension: 'queue', period: 'week', from: FROM, to: TO, agentIds: [2] }, NOW).rows);
  out.push(kpiReport(db, p, { dimension: 'agent', period: 'day', from: FROM, to: TO, teams: ['A'] }, NOW).rows);
  return out;
}

afterAll(() => cleanupDbs());

describe('rollup = detail', () => {
  it('folding in any chunks up to any watermark gives the KPIs of detail alone', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const p: ReportParams = { ...DEFAULT_REPORT_PARAMS, timeZone: s.tz, serviceLevelSeconds: s.sl, shortAbandonSeconds: s.short };
        const plain = tempDb();
        load(plain, s);
        const expected = allReports(plain, p); // no fold state: everything from detail
        plain.close();

        const folded = tempDb();
        load(folded, s);
        const base = Math.floor((START - 6 * 3600_000) / 1000 / 1800) * 1800;
        const w = base + s.watermark * 1800;
        const cuts = [...new Set([base, ...s.cuts.map((c) => base + c * 1800).filter((c) => c < w), w])].sort((a, b) => a - b);
        if (cuts.length === 1) foldRange(folded, w, w, p, NOW); // watermark at the start: nothing folded, all tail
        for (let i = 0; i + 1 < cuts.length; i++) foldRange(folded, cuts[i]!, cuts[i + 1]!, p, NOW);
        expect(readFoldState(folded)?.watermark).toBe(w);
        expect(allReports(folded, p)).toEqual(expected);
        folded.close();
      }),
      { numRuns: 30 },
    );
  });

  it('an interval still open at the fold is counted up to the watermark, then completed by the next fold', () => {
    const db = tempDb();
    db.prepare("INSERT INTO agents (id, number, name, team) VALUES (1, '1001', 'A1', 'A')").run();
    db.prepare("INSERT INTO agent_sessions (id, agent_id, seat, login_at, login_source) VALUES (1, 1, '8001', '2026-03-02T02:00:00.000Z', 'ui')").run();
    db.prepare("INSERT INTO agent_state_history (agent_id, session_id, seat, state, reason, start_at) VALUES (1, 1, '8001', 'paused', '2', '2026-03-02T02:00:00.000Z')").run();
    const p = DEFAULT_REPORT_PARAMS;
    // Fold at 03:20 with a 5-minute lag: watermark 03:00, the open pause counts 02:00-03:00.
    foldPending(db, p, { nowMs: Date.parse('2026-03-02T03:20:00Z'), lagSeconds: 300 });
    expect(readFoldState(db)?.watermark).toBe(Date.parse('2026-03-02T03:00:00Z') / 1000);
    const at = (now: string) => kpiReport(db, p, { dimension: 'agent', period: 'day', from: '2026-03-02', to: '2026-03-02' }, Date.parse(now)).rows[0]!.kpis;
    // At 03:20 the report is 3600 s from the rollup + 1200 s of the tail (open up to now).
    expect(at('2026-03-02T03:20:00Z').pausedSeconds).toBe(4800);
    // The pause ends at 03:40; the next fold (04:10 → watermark 04:00) completes it.
    db.prepare("UPDATE agent_state_history SET end_at = '2026-03-02T03:40:00.000Z'").run();
    db.prepare("UPDATE agent_sessions SET logout_at = '2026-03-02T03:40:00.000Z'").run();
    foldPending(db, p, { nowMs: Date.parse('2026-03-02T04:10:00Z'), lagSeconds: 300 });
    expect(at('2026-03-02T05:00:00Z').pausedSeconds).toBe(6000);
    expect(at('2026-03-02T05:00:00Z').pauses).toBe(1);
    expect((db.prepare("SELECT SUM(ms) AS ms FROM rollup_states_day WHERE state = 'paused'").get() as { ms: number }).ms).toBe(6_000_000);
    db.close();
  });

  it('folding one chunk at a time (the background fold) ends where one pass ends', () => {
    const a = tempDb();
    const b = tempDb();
    seed(a);
    seed(b);
    foldPending(a, DEFAULT_REPORT_PARAMS, { nowMs: AFTER });
    const first = foldPending(b, DEFAULT_REPORT_PARAMS, { nowMs: AFTER, maxChunks: 1, chunkSeconds: 6 * 3600 });
    expect(first.done).toBe(false);
    let turns = 1;
    while (!foldPending(b, DEFAULT_REPORT_PARAMS, { nowMs: AFTER, maxChunks: 1, chunkSeconds: 6 * 3600 }).done) turns++;
    expect(turns).toBeGreaterThan(3);
    expect(readFoldState(b)?.watermark).toBe(readFoldState(a)?.watermark);
    const dump = (d: Db) => [d.prepare('SELECT * FROM rollup_calls_day ORDER BY 1, 2, 3, 4, 5').all(), d.prepare('SELECT * FROM rollup_states_day ORDER BY 1, 2, 3, 4, 5').all()];
    expect(dump(b)).toEqual(dump(a));
    a.close();
    b.close();
  });

  it('an open queue call holds the watermark back until it ends', () => {
    const db = tempDb();
    db.prepare("INSERT INTO queue_calls (linkedid, uniqueid, queue, entered_at) VALUES ('x', 'x', 'sales', '2026-03-02T02:10:00.000Z')").run();
    foldPending(db, DEFAULT_REPORT_PARAMS, { nowMs: Date.parse('2026-03-02T04:00:00Z') });
    expect(readFoldState(db)?.watermark).toBe(Date.parse('2026-03-02T02:00:00Z') / 1000);
    db.prepare("UPDATE queue_calls SET outcome = 'abandoned', left_at = '2026-03-02T02:11:00.000Z', ended_at = '2026-03-02T02:11:00.000Z'").run();
    foldPending(db, DEFAULT_REPORT_PARAMS, { nowMs: Date.parse('2026-03-02T04:00:00Z') });
    expect(readFoldState(db)?.watermark).toBe(Date.parse('2026-03-02T03:30:00Z') / 1000);
    expect((db.prepare('SELECT SUM(abandoned) AS n FROM rollup_calls_day').get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('archived detail: reports over archived periods come from the rollups, unchanged', () => {
    const db = tempDb();
    seed(db);
    const p = DEFAULT_REPORT_PARAMS;
    const all = () => DIMENSIONS.flatMap((dimension) => PERIODS.map((period) => kpiReport(db, p, { dimension, period, from: DAY, to: DAY }, AFTER).rows));
    // Not folded yet: refused (the detail would be lost to the reports).
    expect(() => archiveDetail(db, '2026-03-03T00:00:00.000Z', join(db.name, '..', 'archive.db'))).toThrow(/nothing is folded/);
    foldPending(db, p, { nowMs: AFTER });
    const before = all();
    expect(() => archiveDetail(db, '2026-03-05T00:00:00.000Z', join(db.name, '..', 'archive.db'))).toThrow(/after the rollups' watermark/);
    const file = join(db.name, '..', 'archive.db');
    const res = archiveDetail(db, '2026-03-03T00:00:00.000Z', file);
    expect([res.stateRows, res.queueRows]).toEqual([17, 5]); // A1 7 + A2 5 + A3 4 + A4 1 intervals; q1..q5
    expect(db.prepare('SELECT COUNT(*) AS n FROM agent_state_history').get()).toEqual({ n: 0 });
    const arch = new Database(file, { readonly: true });
    expect(arch.prepare("SELECT COUNT(*) AS n FROM agent_state_history").get()).toEqual({ n: 17 });
    arch.close();
    expect(all()).toEqual(before);
    // A settings change rebuilds from detail, but never over the archived periods.
    foldPending(db, { ...p, serviceLevelSeconds: 30 }, { nowMs: AFTER });
    expect(all()).toEqual(before);
    expect(() => foldRange(db, Date.parse('2026-03-02T00:00:00Z') / 1000, Date.parse('2026-03-03T00:00:00Z') / 1000, p, AFTER)).toThrow(/archived/);
    db.close();
  });
});
