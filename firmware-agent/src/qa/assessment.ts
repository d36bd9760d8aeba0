// Monthly 100-point assessment per agent (docs/qa-sampling.md):
//   total = (wQa·QA + wKpi·KPI + wAtt·attendance) / (sum of the weights of the parts present)
// each part 0-100: QA = average evaluation score of the month; KPI = share of the agent's KPI
// targets met (reports/ targets against the month's actuals); attendance = login time against
// expected hours per working day (capped at 100). Pass >= 60. Flags: below 60 → retraining;
// below 80 in this and the previous calendar month → retraining. Results are kept.
import type { Db } from '../db/database.js';
import { kpiReport } from '../reports/query.js';
import type { ReportParams } from '../reports/kpi.js';
import { addDays, localMidnight, parseDay } from '../reports/time.js';
import type { EvaluationSource } from './qa-sampling-source.js';

export const PASS_MARK = 60;
export const WARN_MARK = 80;

export interface AssessmentSettings {
  /** relative weights of the parts (default 50/30/20) */
  weights: { qa: number; kpi: number; attendance: number };
  /** expected login hours per working day (attendance until issue 11's rosters) */
  expectedHoursPerDay: number;
  /** working weekdays, 0 = Sunday … 6 = Saturday */
  workingWeekdays: number[];
}

export const ASSESSMENT_KEY = 'qa.assessment';
export const DEFAULT_ASSESSMENT: AssessmentSettings = { weights: { qa: 50, kpi: 30, attendance: 20 }, expectedHoursPerDay: 8, workingWeekdays: [1, 2, 3, 4, 5] };

export function validateAssessment(s: AssessmentSettings): AssessmentSettings {
  for (const k of ['qa', 'kpi', 'attendance'] as const) {
    const w = s.weights?.[k];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 100) throw new RangeError(`weights.${k}: a number 0-100`);
  }
  if (s.weights.qa + s.weights.kpi + s.weights.attendance <= 0) throw new RangeError('weights: at least one weight above 0');
  if (!Number.isFinite(s.expectedHoursPerDay) || s.expectedHoursPerDay <= 0 || s.expectedHoursPerDay > 24) throw new RangeError('expectedHoursPerDay: more than 0, at most 24');
  if (!Array.isArray(s.workingWeekdays) || !s.workingWeekdays.length || s.workingWeekdays.some((d) => !Number.isInteger(d) || d < 0 || d > 6) || new Set(s.workingWeekdays).size !== s.workingWeekdays.length) {
    throw new RangeError('workingWeekdays: distinct weekdays 0 (Sunday) - 6 (Saturday), at least one');
  }
  return s;
}

export interface Parts {
  qa: number | null;
  kpi: number | null;
  attendance: number | null;
}

export type AssessmentFlag = '' | 'below_60' | 'below_80_twice';

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The weighted total of the parts present (one decimal); null when no part is present. */
export function combine(parts: Parts, weights: AssessmentSettings['weights']): number | null {
  let sum = 0;
  let w = 0;
  for (const k of ['qa', 'kpi', 'attendance'] as const) {
    const v = parts[k];
    if (v === null || weights[k] <= 0) continue;
    sum += weights[k] * Math.max(0, Math.min(100, v));
    w += weights[k];
  }
  return w > 0 ? round1(sum / w) : null;
}

/** The flag of a month given the previous calendar month's total (null: not assessed). */
export function flagFor(total: number, previous: number | null): AssessmentFlag {
  if (total < PASS_MARK) return 'below_60';
  if (total < WARN_MARK && previous !== null && previous < WARN_MARK) return 'below_80_twice';
  return '';
}

export function previousMonth(month: string): string {
  return addDays(`${month}-01`, -1).slice(0, 7);
}

function checkMonth(month: string): void {
  if (!/^\d{4}-\d{2}$/.test(month)) throw new RangeError(`month: "${month}" is not YYYY-MM`);
  parseDay(`${month}-01`, 'month');
}

const monthEnd = (month: string) => addDays(`${addDays(`${month}-01`, 32).slice(0, 7)}-01`, -1);

export interface AssessmentRow {
  agentId: number;
  label: string;
  team: string;
  month: string;
  qaScore: number | null;
  kpiScore: number | null;
  attendanceScore: number | null;
  total: number;
  passed: boolean;
  flag: AssessmentFlag;
  retraining: string | null;
  details: { evaluations: number; targetsMet: number; targetsChecked: number; loginHours: number; expectedHours: number; weights: AssessmentSettings['weights'] };
  computedAt: string;
}

export interface AssessmentDeps {
  db: Db;
  settings: () => AssessmentSettings;
  reportParams: () => ReportParams;
  evaluations: EvaluationSource;
  /** The training module's assignRetraining; returns what to record (e.g. "retraining #12"). */
  retraining?: (agentId: number, reason: string) => string;
  now?: () => Date;
}

type Details = AssessmentRow['details'];

export class AssessmentService {
  private readonly now: () => Date;

  constructor(private readonly d: AssessmentDeps) {
    this.now = d.now ?? (() => new Date());
  }

  /** The three parts of one agent's month, measured from the store. */
  parts(agentIds: number[], month: string): Map<number, { parts: Parts; details: Omit<Details, 'weights'> }> {
    checkMonth(month);
    const s = this.d.settings();
    const params = this.d.reportParams();
    const tz = params.timeZone;
    const from = `${month}-01`;
    const to = monthEnd(month);
    const fromSec = localMidnight(from, tz);
    const toSec = localMidnight(addDays(to, 1), tz);
    const fromIso = new Date(fromSec * 1000).toISOString();
    const toIso = new Date(toSec * 1000).toISOString();
    const out = new Map<number, { parts: Parts; details: Omit<Details, 'weights'> }>();
    // QA: average effective score of the month's evaluations.
    const qa = new Map<number, { n: number; sum: number }>();
    for (const e of this.d.evaluations.between(fromIso, toIso)) {
      const a = qa.get(e.agentId) ?? { n: 0, sum: 0 };
      a.n++;
      a.sum += e.score;
      qa.set(e.agentId, a);
    }
    // KPI: targets met / targets with an actual, from the reports' month row of the agent.
    const kpi = new Map<number, { met: number; checked: number }>();
    const nowMs = this.now().getTime();
    if (fromSec * 1000 < nowMs) {
      const rep = kpiReport(this.d.db, params, { dimension: 'agent', period: 'month', from, to, agentIds }, nowMs);
      for (const r of rep.rows) {
        const checked = r.targets.filter((t) => t.met !== null);
        kpi.set(Number(r.key), { met: checked.filter((t) => t.met).length, checked: checked.length });
      }
    }
    // Attendance: login time (agent_sessions cut to the month; an open session counts up to now).
    let workDays = 0;
    for (let d = from; d <= to; d = addDays(d, 1)) if (s.workingWeekdays.includes(new Date(`${d}T00:00:00Z`).getUTCDay())) workDays++;
    const expectedHours = workDays * s.expectedHoursPerDay;
    const login = new Map<number, number>();
    const nowIso = new Date(nowMs).toISOString();
    for (const r of this.d.db
      .prepare<[string, string, string], { agent_id: number; login_at: string; logout_at: string | null }>('SELECT agent_id, login_at, logout_at FROM agent_sessions WHERE login_at < ? AND COALESCE(logout_at, ?) > ?')
      .iterate(toIso, nowIso, fromIso)) {
      const a = Math.max(Date.parse(r.login_at), fromSec * 1000);
      const b = Math.min(Date.parse(r.logout_at ?? nowIso), toSec * 1000);
      if (b > a) login.set(r.agent_id, (login.get(r.agent_id) ?? 0) + (b - a));
    }
    for (const id of agentIds) {
      const q = qa.get(id);
      const k = kpi.get(id);
      const loginHours = (login.get(id) ?? 0) / 3_600_000;
      out.set(id, {
        parts: {
          qa: q ? round1(q.sum / q.n) : null,
          kpi: k && k.checked > 0 ? round1((100 * k.met) / k.checked) : null,
          attendance: expectedHours > 0 ? round1(Math.min(1, loginHours / expectedHours) * 100) : null,
        },
        details: { evaluations: q?.n ?? 0, targetsMet: k?.met ?? 0, targetsChecked: k?.checked ?? 0, loginHours: Math.round(loginHours * 100) / 100, expectedHours },
      });
    }
    return out;
  }

  /**
   * Assesses every active agent for a month (again: replaces the month's rows) and hands a
   * newly flagged agent to retraining once. `partsOverride` lets a caller (tests, imports)
   * give the parts instead of measuring them.
   */
  run(month: string, partsOverride?: Map<number, Parts>): AssessmentRow[] {
    checkMonth(month);
    const s = validateAssessment(this.d.settings());
    const db = this.d.db;
    const agents = db.prepare<[], { id: number; number: string; name: string; team: string | null }>('SELECT id, number, name, team FROM agents WHERE active = 1 ORDER BY number').all();
    const measured = partsOverride ? null : this.parts(agents.map((a) => a.id), month);
    const prev = new Map<number, number>();
    for (const r of db.prepare<[string], { agent_id: number; total: number }>('SELECT agent_id, total FROM qa_assessments WHERE month = ?').iterate(previousMonth(month))) prev.set(r.agent_id, r.total);
    const existing = new Map<number, { flag: AssessmentFlag; retraining: string | null }>();
    for (const r of db.prepare<[string], { agent_id: number; flag: AssessmentFlag; retraining: string | null }>('SELECT agent_id, flag, retraining FROM qa_assessments WHERE month = ?').iterate(month)) existing.set(r.agent_id, r);
    const computedAt = this.now().toISOString();
    const rows: AssessmentRow[] = [];
    const toAssign: AssessmentRow[] = [];
    const upsert = db.prepare(
      `INSERT INTO qa_assessments (agent_id, month, qa_score, kpi_score, attendance_score, total, passed, flag, retraining, details_json, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent_id, month) DO UPDATE SET qa_score = excluded.qa_score, kpi_score = excluded.kpi_score, attendance_score = excluded.attendance_score, total = excluded.total,
         passed = excluded.passed, flag = excluded.flag, retraining = excluded.retraining, details_json = excluded.details_json, computed_at = excluded.computed_at`,
    );
    db.transaction(() => {
      for (const a of agents) {
        const m = measured?.get(a.id);
        const parts = partsOverride ? partsOverride.get(a.id) : m?.parts;
        if (!parts) continue;
        // Nothing measured (no login, no evaluation, no KPI actual): not assessed — a new hire or
        // an agent away all month is not sent to retraining for an empty month.
        if (m && m.details.loginHours === 0 && m.details.evaluations === 0 && m.details.targetsChecked === 0) continue;
        const total = combine(parts, s.weights);
        if (total === null) continue;
        const flag = flagFor(total, prev.get(a.id) ?? null);
        const before = existing.get(a.id);
        // Retraining is handed over once per agent and month (a recompute keeps what was done).
        const retraining = flag && before?.flag && before.retraining ? before.retraining : null;
        const details: Details = { ...(m?.details ?? { evaluations: 0, targetsMet: 0, targetsChecked: 0, loginHours: 0, expectedHours: 0 }), weights: s.weights };
        const row: AssessmentRow = { agentId: a.id, label: `${a.number} ${a.name}`, team: a.team ?? '', month, qaScore: parts.qa, kpiScore: parts.kpi, attendanceScore: parts.attendance, total, passed: total >= PASS_MARK, flag, retraining, details, computedAt };
        upsert.run(a.id, month, parts.qa, parts.kpi, parts.attendance, total, row.passed ? 1 : 0, flag, retraining, JSON.stringify(details), computedAt);
        rows.push(row);
        if (flag && !retraining) toAssign.push(row);
      }
    })();
    // Outside the transaction: the training module writes its own rows and audit.
    for (const row of toAssign) {
      const reason = row.flag === 'below_60' ? `monthly assessment ${row.month}: ${row.total} < ${PASS_MARK}` : `monthly assessment ${row.month}: ${row.total} < ${WARN_MARK} two months running`;
      let note: string;
      if (!this.d.retraining) note = 'flagged (training module not running)';
      else {
        try {
          note = this.d.retraining(row.agentId, reason);
        } catch (err) {
          note = `not assigned: ${(err as Error).message}`.slice(0, 200);
        }
      }
      row.retraining = note;
      db.prepare('UPDATE qa_assessments SET retraining = ? WHERE agent_id = ? AND month = ?').run(note, row.agentId, row.month);
    }
    return rows;
  }

  list(q: { month?: string; agentId?: number; flaggedOnly?: boolean; teams?: string[] }): AssessmentRow[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.month) {
      checkMonth(q.month);
      where.push('s.month = ?');
      args.push(q.month);
    }
    if (q.agentId !== undefined) {
      where.push('s.agent_id = ?');
      args.push(q.agentId);
    }
    if (q.flaggedOnly) where.push("s.flag <> ''");
    if (q.teams) {
      where.push(q.teams.length ? `a.team IN (${q.teams.map(() => '?').join(',')})` : '0');
      args.push(...q.teams);
    }
    const rows = this.d.db
      .prepare(
        `SELECT s.*, a.number, a.name, a.team FROM qa_assessments s JOIN agents a ON a.id = s.agent_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.month DESC, a.number LIMIT 5000`,
      )
      .all(...args) as Array<{ agent_id: number; month: string; qa_score: number | null; kpi_score: number | null; attendance_score: number | null; total: number; passed: number; flag: AssessmentFlag; retraining: string | null; details_json: string; computed_at: string; number: string; name: string; team: string | null }>;
    return rows.map((r) => ({
      agentId: r.agent_id,
      label: `${r.number} ${r.name}`,
      team: r.team ?? '',
      month: r.month,
      qaScore: r.qa_score,
      kpiScore: r.kpi_score,
      attendanceScore: r.attendance_score,
      total: r.total,
      passed: r.passed === 1,
      flag: r.flag,
      retraining: r.retraining,
      details: JSON.parse(r.details_json) as Details,
      computedAt: r.computed_at,
    }));
  }
}
