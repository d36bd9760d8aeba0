// QA reports (docs/qa-sampling.md): per agent, team and reviewer the evaluations, average
// score and failure rate; the failure rate per agent per day with a flag at >= 30 %; the most
// failed form items. Computed from finished evaluations (EvaluationSource), CSV/XLSX through
// reports/export.ts.
import type { Db } from '../db/database.js';
import type { Column } from '../reports/export.js';
import { addDays, localMidnight, localParts, parseDay } from '../reports/time.js';
import type { EvaluationFact, EvaluationSource } from './qa-sampling-source.js';

/** A day is flagged when its failure rate reaches this share (inclusive). */
export const DAY_FAILURE_FLAG = 0.3;

export interface GroupRow {
  key: string;
  label: string;
  evaluations: number;
  averageScore: number | null;
  failures: number;
  failureRate: number | null;
}

export interface AgentDayRow {
  day: string;
  agentId: number;
  label: string;
  evaluations: number;
  failures: number;
  failureRate: number;
  flagged: boolean;
}

export interface ItemRow {
  key: string;
  label: string;
  failures: number;
  /** failures / evaluations of the period (in scope) */
  share: number;
}

export interface QaReport {
  from: string;
  to: string;
  flagAt: number;
  agents: GroupRow[];
  teams: GroupRow[];
  reviewers: GroupRow[];
  agentDays: AgentDayRow[];
  items: ItemRow[];
}

/** failures / n reaches the threshold, decided in integers so 3/10 is exactly 30 %. */
export function reachesFlag(failures: number, n: number, threshold = DAY_FAILURE_FLAG): boolean {
  if (n === 0) return false;
  return failures * 1_000_000 >= Math.round(threshold * 1_000_000) * n;
}

function group(evals: EvaluationFact[], keyOf: (e: EvaluationFact) => string | null, labelOf: (k: string) => string): GroupRow[] {
  const acc = new Map<string, { n: number; sum: number; fail: number }>();
  for (const e of evals) {
    const k = keyOf(e);
    if (k === null) continue;
    const a = acc.get(k) ?? { n: 0, sum: 0, fail: 0 };
    a.n++;
    a.sum += e.score;
    if (!e.passed) a.fail++;
    acc.set(k, a);
  }
  return [...acc]
    .map(([key, a]) => ({ key, label: labelOf(key), evaluations: a.n, averageScore: a.n ? Math.round((a.sum / a.n) * 10) / 10 : null, failures: a.fail, failureRate: a.n ? a.fail / a.n : null }))
    .sort((x, y) => x.label.localeCompare(y.label));
}

export interface ReportScope {
  agentIds?: number[];
  teams?: string[];
  reviewerUserId?: number;
}

/** The QA report of local dates [from, to] in the center's time zone. */
export function qaReport(db: Db, source: EvaluationSource, tz: string, req: { from: string; to: string } & ReportScope): QaReport {
  parseDay(req.from, 'from');
  parseDay(req.to, 'to');
  if (req.to < req.from) throw new RangeError(`to: ${req.to} is before from (${req.from})`);
  const fromIso = new Date(localMidnight(req.from, tz) * 1000).toISOString();
  const toIso = new Date(localMidnight(addDays(req.to, 1), tz) * 1000).toISOString();
  const agents = new Map<number, { label: string; team: string }>();
  for (const a of db.prepare<[], { id: number; number: string; name: string; team: string | null }>('SELECT id, number, name, team FROM agents').iterate()) agents.set(a.id, { label: `${a.number} ${a.name}`, team: a.team ?? '' });
  const users = new Map<number, string>();
  for (const u of db.prepare<[], { id: number; display_name: string }>('SELECT id, display_name FROM users').iterate()) users.set(u.id, u.display_name);
  const agentSet = req.agentIds ? new Set(req.agentIds) : null;
  const teamSet = req.teams ? new Set(req.teams) : null;
  const evals = source.between(fromIso, toIso).filter((e) => {
    if (agentSet && !agentSet.has(e.agentId)) return false;
    if (teamSet && !teamSet.has(agents.get(e.agentId)?.team ?? '')) return false;
    if (req.reviewerUserId !== undefined && e.reviewerUserId !== req.reviewerUserId) return false;
    return true;
  });
  const dayOf = (e: EvaluationFact) => localParts(Math.floor(Date.parse(e.at) / 1000), tz).day;
  const days = new Map<string, { agentId: number; day: string; n: number; fail: number }>();
  for (const e of evals) {
    const day = dayOf(e);
    const k = `${e.agentId}|${day}`;
    const d = days.get(k) ?? { agentId: e.agentId, day, n: 0, fail: 0 };
    d.n++;
    if (!e.passed) d.fail++;
    days.set(k, d);
  }
  const items = new Map<string, { label: string; n: number }>();
  for (const e of evals) {
    for (const it of e.failedItems) {
      const x = items.get(it.key) ?? { label: it.label, n: 0 };
      x.n++;
      items.set(it.key, x);
    }
  }
  return {
    from: req.from,
    to: req.to,
    flagAt: DAY_FAILURE_FLAG,
    agents: group(evals, (e) => String(e.agentId), (k) => agents.get(Number(k))?.label ?? `#${k}`),
    teams: group(evals, (e) => agents.get(e.agentId)?.team || null, (k) => k),
    reviewers: group(evals, (e) => (e.reviewerUserId === null ? null : String(e.reviewerUserId)), (k) => users.get(Number(k)) ?? `#${k}`),
    agentDays: [...days.values()]
      .map((d) => ({ day: d.day, agentId: d.agentId, label: agents.get(d.agentId)?.label ?? `#${d.agentId}`, evaluations: d.n, failures: d.fail, failureRate: d.fail / d.n, flagged: reachesFlag(d.fail, d.n) }))
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.label.localeCompare(b.label))),
    items: [...items]
      .map(([key, x]) => ({ key, label: x.label, failures: x.n, share: evals.length ? x.n / evals.length : 0 }))
      .sort((a, b) => b.failures - a.failures || a.key.localeCompare(b.key))
      .slice(0, 20),
  };
}

// Export tables (one per section; the route picks the section).
export const GROUP_COLUMNS: Array<Column<GroupRow>> = [
  { en: 'Name', zh: '名称', kind: 'text', get: (r) => r.label },
  { en: 'Evaluations', zh: '评估数', kind: 'int', get: (r) => r.evaluations },
  { en: 'Average score', zh: '平均分', kind: 'dec', get: (r) => r.averageScore },
  { en: 'Failures', zh: '不合格数', kind: 'int', get: (r) => r.failures },
  { en: 'Failure rate %', zh: '不合格率 %', kind: 'rate', get: (r) => r.failureRate },
];
export const AGENT_DAY_QA_COLUMNS: Array<Column<AgentDayRow>> = [
  { en: 'Day', zh: '日期', kind: 'text', get: (r) => r.day },
  { en: 'Agent', zh: '坐席', kind: 'text', get: (r) => r.label },
  { en: 'Evaluations', zh: '评估数', kind: 'int', get: (r) => r.evaluations },
  { en: 'Failures', zh: '不合格数', kind: 'int', get: (r) => r.failures },
  { en: 'Failure rate %', zh: '不合格率 %', kind: 'rate', get: (r) => r.failureRate },
  { en: 'Flagged (>= 30 %)', zh: '预警（≥30%）', kind: 'text', get: (r) => (r.flagged ? 'yes' : '') },
];
export const ITEM_COLUMNS: Array<Column<ItemRow>> = [
  { en: 'Item', zh: '评分项', kind: 'text', get: (r) => r.label },
  { en: 'Failures', zh: '不合格次数', kind: 'int', get: (r) => r.failures },
  { en: 'Share of evaluations %', zh: '占评估 %', kind: 'rate', get: (r) => r.share },
];
