// The fold: detail rows (queue_calls, dialer_calls, call_transfers, call_surveys,
// agent_state_history) → half-hour and day rollups up to a watermark. A range is always
// recomputed whole from detail (delete + insert), so folding twice, or re-folding after late
// rows, gives the same rollups as one pass. Reports read rollups before the watermark and
// compute the tail after it with the same computeBuckets() in memory.
import type { Db } from '../db/database.js';
import {
  CALL_MEASURES,
  addCalls,
  dialerCallMeasures,
  emptyCalls,
  queueCallMeasures,
  satisfied,
  splitInterval,
  transferOk,
  type CallMeasures,
  type DialerCallRow,
  type QueueCallRow,
  type ReportParams,
} from './kpi.js';
import { HALF_HOUR, floorHH, isoOf, localDay } from './time.js';

export interface CallCell {
  bucket: number;
  day: string;
  queue: string;
  campaign_id: number;
  agent_id: number;
  team: string;
  m: CallMeasures;
}

export interface StateCell {
  bucket: number;
  day: string;
  agent_id: number;
  team: string;
  state: string;
  reason: string;
  ms: number;
  n: number;
}

export interface BucketData {
  calls: Map<string, CallCell>;
  states: Map<string, StateCell>;
}

interface SessionRow {
  agent_id: number;
  seat: string;
  login_at: string;
  logout_at: string | null;
}

/** The seat of a channel name: PJSIP/8001-0000002a → 8001. */
export const seatOfChannel = (ch: string | null): string | null => (ch ? (/^[A-Za-z]+\/([0-9]+)(?:-|$)/.exec(ch)?.[1] ?? null) : null);

/**
 * Measures of every half-hour bucket in [fromSec, toSec) from detail. Open state intervals
 * count up to nowMs (clipped to the range).
 */
export function computeBuckets(db: Db, fromSec: number, toSec: number, p: ReportParams, nowMs = Date.now()): BucketData {
  const calls = new Map<string, CallCell>();
  const states = new Map<string, StateCell>();
  if (toSec <= fromSec) return { calls, states };
  const fromIso = isoOf(fromSec);
  const toIso = isoOf(toSec);
  const teams = new Map<number, string>();
  for (const a of db.prepare<[], { id: number; team: string | null }>('SELECT id, team FROM agents').iterate()) teams.set(a.id, a.team ?? '');
  const teamOf = (id: number | null): string => (id ? (teams.get(id) ?? '') : '');

  const cell = (sec: number, queue: string, campaign: number, agent: number, team: string): CallMeasures => {
    const bucket = floorHH(sec);
    const key = `${bucket}|${queue}|${campaign}|${agent}|${team}`;
    let c = calls.get(key);
    if (!c) {
      c = { bucket, day: localDay(bucket, p.timeZone), queue, campaign_id: campaign, agent_id: agent, team, m: emptyCalls() };
      calls.set(key, c);
    }
    return c.m;
  };
  const secOf = (iso: string) => Math.floor(Date.parse(iso) / 1000);

  // Inbound: every queue entry, in the bucket it entered.
  const qc = db.prepare<[string, string], QueueCallRow & { queue: string; agent_id: number | null; team: string | null }>(
    `SELECT entered_at, answered_at, left_at, ended_at, outcome, ring_ms, queue, agent_id, team FROM queue_calls WHERE entered_at >= ? AND entered_at < ?`,
  );
  for (const r of qc.iterate(fromIso, toIso)) {
    addCalls(cell(secOf(r.entered_at), r.queue, 0, r.agent_id ?? 0, r.agent_id ? (r.team ?? teamOf(r.agent_id)) : ''), queueCallMeasures(r, p));
  }

  // Outbound: every dialer call, in the bucket it was dialled.
  const dc = db.prepare<[string, string], DialerCallRow & { campaign_id: number; agent_id: number | null }>(
    `SELECT dialed_at, connected_at, ended_at, outcome, live_answer, dropped, campaign_id, agent_id FROM dialer_calls WHERE dialed_at >= ? AND dialed_at < ?`,
  );
  for (const r of dc.iterate(fromIso, toIso)) addCalls(cell(secOf(r.dialed_at), '', r.campaign_id, r.agent_id ?? 0, teamOf(r.agent_id)), dialerCallMeasures(r));

  // Who was at a seat when: sessions overlapping the range (also bounds the state scan below).
  const sessions = db
    .prepare<[string, string], SessionRow>('SELECT agent_id, seat, login_at, logout_at FROM agent_sessions WHERE login_at < ? AND (logout_at IS NULL OR logout_at > ?)')
    .all(toIso, fromIso);
  const agentAt = (seat: string | null, iso: string): number => {
    if (!seat) return 0;
    const s = sessions.find((x) => x.seat === seat && x.login_at <= iso && (x.logout_at === null || x.logout_at > iso));
    return s?.agent_id ?? 0;
  };
  const queueOf = db.prepare<[string], { queue: string; agent_id: number | null; team: string | null }>(
    'SELECT queue, agent_id, team FROM queue_calls WHERE linkedid = ? ORDER BY answered_at IS NULL, entered_at DESC LIMIT 1',
  );

  // Transfers: attempts and successes, in the bucket of the attempt, for the transferring agent.
  for (const t of db
    .prepare<[string, string], { linkedid: string; result: string; transferer: string | null; at: string }>('SELECT linkedid, result, transferer, at FROM call_transfers WHERE at >= ? AND at < ?')
    .iterate(fromIso, toIso)) {
    const q = queueOf.get(t.linkedid);
    const agent = agentAt(seatOfChannel(t.transferer), t.at) || (q?.agent_id ?? 0);
    addCalls(cell(secOf(t.at), q?.queue ?? '', 0, agent, teamOf(agent)), { transfers: 1, transfers_ok: transferOk(t.result) ? 1 : 0 });
  }

  // Surveys: in the bucket of the score, for the queue and agent of the call.
  for (const s of db.prepare<[string, string], { linkedid: string; score: number; at: string }>('SELECT linkedid, score, at FROM call_surveys WHERE at >= ? AND at < ?').iterate(fromIso, toIso)) {
    const q = queueOf.get(s.linkedid);
    const agent = q?.agent_id ?? 0;
    addCalls(cell(secOf(s.at), q?.queue ?? '', 0, agent, agent ? (q?.team ?? teamOf(agent)) : ''), { surveys: 1, satisfied: satisfied(s.score) ? 1 : 0 });
  }

  // Issue 8's desk records, when this build has them: registrations and complaint tickets.
  const has = (t: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
  if (has('registrations')) {
    for (const r of db
      .prepare<[string, string], { at: string; campaign_id: number; agent_id: number | null }>('SELECT at, campaign_id, agent_id FROM registrations WHERE at >= ? AND at < ?')
      .iterate(fromIso, toIso)) {
      addCalls(cell(secOf(r.at), '', r.campaign_id, r.agent_id ?? 0, teamOf(r.agent_id)), { registrations: 1 });
    }
  }
  if (has('tickets')) {
    for (const t of db
      .prepare<[string, string], { created_at: string; campaign_id: number | null; agent_id: number | null; team: string | null }>('SELECT created_at, campaign_id, agent_id, team FROM tickets WHERE created_at >= ? AND created_at < ?')
      .iterate(fromIso, toIso)) {
      addCalls(cell(secOf(t.created_at), '', t.campaign_id ?? 0, t.agent_id ?? 0, t.agent_id ? teamOf(t.agent_id) : (t.team ?? '')), { complaints: 1 });
    }
  }

  // Agent states: intervals overlapping the range, cut at half-hour edges. No interval starts
  // before the earliest login of a session overlapping the range, which bounds the index scan.
  const lo = sessions.reduce((m, s) => (s.login_at < m ? s.login_at : m), fromIso);
  const fromMs = fromSec * 1000;
  const toMs = toSec * 1000;
  const st = db.prepare<[string, string, string], { agent_id: number; state: string; reason: string | null; linkedid: string | null; start_at: string; end_at: string | null }>(
    'SELECT agent_id, state, reason, linkedid, start_at, end_at FROM agent_state_history WHERE start_at >= ? AND start_at < ? AND (end_at IS NULL OR end_at > ?)',
  );
  for (const r of st.iterate(lo, toIso, fromIso)) {
    const start = Date.parse(r.start_at);
    const end = r.end_at ? Date.parse(r.end_at) : Math.max(start, nowMs);
    const a = Math.max(start, fromMs);
    const b = Math.min(end, toMs);
    if (b < a || (b === a && start < fromMs)) continue;
    const team = teamOf(r.agent_id);
    const reason = r.state === 'paused' ? (r.reason ?? '') : '';
    const parts = start >= fromMs ? splitInterval(a, b) : splitInterval(a, b).map(([bk, ms]) => [bk, ms, false] as [number, number, boolean]);
    // After-call work of an answered queue call also counts for its queue (AHT per queue).
    const wrapQ = r.state === 'wrap_up' && r.linkedid ? queueOf.get(r.linkedid) : undefined;
    for (const [bucket, ms, starts] of parts) {
      if (wrapQ && wrapQ.agent_id === r.agent_id) cell(bucket, wrapQ.queue, 0, r.agent_id, wrapQ.team ?? team).wrap_ms += ms;
      const key = `${bucket}|${r.agent_id}|${team}|${r.state}|${reason}`;
      let c = states.get(key);
      if (!c) {
        c = { bucket, day: localDay(bucket, p.timeZone), agent_id: r.agent_id, team, state: r.state, reason, ms: 0, n: 0 };
        states.set(key, c);
      }
      c.ms += ms;
      if (starts) c.n += 1;
    }
  }
  return { calls, states };
}

const CALL_COLS = CALL_MEASURES.join(', ');

/** Setting: detail before this ISO time was archived (archive.ts); rollups before it are final. */
export const ARCHIVED_BEFORE_KEY = 'reports.archivedBefore';

/** The first half-hour that may still be recomputed from detail (epoch s), or null. */
export function foldFloor(db: Db): number | null {
  const r = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(ARCHIVED_BEFORE_KEY);
  if (!r) return null;
  const sec = Math.floor(Date.parse(JSON.parse(r.value) as string) / 1000);
  return Math.ceil(sec / HALF_HOUR) * HALF_HOUR;
}

/** Dimension → key expression and "has a key" filter over the day rollups. */
export const DIM_SQL = {
  agent: { key: 'CAST(agent_id AS TEXT)', has: 'agent_id <> 0', states: true },
  team: { key: 'team', has: "team <> ''", states: true },
  queue: { key: 'queue', has: "queue <> ''", states: false },
  campaign: { key: 'CAST(campaign_id AS TEXT)', has: 'campaign_id <> 0', states: false },
  center: { key: "''", has: '1', states: true },
} as const;

export const STATE_COLS = ['ready', 'ringing', 'talking', 'wrap_up', 'paused'] as const;
const STATE_DIM_COLS = STATE_COLS.flatMap((s) => [`${s}_ms`, `${s}_n`]);
const DIM_COLS = [...CALL_MEASURES, ...STATE_DIM_COLS].join(', ');

/** Re-sums the per-dimension day rows of `days` and the month rows of their months. */
export function sumDimensions(db: Db, days: string[]): void {
  if (!days.length) return;
  const stmts = dimStatements(db);
  for (const d of days) {
    stmts.delDay.run(d);
    stmts.delPauseDay.run(d);
    for (const s of stmts.perDim) {
      s.calls.run(d);
      s.states?.run(d);
      s.pause?.run(d);
    }
  }
  for (const m of new Set(days.map((d) => d.slice(0, 7)))) {
    const lo = `${m}-01`;
    const hi = `${m}-31`;
    stmts.delMonth.run(m);
    stmts.delPauseMonth.run(m);
    stmts.sumMonth.run(lo, hi);
    stmts.sumPauseMonth.run(lo, hi);
  }
}

const dimCache = new WeakMap<Db, ReturnType<typeof buildDimStatements>>();
function dimStatements(db: Db) {
  let s = dimCache.get(db);
  if (!s) {
    s = buildDimStatements(db);
    dimCache.set(db, s);
  }
  return s;
}

function buildDimStatements(db: Db) {
  const perDim = Object.entries(DIM_SQL).map(([dim, d]) => ({
    calls: db.prepare(
      `INSERT INTO rollup_dim_day (dim, key, day, ${CALL_COLS})
       SELECT '${dim}', ${d.key}, day, ${CALL_MEASURES.map((k) => `SUM(${k})`).join(', ')} FROM rollup_calls_day WHERE day = ? AND ${d.has} GROUP BY ${d.key}`,
    ),
    states: d.states
      ? db.prepare(
          `INSERT INTO rollup_dim_day (dim, key, day, ${STATE_DIM_COLS.join(', ')})
           SELECT '${dim}', ${d.key}, day, ${STATE_COLS.map((st) => `SUM(CASE WHEN state = '${st}' THEN ms ELSE 0 END), SUM(CASE WHEN state = '${st}' THEN n ELSE 0 END)`).join(', ')}
           FROM rollup_states_day WHERE day = ? AND ${d.has} GROUP BY ${d.key}
           ON CONFLICT (dim, day, key) DO UPDATE SET ${STATE_DIM_COLS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
        )
      : null,
    pause: d.states
      ? db.prepare(
          `INSERT INTO rollup_pause_day (dim, key, day, reason, ms, n)
           SELECT '${dim}', ${d.key}, day, reason, SUM(ms), SUM(n) FROM rollup_states_day WHERE day = ? AND state = 'paused' AND ${d.has} GROUP BY ${d.key}, reason`,
        )
      : null,
  }));
  return {
    perDim,
    delDay: db.prepare('DELETE FROM rollup_dim_day WHERE day = ?'),
    delPauseDay: db.prepare('DELETE FROM rollup_pause_day WHERE day = ?'),
    delMonth: db.prepare('DELETE FROM rollup_dim_month WHERE month = ?'),
    delPauseMonth: db.prepare('DELETE FROM rollup_pause_month WHERE month = ?'),
    sumMonth: db.prepare(
      `INSERT INTO rollup_dim_month (dim, key, month, ${DIM_COLS})
       SELECT dim, key, substr(day, 1, 7), ${[...CALL_MEASURES, ...STATE_DIM_COLS].map((c) => `SUM(${c})`).join(', ')}
       FROM rollup_dim_day WHERE day >= ? AND day <= ? GROUP BY dim, key`,
    ),
    sumPauseMonth: db.prepare(
      `INSERT INTO rollup_pause_month (dim, key, month, reason, ms, n)
       SELECT dim, key, substr(day, 1, 7), reason, SUM(ms), SUM(n) FROM rollup_pause_day WHERE day >= ? AND day <= ? GROUP BY dim, key, reason`,
    ),
  };
}

export interface FoldState {
  watermark: number;
  params: ReportParams;
}

export function readFoldState(db: Db): FoldState | null {
  const r = db.prepare<[], { watermark: number; params_json: string }>('SELECT watermark, params_json FROM report_fold_state WHERE id = 1').get();
  return r ? { watermark: r.watermark, params: JSON.parse(r.params_json) as ReportParams } : null;
}

/** Replaces the rollups of [fromSec, toSec) (half-hour aligned) with a recomputation from detail and moves the watermark to toSec. */
export function foldRange(db: Db, fromSec: number, toSec: number, p: ReportParams, nowMs = Date.now()): { callCells: number; stateCells: number } {
  if (fromSec % HALF_HOUR || toSec % HALF_HOUR) throw new RangeError('fold range must be half-hour aligned');
  const floor = foldFloor(db);
  if (floor !== null && fromSec < floor && toSec > fromSec) throw new RangeError(`fold range starts at ${isoOf(fromSec)}, before the archived detail ends (${isoOf(floor)})`);
  const data = computeBuckets(db, fromSec, toSec, p, nowMs);
  const insCall = db.prepare(
    `INSERT INTO rollup_calls_hh (bucket, day, queue, campaign_id, agent_id, team, ${CALL_COLS})
     VALUES (@bucket, @day, @queue, @campaign_id, @agent_id, @team, ${CALL_MEASURES.map((k) => `@${k}`).join(', ')})`,
  );
  const insState = db.prepare('INSERT INTO rollup_states_hh (bucket, day, agent_id, team, state, reason, ms, n) VALUES (@bucket, @day, @agent_id, @team, @state, @reason, @ms, @n)');
  db.transaction(() => {
    const days = new Set<string>();
    for (const r of db.prepare<[number, number], { day: string }>('SELECT DISTINCT day FROM rollup_calls_hh WHERE bucket >= ? AND bucket < ?').iterate(fromSec, toSec)) days.add(r.day);
    for (const r of db.prepare<[number, number], { day: string }>('SELECT DISTINCT day FROM rollup_states_hh WHERE bucket >= ? AND bucket < ?').iterate(fromSec, toSec)) days.add(r.day);
    db.prepare('DELETE FROM rollup_calls_hh WHERE bucket >= ? AND bucket < ?').run(fromSec, toSec);
    db.prepare('DELETE FROM rollup_states_hh WHERE bucket >= ? AND bucket < ?').run(fromSec, toSec);
    for (const c of data.calls.values()) {
      insCall.run({ bucket: c.bucket, day: c.day, queue: c.queue, campaign_id: c.campaign_id, agent_id: c.agent_id, team: c.team, ...c.m });
      days.add(c.day);
    }
    for (const s of data.states.values()) {
      insState.run(s);
      days.add(s.day);
    }
    // Day rollups: the sums of their half-hours.
    const delCallDay = db.prepare('DELETE FROM rollup_calls_day WHERE day = ?');
    const delStateDay = db.prepare('DELETE FROM rollup_states_day WHERE day = ?');
    const sumCallDay = db.prepare(
      `INSERT INTO rollup_calls_day (day, queue, campaign_id, agent_id, team, ${CALL_COLS})
       SELECT day, queue, campaign_id, agent_id, team, ${CALL_MEASURES.map((k) => `SUM(${k})`).join(', ')}
       FROM rollup_calls_hh WHERE day = ? GROUP BY day, queue, campaign_id, agent_id, team`,
    );
    const sumStateDay = db.prepare(
      `INSERT INTO rollup_states_day (day, agent_id, team, state, reason, ms, n)
       SELECT day, agent_id, team, state, reason, SUM(ms), SUM(n) FROM rollup_states_hh WHERE day = ? GROUP BY day, agent_id, team, state, reason`,
    );
    for (const d of days) {
      delCallDay.run(d);
      delStateDay.run(d);
      sumCallDay.run(d);
      sumStateDay.run(d);
    }
    sumDimensions(db, [...days]);
    db.prepare(
      `INSERT INTO report_fold_state (id, watermark, params_json, folded_at) VALUES (1, @w, @p, @at)
       ON CONFLICT(id) DO UPDATE SET watermark = MAX(watermark, excluded.watermark), params_json = excluded.params_json, folded_at = excluded.folded_at`,
    ).run({ w: toSec, p: JSON.stringify(p), at: new Date(nowMs).toISOString() });
  })();
  return { callCells: data.calls.size, stateCells: data.states.size };
}

export interface FoldOptions {
  /** Detail younger than this is left to the query-time tail (late events still arrive). */
  lagSeconds?: number;
  /** Open queue entries / dialer calls older than this no longer hold the watermark back. */
  staleHours?: number;
  /** Largest range folded in one transaction (keeps each write short). */
  chunkSeconds?: number;
  nowMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** Fold at most this many chunks, then return (done: false); callers yield and call again. */
  maxChunks?: number;
}

/** Where the watermark may go now: lag behind now, and never past an open call. */
export function foldTarget(db: Db, o: FoldOptions = {}): number {
  const now = o.nowMs ?? Date.now();
  let target = floorHH(Math.floor(now / 1000) - (o.lagSeconds ?? 300));
  const staleIso = new Date(now - (o.staleHours ?? 6) * 3600_000).toISOString();
  const openQ = db.prepare<[string], { t: string | null }>("SELECT MIN(entered_at) AS t FROM queue_calls WHERE (outcome IS NULL OR (outcome = 'answered' AND ended_at IS NULL)) AND entered_at >= ?").get(staleIso);
  const openD = db.prepare<[string], { t: string | null }>('SELECT MIN(dialed_at) AS t FROM dialer_calls WHERE ended_at IS NULL AND dialed_at >= ?').get(staleIso);
  for (const t of [openQ?.t, openD?.t]) if (t) target = Math.min(target, floorHH(Math.floor(Date.parse(t) / 1000)));
  return target;
}

/** Where folding starts when nothing was folded yet: the earliest detail. */
export function earliestDetail(db: Db): number | null {
  const rows = [
    db.prepare<[], { t: string | null }>('SELECT MIN(entered_at) AS t FROM queue_calls').get(),
    db.prepare<[], { t: string | null }>('SELECT MIN(dialed_at) AS t FROM dialer_calls').get(),
    db.prepare<[], { t: string | null }>('SELECT MIN(login_at) AS t FROM agent_sessions').get(),
    db.prepare<[], { t: string | null }>('SELECT MIN(at) AS t FROM call_transfers').get(),
    db.prepare<[], { t: string | null }>('SELECT MIN(at) AS t FROM call_surveys').get(),
  ];
  for (const [table, col] of [['registrations', 'at'], ['tickets', 'created_at']] as const) {
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)) rows.push(db.prepare<[], { t: string | null }>(`SELECT MIN(${col}) AS t FROM ${table}`).get());
  }
  const ts = rows.map((r) => r?.t).filter((t): t is string => !!t).map((t) => floorHH(Math.floor(Date.parse(t) / 1000)));
  return ts.length ? Math.min(...ts) : null;
}

/**
 * Folds from the watermark up to foldTarget() in chunks. Changed parameters (time zone,
 * thresholds) rebuild from the earliest detail still present.
 */
export function foldPending(db: Db, p: ReportParams, o: FoldOptions = {}): { from: number; to: number; rebuilt: boolean; done: boolean } {
  const now = o.nowMs ?? Date.now();
  const state = readFoldState(db);
  const rebuilt = !!state && JSON.stringify(state.params) !== JSON.stringify(p);
  let from = state && !rebuilt ? state.watermark : (earliestDetail(db) ?? foldTarget(db, o));
  if (rebuilt && state) from = Math.min(from, state.watermark);
  const floor = foldFloor(db);
  if (floor !== null) from = Math.max(from, floor);
  const to = Math.max(from, foldTarget(db, o));
  const chunk = o.chunkSeconds ?? 86_400;
  let t = from;
  if (t === to && !state) foldRange(db, t, t, p, now); // records the watermark
  let chunks = 0;
  while (t < to) {
    if (o.maxChunks !== undefined && chunks >= o.maxChunks) return { from, to: t, rebuilt, done: false };
    const next = Math.min(to, t + chunk);
    foldRange(db, t, next, p, now);
    chunks++;
    o.onProgress?.(next - from, to - from);
    t = next;
  }
  return { from, to, rebuilt, done: true };
}
