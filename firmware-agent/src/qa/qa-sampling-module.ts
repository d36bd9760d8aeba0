// QA sampling plans, QA reports and the monthly assessment as one module (docs/qa-sampling.md): settings in the settings store, node-cron jobs for the
// daily sampling top-up and the monthly assessment, audit of every change.
import { schedule, type ScheduledTask } from 'node-cron';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging.js';
import type { ReportParams } from '../reports/kpi.js';
import { addDays } from '../reports/time.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { ASSESSMENT_KEY, AssessmentService, DEFAULT_ASSESSMENT, validateAssessment, type AssessmentRow, type AssessmentSettings } from './assessment.js';
import { qaReport, type QaReport, type ReportScope } from './qa-reports.js';
import { sqlEvaluationSource, type EvaluationSource } from './qa-sampling-source.js';
import { DEFAULT_SAMPLING, SAMPLING_KEY, SamplingService, validateSampling, type RunResult, type SamplingSettings } from './sampling.js';

/** Daily top-up at 01:20 (yesterday's calls are complete); assessment of last month on the 1st at 01:40. */
export const SAMPLING_SCHEDULE = '20 1 * * *';
export const ASSESSMENT_SCHEDULE = '40 1 1 * *';

export interface Actor {
  userId?: number;
  username?: string;
  ip?: string;
}

export interface QaSamplingDeps {
  db: Db;
  settings: SettingsStore;
  audit: AuditLog;
  logger: Logger;
  reportParams: () => ReportParams;
  /** The training module's assignRetraining (agentId, reason) → what to record. */
  retraining?: (agentId: number, reason: string) => string;
  evaluations?: EvaluationSource;
  schedules?: boolean;
  now?: () => Date;
}

const actorFields = (a: Actor) => ({ ...(a.userId ? { userId: a.userId } : {}), ...(a.username ? { username: a.username } : {}), ...(a.ip ? { ip: a.ip } : {}) });

export class QaSamplingModule implements Module {
  readonly name = 'qa-sampling';
  readonly sampling: SamplingService;
  readonly assessment: AssessmentService;
  readonly evaluations: EvaluationSource;
  private readonly tasks: ScheduledTask[] = [];

  constructor(private readonly d: QaSamplingDeps) {
    // Looked up per call: 0017's tables may be migrated after this module was built (tests).
    this.evaluations = d.evaluations ?? { between: (a, b) => sqlEvaluationSource(d.db).between(a, b), doneBy: (u, ids) => sqlEvaluationSource(d.db).doneBy(u, ids) };
    const tz = () => d.reportParams().timeZone;
    this.sampling = new SamplingService({ db: d.db, settings: () => this.samplingSettings(), timeZone: tz, evaluations: this.evaluations, ...(d.now ? { now: d.now } : {}) });
    this.assessment = new AssessmentService({
      db: d.db,
      settings: () => this.assessmentSettings(),
      reportParams: d.reportParams,
      evaluations: this.evaluations,
      ...(d.retraining ? { retraining: d.retraining } : {}),
      ...(d.now ? { now: d.now } : {}),
    });
  }

  async start(): Promise<void> {
    if (this.d.schedules === false) return;
    const timezone = this.d.reportParams().timeZone;
    this.tasks.push(schedule(SAMPLING_SCHEDULE, () => void this.scheduledSampling(), { name: 'qa-sampling', timezone, noOverlap: true }));
    this.tasks.push(schedule(ASSESSMENT_SCHEDULE, () => void this.scheduledAssessment(), { name: 'qa-assessment', timezone, noOverlap: true }));
  }

  async stop(): Promise<void> {
    for (const t of this.tasks.splice(0)) void t.stop();
  }

  samplingSettings(): SamplingSettings {
    return { ...DEFAULT_SAMPLING, ...this.d.settings.get<Partial<SamplingSettings>>(SAMPLING_KEY) };
  }

  setSamplingSettings(s: SamplingSettings, actor: Actor): SamplingSettings {
    const v = validateSampling({ period: s.period, leadRate: s.leadRate, qaRate: s.qaRate, dueDays: s.dueDays, seed: s.seed });
    this.d.settings.set(SAMPLING_KEY, v);
    this.d.audit.write({ ...actorFields(actor), action: 'qa.sampling_settings_changed', target: SAMPLING_KEY, detail: v });
    return v;
  }

  assessmentSettings(): AssessmentSettings {
    const stored = this.d.settings.get<Partial<AssessmentSettings>>(ASSESSMENT_KEY) ?? {};
    return { ...DEFAULT_ASSESSMENT, ...stored, weights: { ...DEFAULT_ASSESSMENT.weights, ...stored.weights } };
  }

  setAssessmentSettings(s: AssessmentSettings, actor: Actor): AssessmentSettings {
    const v = validateAssessment({ weights: { qa: s.weights.qa, kpi: s.weights.kpi, attendance: s.weights.attendance }, expectedHoursPerDay: s.expectedHoursPerDay, workingWeekdays: [...s.workingWeekdays].sort() });
    this.d.settings.set(ASSESSMENT_KEY, v);
    this.d.audit.write({ ...actorFields(actor), action: 'qa.assessment_settings_changed', target: ASSESSMENT_KEY, detail: v });
    return v;
  }

  runSampling(day: string | undefined, actor: Actor): RunResult {
    const r = this.sampling.run('manual', day);
    this.d.audit.write({ ...actorFields(actor), action: 'qa.sampling_run', target: `qa_sampling_run:${r.runId}`, detail: { period: r.period, calls: r.calls, addedLead: r.addedLead, addedQa: r.addedQa } });
    return r;
  }

  runAssessment(month: string, actor: Actor): AssessmentRow[] {
    const rows = this.assessment.run(month);
    this.d.audit.write({ ...actorFields(actor), action: 'qa.assessment_run', target: `month:${month}`, detail: { agents: rows.length, flagged: rows.filter((r) => r.flag).map((r) => ({ agentId: r.agentId, flag: r.flag, total: r.total })) } });
    return rows;
  }

  report(req: { from: string; to: string } & ReportScope): QaReport {
    return qaReport(this.d.db, this.evaluations, this.d.reportParams().timeZone, req);
  }

  /** The daily job: top up the plan of the period containing yesterday. */
  async scheduledSampling(): Promise<RunResult | null> {
    try {
      const r = this.sampling.run('schedule', addDays(this.sampling.today(), -1));
      this.d.logger.info({ period: r.period, calls: r.calls, addedLead: r.addedLead, addedQa: r.addedQa }, 'QA sampling topped up');
      return r;
    } catch (err) {
      this.d.logger.error({ err }, 'QA sampling job failed');
      return null;
    }
  }

  /** The monthly job: assess last month. */
  async scheduledAssessment(): Promise<number | null> {
    try {
      const month = addDays(`${this.sampling.today().slice(0, 7)}-01`, -1).slice(0, 7);
      const rows = this.runAssessment(month, { username: 'schedule' });
      this.d.logger.info({ month, agents: rows.length, flagged: rows.filter((r) => r.flag).length }, 'monthly assessment done');
      return rows.length;
    } catch (err) {
      this.d.logger.error({ err }, 'monthly assessment job failed');
      return null;
    }
  }

  /** The agent linked to a user (agents read their own assessment). */
  agentOfUser(userId: number): number | null {
    return this.d.db.prepare<[number], { id: number }>('SELECT id FROM agents WHERE user_id = ?').get(userId)?.id ?? null;
  }

  teamsLedBy(userId: number): string[] {
    return this.d.db.prepare<[number], { name: string }>('SELECT name FROM teams WHERE lead_user_id = ?').all(userId).map((r) => r.name);
  }
}
