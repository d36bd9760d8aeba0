// Targets shown against actuals (table report_targets, docs/kpis.md "Targets").
// An agent's target for a metric: their level's, else their team's, else their seniority's
// (over one year of service = agents.joined_at (the people module's joining date; created_at
// for rows from before it) more than a year before the report's end),
// else the center's. A team row uses the team's target, else the center's.
import type { Db } from '../db/database.js';
import type { Kpis } from './kpi.js';

export const TARGET_METRICS = ['answerRate', 'serviceLevel', 'abandonRate', 'transferRate', 'satisfactionRate', 'avgTalkSeconds', 'ahtSeconds', 'asaSeconds', 'dropRate', 'occupancy'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];
export const TARGET_SCOPES = ['center', 'team', 'level', 'seniority'] as const;
export type TargetScope = (typeof TARGET_SCOPES)[number];

export interface Target {
  scope: TargetScope;
  scopeKey: string;
  metric: TargetMetric;
  op: 'min' | 'max';
  value: number;
}

export interface TargetCheck {
  metric: TargetMetric;
  op: 'min' | 'max';
  target: number;
  actual: number | null;
  /** null when there is no actual to compare */
  met: boolean | null;
  /** where the target came from, e.g. "seniority:senior" */
  source: string;
}

export interface AgentFacts {
  team: string | null;
  level: number;
  createdAt: string;
}

export function listTargets(db: Db): Target[] {
  return db
    .prepare<[], { scope: TargetScope; scope_key: string; metric: TargetMetric; op: 'min' | 'max'; value: number }>('SELECT scope, scope_key, metric, op, value FROM report_targets ORDER BY scope, scope_key, metric')
    .all()
    .map((r) => ({ scope: r.scope, scopeKey: r.scope_key, metric: r.metric, op: r.op, value: r.value }));
}

/** Replaces every target (one transaction). */
export function replaceTargets(db: Db, targets: Target[]): void {
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    const where = `targets[${i}]`;
    if (!(TARGET_METRICS as readonly string[]).includes(t.metric)) throw new RangeError(`${where}.metric: unknown metric "${t.metric}"`);
    if (!(TARGET_SCOPES as readonly string[]).includes(t.scope)) throw new RangeError(`${where}.scope: unknown scope "${t.scope}"`);
    if (t.scope === 'center' && t.scopeKey !== '') throw new RangeError(`${where}.scopeKey: must be empty for the center`);
    if (t.scope === 'seniority' && t.scopeKey !== 'senior' && t.scopeKey !== 'junior') throw new RangeError(`${where}.scopeKey: seniority is "senior" or "junior"`);
    if (t.scope === 'level' && !/^(10|[1-9])$/.test(t.scopeKey)) throw new RangeError(`${where}.scopeKey: a level is 1-10`);
    if (t.scope === 'team' && !t.scopeKey) throw new RangeError(`${where}.scopeKey: the team name is missing`);
    if (!Number.isFinite(t.value) || t.value < 0) throw new RangeError(`${where}.value: must be a number >= 0`);
    const k = `${t.scope}|${t.scopeKey}|${t.metric}`;
    if (seen.has(k)) throw new RangeError(`${where}: duplicate target for ${t.metric} (${t.scope} ${t.scopeKey})`);
    seen.add(k);
  });
  db.transaction(() => {
    db.prepare('DELETE FROM report_targets').run();
    const ins = db.prepare('INSERT INTO report_targets (scope, scope_key, metric, op, value) VALUES (?, ?, ?, ?, ?)');
    for (const t of targets) ins.run(t.scope, t.scopeKey, t.metric, t.op, t.value);
  })();
}

/** Over one year of service at `at` (ISO). */
export function isSenior(createdAt: string, at: string): boolean {
  const c = new Date(createdAt);
  const oneYear = new Date(Date.UTC(c.getUTCFullYear() + 1, c.getUTCMonth(), c.getUTCDate(), c.getUTCHours(), c.getUTCMinutes(), c.getUTCSeconds()));
  return oneYear.toISOString() <= at;
}

export class TargetResolver {
  private readonly byKey = new Map<string, Target>();

  constructor(targets: Target[]) {
    for (const t of targets) this.byKey.set(`${t.scope}|${t.scopeKey}|${t.metric}`, t);
  }

  private first(metric: TargetMetric, scopes: Array<[TargetScope, string | null]>): Target | undefined {
    for (const [s, k] of scopes) {
      if (k === null) continue;
      const t = this.byKey.get(`${s}|${k}|${metric}`);
      if (t) return t;
    }
    return undefined;
  }

  /** Checks for one report row: dimension agent (with facts), team (name), or other (center targets). */
  check(k: Kpis, who: { agent?: AgentFacts; team?: string } = {}, at = new Date().toISOString()): TargetCheck[] {
    const out: TargetCheck[] = [];
    const scopes: Array<[TargetScope, string | null]> = who.agent
      ? [['level', String(who.agent.level)], ['team', who.agent.team], ['seniority', isSenior(who.agent.createdAt, at) ? 'senior' : 'junior'], ['center', '']]
      : who.team !== undefined
        ? [['team', who.team], ['center', '']]
        : [['center', '']];
    for (const metric of TARGET_METRICS) {
      const t = this.first(metric, scopes);
      if (!t) continue;
      const actual = k[metric];
      out.push({ metric, op: t.op, target: t.value, actual, met: actual === null ? null : t.op === 'min' ? actual >= t.value : actual <= t.value, source: t.scope === 'center' ? 'center' : `${t.scope}:${t.scopeKey}` });
    }
    return out;
  }
}
