// Kept reports (table report_runs): the previous day / ISO week / month as one JSON document
// with every dimension's KPIs and the agents' daily comparison, generated on schedule or by
// hand, published to the agents (each sees their own rows). docs/reports.md "Scheduled reports".
import type { Db } from '../db/database.js';
import type { ReportParams } from './kpi.js';
import { agentDaily, DIMENSIONS, kpiReport, type AgentDayRow, type Dimension, type KpiReport } from './query.js';
import { addDays, localParts, parseDay, weekOf } from './time.js';

export const RUN_KINDS = ['daily', 'weekly', 'monthly'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export interface RunDocument {
  kpis: Record<Dimension, KpiReport>;
  agentDaily: AgentDayRow[];
}

export interface RunSummary {
  id: number;
  kind: RunKind;
  from: string;
  to: string;
  trigger: 'schedule' | 'manual';
  generatedAt: string;
  publishedAt: string | null;
  publishedBy: string | null;
}

export interface Run extends RunSummary {
  document: RunDocument;
}

const lastOfMonth = (m: string) => addDays(`${addDays(`${m}-01`, 32).slice(0, 7)}-01`, -1);

/** The period of a kind that contains the local date `day`. */
export function periodOf(kind: RunKind, day: string): { from: string; to: string } {
  parseDay(day, 'from');
  if (kind === 'daily') return { from: day, to: day };
  if (kind === 'weekly') {
    const mon = weekOf(day);
    return { from: mon, to: addDays(mon, 6) };
  }
  const m = day.slice(0, 7);
  return { from: `${m}-01`, to: lastOfMonth(m) };
}

/** The last complete period of a kind before the local date of `now` (what the schedule reports). */
export function previousPeriod(kind: RunKind, now: Date, tz: string): { from: string; to: string } {
  const today = localParts(Math.floor(now.getTime() / 1000), tz).day;
  if (kind === 'daily') return periodOf('daily', addDays(today, -1));
  if (kind === 'weekly') return periodOf('weekly', addDays(weekOf(today), -1));
  return periodOf('monthly', addDays(`${today.slice(0, 7)}-01`, -1));
}

const PERIOD_OF_KIND = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

interface RunRow {
  id: number;
  kind: RunKind;
  period_from: string;
  period_to: string;
  trigger: 'schedule' | 'manual';
  generated_at: string;
  json: string;
  published_at: string | null;
  published_by: string | null;
}

const summary = (r: RunRow): RunSummary => ({
  id: r.id,
  kind: r.kind,
  from: r.period_from,
  to: r.period_to,
  trigger: r.trigger,
  generatedAt: r.generated_at,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
});

/**
 * Generates (or regenerates: a new document, unpublished unless `publish`) the run of a kind
 * for the period containing `day`.
 */
export function generateRun(db: Db, params: ReportParams, kind: RunKind, day: string, o: { trigger: 'schedule' | 'manual'; publishBy?: string; nowMs?: number }): Run {
  const { from, to } = periodOf(kind, day);
  const period = PERIOD_OF_KIND[kind];
  const now = o.nowMs ?? Date.now();
  const kpis = Object.fromEntries(DIMENSIONS.map((d) => [d, kpiReport(db, params, { dimension: d, period, from, to }, now)])) as Record<Dimension, KpiReport>;
  const doc: RunDocument = { kpis, agentDaily: agentDaily(db, params, { from, to }, now).rows };
  const at = new Date(now).toISOString();
  db.prepare(
    `INSERT INTO report_runs (kind, period_from, period_to, trigger, generated_at, json, published_at, published_by)
     VALUES (@kind, @from, @to, @trigger, @at, @json, @pubAt, @pubBy)
     ON CONFLICT (kind, period_from) DO UPDATE SET period_to = excluded.period_to, trigger = excluded.trigger, generated_at = excluded.generated_at,
       json = excluded.json, published_at = excluded.published_at, published_by = excluded.published_by`,
  ).run({ kind, from, to, trigger: o.trigger, at, json: JSON.stringify(doc), pubAt: o.publishBy ? at : null, pubBy: o.publishBy ?? null });
  return getRun(db, db.prepare<[string, string], { id: number }>('SELECT id FROM report_runs WHERE kind = ? AND period_from = ?').get(kind, from)!.id)!;
}

export function listRuns(db: Db, kind?: RunKind, limit = 200): RunSummary[] {
  const rows = kind
    ? db.prepare<[string, number], RunRow>('SELECT * FROM report_runs WHERE kind = ? ORDER BY period_from DESC LIMIT ?').all(kind, limit)
    : db.prepare<[number], RunRow>('SELECT * FROM report_runs ORDER BY period_from DESC, kind LIMIT ?').all(limit);
  return rows.map(summary);
}

export function getRun(db: Db, id: number): Run | undefined {
  const r = db.prepare<[number], RunRow>('SELECT * FROM report_runs WHERE id = ?').get(id);
  return r ? { ...summary(r), document: JSON.parse(r.json) as RunDocument } : undefined;
}

export function publishRun(db: Db, id: number, by: string, nowMs = Date.now()): RunSummary | undefined {
  db.prepare('UPDATE report_runs SET published_at = ?, published_by = ? WHERE id = ?').run(new Date(nowMs).toISOString(), by, id);
  const r = db.prepare<[number], RunRow>('SELECT * FROM report_runs WHERE id = ?').get(id);
  return r ? summary(r) : undefined;
}

/** Published runs with only this agent's rows (their KPI rows per period and their days). */
export function runsForAgent(db: Db, agentId: number, limit = 60): Array<RunSummary & { rows: KpiReport['rows']; days: AgentDayRow[] }> {
  const key = String(agentId);
  return db
    .prepare<[number], RunRow>('SELECT * FROM report_runs WHERE published_at IS NOT NULL ORDER BY period_from DESC, kind LIMIT ?')
    .all(limit)
    .map((r) => {
      const doc = JSON.parse(r.json) as RunDocument;
      return { ...summary(r), rows: doc.kpis.agent.rows.filter((x) => x.key === key), days: doc.agentDaily.filter((x) => x.agentId === agentId) };
    });
}
