// Report queries: rollups before the watermark (SQL, grouped in SQLite), the tail after it
// from detail (computeBuckets in memory), summed per (period, dimension key), then KPIs and
// targets. See docs/reports.md.
import type { Db } from '../db/database.js';
import { computeBuckets, readFoldState } from './fold.js';
import { CALL_MEASURES, addCalls, addState, computeKpis, emptyCalls, emptyStates, type CallMeasures, type Kpis, type ReportParams, type StateMeasures } from './kpi.js';
import { TargetResolver, listTargets, type AgentFacts, type TargetCheck } from './targets.js';
import { addDays, localMidnight, parseDay, periodOfBucket, periodOfDay, type Period } from './time.js';

export const DIMENSIONS = ['agent', 'team', 'queue', 'campaign', 'center'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const PERIODS = ['halfhour', 'day', 'week', 'month'] as const;

export class ReportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

export interface KpiRequest {
  dimension: Dimension;
  period: Period;
  /** local dates, both inclusive */
  from: string;
  to: string;
  /** only these agents (agent / team / center rows are then their sums) */
  agentIds?: number[];
  /** only these teams */
  teams?: string[];
}

export interface KpiRow {
  period: string;
  key: string;
  label: string;
  kpis: Kpis;
  targets: TargetCheck[];
}

export interface KpiReport {
  dimension: Dimension;
  period: Period;
  from: string;
  to: string;
  timeZone: string;
  /** rollups cover up to here (ISO); later data came from detail */
  foldedUntil: string | null;
  rows: KpiRow[];
}

export const MAX_DAYS = 400;
export const MAX_HALFHOUR_DAYS = 31;

const DIM_COL: Record<Dimension, { col: string; none: string }> = {
  agent: { col: 'agent_id', none: 'agent_id <> 0' },
  team: { col: 'team', none: "team <> ''" },
  queue: { col: 'queue', none: "queue <> ''" },
  campaign: { col: 'campaign_id', none: 'campaign_id <> 0' },
  center: { col: "''", none: '1' },
};

const PERIOD_SQL: Record<Exclude<Period, 'halfhour'>, string> = {
  day: 'day',
  week: "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')",
  month: 'substr(day, 1, 7)',
};

interface Acc {
  period: string;
  key: string;
  calls: CallMeasures;
  states: StateMeasures;
}

export function validateRange(req: Pick<KpiRequest, 'from' | 'to' | 'period'>): number {
  parseDay(req.from, 'from');
  parseDay(req.to, 'to');
  if (req.to < req.from) throw new ReportError('invalid_range', `to (${req.to}) is before from (${req.from})`, 'to');
  const days = Math.round((Date.parse(`${req.to}T00:00:00Z`) - Date.parse(`${req.from}T00:00:00Z`)) / 86_400_000) + 1;
  const max = req.period === 'halfhour' ? MAX_HALFHOUR_DAYS : MAX_DAYS;
  if (days > max) throw new ReportError('range_too_long', `${days} days asked; at most ${max} days for period ${req.period}`, 'to');
  return days;
}

export function kpiReport(db: Db, params: ReportParams, req: KpiRequest, nowMs = Date.now()): KpiReport {
  validateRange(req);
  const tz = params.timeZone;
  const fromSec = localMidnight(req.from, tz);
  const toSec = localMidnight(addDays(req.to, 1), tz);
  const fold = readFoldState(db);
  const w = fold ? Math.max(fromSec, Math.min(toSec, fold.watermark)) : fromSec;
  const dim = DIM_COL[req.dimension];
  const withStates = req.dimension === 'agent' || req.dimension === 'team' || req.dimension === 'center';
  const acc = new Map<string, Acc>();
  const get = (period: string, key: string): Acc => {
    const k = `${period}\u0000${key}`;
    let a = acc.get(k);
    if (!a) {
      a = { period, key, calls: emptyCalls(), states: emptyStates() };
      acc.set(k, a);
    }
    return a;
  };

  // Filters (SQL fragments + the same test for the tail).
  const filters: string[] = [dim.none];
  const args: Array<string | number> = [];
  if (req.agentIds) {
    filters.push(req.agentIds.length ? `agent_id IN (${req.agentIds.map(() => '?').join(',')})` : '0');
    args.push(...req.agentIds);
  }
  if (req.teams) {
    filters.push(req.teams.length ? `team IN (${req.teams.map(() => '?').join(',')})` : '0');
    args.push(...req.teams);
  }
  const agentSet = req.agentIds ? new Set(req.agentIds) : null;
  const teamSet = req.teams ? new Set(req.teams) : null;
  const keep = (c: { agent_id: number; team: string; queue?: string; campaign_id?: number }): boolean => {
    if (agentSet && !agentSet.has(c.agent_id)) return false;
    if (teamSet && !teamSet.has(c.team)) return false;
    if (req.dimension === 'agent') return c.agent_id !== 0;
    if (req.dimension === 'team') return c.team !== '';
    if (req.dimension === 'queue') return (c.queue ?? '') !== '';
    if (req.dimension === 'campaign') return (c.campaign_id ?? 0) !== 0;
    return true;
  };
  const keyOf = (c: { agent_id: number; team: string; queue?: string; campaign_id?: number }): string =>
    req.dimension === 'agent' ? String(c.agent_id) : req.dimension === 'team' ? c.team : req.dimension === 'queue' ? (c.queue ?? '') : req.dimension === 'campaign' ? String(c.campaign_id ?? 0) : '';

  // The per-dimension day/month sums serve unless the filter cuts across the dimension (an
  // agent looking at queues, a team lead at agents): those read the full day rollups.
  const dimKeys: string[] | null | undefined =
    !req.agentIds && !req.teams
      ? null
      : req.dimension === 'agent' && req.agentIds && !req.teams
        ? req.agentIds.map(String)
        : req.dimension === 'team' && req.teams && !req.agentIds
          ? req.teams
          : undefined;

  // 1. Rollups: [fromSec, w).
  if (w > fromSec) {
    const sums = CALL_MEASURES.map((k) => `SUM(${k}) AS ${k}`).join(', ');
    type CallSum = CallMeasures & { p: string | number; k: string | number };
    type StateSum = { p: string | number; k: string | number; state: string; reason: string; ms: number; n: number };
    let callRows: CallSum[];
    let stateRows: StateSum[] = [];
    const where = filters.join(' AND ');
    if (req.period === 'halfhour') {
      callRows = db.prepare(`SELECT bucket AS p, ${dim.col} AS k, ${sums} FROM rollup_calls_hh WHERE bucket >= ? AND bucket < ? AND ${where} GROUP BY p, k`).all(fromSec, w, ...args) as CallSum[];
      if (withStates) {
        stateRows = db
          .prepare(`SELECT bucket AS p, ${dim.col} AS k, state, reason, SUM(ms) AS ms, SUM(n) AS n FROM rollup_states_hh WHERE bucket >= ? AND bucket < ? AND ${where} GROUP BY p, k, state, reason`)
          .all(fromSec, w, ...args) as StateSum[];
      }
      for (const r of callRows) addCalls(get(periodOfBucket(Number(r.p), 'halfhour', tz), String(r.k)).calls, r);
      for (const r of stateRows) addState(get(periodOfBucket(Number(r.p), 'halfhour', tz), String(r.k)).states, r.state, r.reason, r.ms, r.n);
    } else if (dimKeys !== undefined) {
      readDimRollups(db, req, req.period, dimKeys, withStates, get);
    } else {
      // Day rows hold only folded half-hours, so whole days in [from, to] are exactly [fromSec, w).
      const pe = PERIOD_SQL[req.period];
      callRows = db.prepare(`SELECT ${pe} AS p, ${dim.col} AS k, ${sums} FROM rollup_calls_day WHERE day >= ? AND day <= ? AND ${where} GROUP BY p, k`).all(req.from, req.to, ...args) as CallSum[];
      if (withStates) {
        stateRows = db
          .prepare(`SELECT ${pe} AS p, ${dim.col} AS k, state, reason, SUM(ms) AS ms, SUM(n) AS n FROM rollup_states_day WHERE day >= ? AND day <= ? AND ${where} GROUP BY p, k, state, reason`)
          .all(req.from, req.to, ...args) as StateSum[];
      }
      for (const r of callRows) addCalls(get(String(r.p), String(r.k)).calls, r);
      for (const r of stateRows) addState(get(String(r.p), String(r.k)).states, r.state, r.reason, r.ms, r.n);
    }
  }

  // 2. The tail: [w, toSec) straight from detail.
  if (toSec > w && w * 1000 < nowMs) {
    const tail = computeBuckets(db, w, toSec, params, nowMs);
    const label = (bucket: number, day: string) => (req.period === 'halfhour' ? periodOfBucket(bucket, 'halfhour', tz) : periodOfDay(day, req.period));
    for (const c of tail.calls.values()) if (keep(c)) addCalls(get(label(c.bucket, c.day), keyOf(c)).calls, c.m);
    if (withStates) for (const s of tail.states.values()) if (keep(s)) addState(get(label(s.bucket, s.day), keyOf(s)).states, s.state, s.reason, s.ms, s.n);
  }

  // 3. KPIs, labels, targets.
  const resolver = new TargetResolver(listTargets(db));
  const agents = new Map<number, { label: string; facts: AgentFacts }>();
  if (req.dimension === 'agent') {
    for (const a of db.prepare<[], { id: number; number: string; name: string; team: string | null; level: number; created_at: string }>('SELECT id, number, name, team, level, coalesce(joined_at, created_at) AS created_at FROM agents').iterate()) {
      agents.set(a.id, { label: `${a.number} ${a.name}`, facts: { team: a.team, level: a.level, createdAt: a.created_at } });
    }
  }
  const campaigns = new Map<number, string>();
  if (req.dimension === 'campaign') for (const c of db.prepare<[], { id: number; name: string }>('SELECT id, name FROM campaigns').iterate()) campaigns.set(c.id, c.name);
  const at = new Date(Math.min(toSec * 1000, nowMs)).toISOString();
  const rows: KpiRow[] = [...acc.values()]
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((a) => {
      const kpis = computeKpis(a.calls, withStates ? a.states : null);
      let label = a.key;
      let targets: TargetCheck[];
      if (req.dimension === 'agent') {
        const ag = agents.get(Number(a.key));
        label = ag?.label ?? `#${a.key}`;
        targets = resolver.check(kpis, ag ? { agent: ag.facts } : {}, at);
      } else if (req.dimension === 'team') targets = resolver.check(kpis, { team: a.key }, at);
      else {
        if (req.dimension === 'campaign') label = campaigns.get(Number(a.key)) ?? `#${a.key}`;
        if (req.dimension === 'center') label = 'center';
        targets = resolver.check(kpis, {}, at);
      }
      return { period: a.period, key: a.key, label, kpis, targets };
    });
  return { dimension: req.dimension, period: req.period, from: req.from, to: req.to, timeZone: tz, foldedUntil: fold ? new Date(fold.watermark * 1000).toISOString() : null, rows };
}

const STATE_COLS = ['ready', 'ringing', 'talking', 'wrap_up', 'paused'] as const;

/** The last day of a month ('YYYY-MM'). */
function monthEnd(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10);
}

/**
 * Day / week / month sums from rollup_dim_day and rollup_dim_month: whole months inside
 * [from, to] from the month table, every other day from the day table.
 */
function readDimRollups(
  db: Db,
  req: KpiRequest,
  period: Exclude<Period, 'halfhour'>,
  keys: string[] | null,
  withStates: boolean,
  get: (period: string, key: string) => Acc,
): void {
  const full: string[] = [];
  if (period === 'month') {
    for (let m = req.from.slice(0, 7); m <= req.to.slice(0, 7); m = addDays(`${m}-01`, 32).slice(0, 7)) {
      if (`${m}-01` >= req.from && monthEnd(m) <= req.to) full.push(m);
    }
  }
  const keyWhere = keys ? (keys.length ? ` AND key IN (${keys.map(() => '?').join(',')})` : ' AND 0') : '';
  const keyArgs = keys ?? [];
  const cols = [...CALL_MEASURES, ...STATE_COLS.flatMap((st) => [`${st}_ms`, `${st}_n`])].map((c) => `SUM(${c}) AS ${c}`).join(', ');
  const notFull = full.length ? ` AND substr(day, 1, 7) NOT IN (${full.map(() => '?').join(',')})` : '';
  const pe = PERIOD_SQL[period];
  type Row = CallMeasures & Record<string, number> & { p: string; k: string };
  const rows = db
    .prepare(`SELECT ${pe} AS p, key AS k, ${cols} FROM rollup_dim_day WHERE dim = ? AND day >= ? AND day <= ?${notFull}${keyWhere} GROUP BY p, k`)
    .all(req.dimension, req.from, req.to, ...full, ...keyArgs) as Row[];
  if (full.length) {
    rows.push(
      ...(db
        .prepare(`SELECT month AS p, key AS k, ${cols} FROM rollup_dim_month WHERE dim = ? AND month IN (${full.map(() => '?').join(',')})${keyWhere} GROUP BY p, k`)
        .all(req.dimension, ...full, ...keyArgs) as Row[]),
    );
  }
  for (const r of rows) {
    const a = get(r.p, r.k);
    addCalls(a.calls, r);
    if (withStates) {
      for (const st of STATE_COLS) {
        a.states.ms[st] += r[`${st}_ms`] ?? 0;
        a.states.n[st] += r[`${st}_n`] ?? 0;
      }
    }
  }
  if (!withStates) return;
  type PauseRow = { p: string; k: string; reason: string; ms: number; n: number };
  const pauses = db
    .prepare(`SELECT ${pe} AS p, key AS k, reason, SUM(ms) AS ms, SUM(n) AS n FROM rollup_pause_day WHERE dim = ? AND day >= ? AND day <= ?${notFull}${keyWhere} GROUP BY p, k, reason`)
    .all(req.dimension, req.from, req.to, ...full, ...keyArgs) as PauseRow[];
  if (full.length) {
    pauses.push(
      ...(db
        .prepare(`SELECT month AS p, key AS k, reason, SUM(ms) AS ms, SUM(n) AS n FROM rollup_pause_month WHERE dim = ? AND month IN (${full.map(() => '?').join(',')})${keyWhere} GROUP BY p, k, reason`)
        .all(req.dimension, ...full, ...keyArgs) as PauseRow[]),
    );
  }
  for (const r of pauses) {
    const s = get(r.p, r.k).states;
    s.pauseMs[r.reason] = (s.pauseMs[r.reason] ?? 0) + r.ms;
    s.pauseN[r.reason] = (s.pauseN[r.reason] ?? 0) + r.n;
  }
}

export interface AgentDayRow {
  day: string;
  agentId: number;
  label: string;
  team: string;
  conversations: number;
  /** null: this build has no registrations table (issue 8) */
  registrations: number | null;
  teamAverageConversations: number;
  teamAverageRegistrations: number | null;
  /** conversations / team average (null when the average is 0) */
  shareOfTeamAverage: number | null;
  registrationsShareOfTeamAverage: number | null;
  /** conversations or registrations below params.flagBelowTeamShare of the team average */
  flagged: boolean;
}

/**
 * Conversations and registrations per agent per day against the average of the agent's team
 * that day (agents with login time that day). An agent without a team is compared with the
 * other agents without a team.
 */
export function agentDaily(db: Db, params: ReportParams, req: Omit<KpiRequest, 'dimension' | 'period'>, nowMs = Date.now()): { from: string; to: string; registrationsAvailable: boolean; rows: AgentDayRow[] } {
  // The team average needs every agent of the team, so only the team filter goes to the query.
  const r = kpiReport(db, params, { from: req.from, to: req.to, dimension: 'agent', period: 'day', ...(req.teams ? { teams: req.teams } : {}) }, nowMs);
  const regs = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'registrations'").get();
  const teams = new Map<number, string>();
  for (const a of db.prepare<[], { id: number; team: string | null }>('SELECT id, team FROM agents').iterate()) teams.set(a.id, a.team ?? '');
  const worked = r.rows.filter((x) => (x.kpis.loginSeconds ?? 0) > 0);
  const sums = new Map<string, { conv: number; regs: number; n: number }>();
  for (const x of worked) {
    const k = `${x.period}|${teams.get(Number(x.key)) ?? ''}`;
    const s = sums.get(k) ?? { conv: 0, regs: 0, n: 0 };
    s.conv += x.kpis.conversations ?? 0;
    s.regs += x.kpis.registrations;
    s.n += 1;
    sums.set(k, s);
  }
  const rows = worked
    .filter((x) => !req.agentIds || req.agentIds.includes(Number(x.key)))
    .map((x) => {
      const team = teams.get(Number(x.key)) ?? '';
      const s = sums.get(`${x.period}|${team}`)!;
      const avg = s.conv / s.n;
      const avgRegs = regs ? s.regs / s.n : null;
      const conv = x.kpis.conversations ?? 0;
      const share = avg > 0 ? conv / avg : null;
      const regShare = avgRegs ? x.kpis.registrations / avgRegs : null;
      return {
        day: x.period,
        agentId: Number(x.key),
        label: x.label,
        team,
        conversations: conv,
        registrations: regs ? x.kpis.registrations : null,
        teamAverageConversations: avg,
        teamAverageRegistrations: avgRegs,
        shareOfTeamAverage: share,
        registrationsShareOfTeamAverage: regShare,
        flagged: (share !== null && share < params.flagBelowTeamShare) || (regShare !== null && regShare < params.flagBelowTeamShare),
      };
    });
  return { from: req.from, to: req.to, registrationsAvailable: regs, rows };
}
