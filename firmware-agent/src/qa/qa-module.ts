// The QA module (docs/qa.md): forms, scoring, appeals, outlier re-checks, calibration.
// QA manager = a user with the role `manager` (admin passes too); reviewers are `qa` and
// `team_lead`; agents see and answer their own results through agents.user_id.
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging.js';
import { AppealService, QaForbiddenError, QaStateError } from './appeals.js';
import { CalibrationService } from './calibration.js';
import { DEMO_FORM, FormStore, QaInputError } from './forms.js';
import { DEFAULT_OUTLIER, EvaluationStore, type EvaluationSummary, type OutlierRule, type SubmitBody } from './scoring.js';

export { QaForbiddenError, QaInputError, QaStateError };

export interface QaModuleDeps {
  db: Db;
  logger?: Logger;
  /** Test seam: a fixed clock. */
  now?: () => Date;
  /** Days the agent has to acknowledge or appeal (default 7). */
  ackDays?: number;
  outlier?: Partial<OutlierRule>;
  /** Demo box: seed the example form when there is none, so QA can start scoring at once. */
  demo?: boolean;
}

export const DEFAULT_ACK_DAYS = 7;

export class QaModule implements Module {
  readonly name = 'qa';
  readonly forms: FormStore;
  readonly evaluations: EvaluationStore;
  readonly appeals: AppealService;
  readonly calibration: CalibrationService;
  readonly now: () => Date;
  readonly ackDays: number;
  readonly outlierRule: OutlierRule;

  constructor(private readonly d: QaModuleDeps) {
    this.now = d.now ?? (() => new Date());
    this.ackDays = d.ackDays ?? DEFAULT_ACK_DAYS;
    this.outlierRule = { ...DEFAULT_OUTLIER, ...d.outlier };
    this.forms = new FormStore(d.db);
    this.evaluations = new EvaluationStore({ db: d.db, forms: this.forms, now: this.now, ackDays: this.ackDays, outlier: this.outlierRule });
    this.appeals = new AppealService({ db: d.db, forms: this.forms, evaluations: this.evaluations, now: this.now });
    this.calibration = new CalibrationService(d.db, this.forms, this.now);
  }

  /** Enabled users who can score: qa, team_lead, manager. */
  reviewers(): { id: number; name: string; roles: string[] }[] {
    return this.d.db
      .prepare<[], { id: number; display_name: string; roles: string }>(
        `SELECT u.id, u.display_name, group_concat(r.role) AS roles FROM users u JOIN user_roles r ON r.user_id = u.id
          WHERE u.disabled = 0 GROUP BY u.id HAVING sum(r.role IN ('qa', 'team_lead', 'manager')) > 0 ORDER BY u.display_name`,
      )
      .all()
      .map((u) => ({ id: u.id, name: u.display_name, roles: u.roles.split(',') }));
  }

  async start(): Promise<void> {
    if (this.d.demo && this.forms.list().length === 0) {
      const v = this.forms.create(DEMO_FORM, null);
      this.d.logger?.info({ formId: v.formId }, 'demo QA form seeded');
    }
  }
  async stop(): Promise<void> {}

  /**
   * Submits a scored call: a calibration score when calibrationSessionId is set, a re-score
   * when replacesEvaluationId is set (must be assigned to this reviewer), else a review.
   */
  submit(body: SubmitBody, reviewerUserId: number): EvaluationSummary {
    return this.d.db.transaction(() => {
      if (body.calibrationSessionId !== undefined) {
        this.calibration.assertCanScore(body.calibrationSessionId, reviewerUserId, body.recordingId, body.formVersionId);
        const ev = this.evaluations.insert({ ...body, reviewerUserId, kind: 'calibration' });
        this.calibration.recordScore(body.calibrationSessionId, reviewerUserId, ev.id);
        return ev;
      }
      if (body.replacesEvaluationId !== undefined) {
        const original = this.evaluations.row(body.replacesEvaluationId);
        if (!original) throw new QaInputError(`evaluation ${body.replacesEvaluationId} does not exist`, 'replacesEvaluationId', 'not_found');
        if (original.recording_id !== body.recordingId) throw new QaInputError(`evaluation ${original.id} is about recording ${original.recording_id}`, 'recordingId');
        const ap = this.appeals.rescoreAssignment(original.id, reviewerUserId);
        const ev = this.evaluations.insert({ ...body, reviewerUserId, kind: 'rescore' });
        this.appeals.completeRescore(ap.id, original.id, ev.id, reviewerUserId);
        return this.evaluations.summary(ev.id)!;
      }
      const form = this.forms.version(body.formVersionId);
      if (form && !this.d.db.prepare('SELECT active FROM qa_forms WHERE id = ? AND active = 1').get(form.formId)) {
        throw new QaStateError(`form ${form.formId} is inactive`);
      }
      return this.evaluations.insert({ ...body, reviewerUserId, kind: 'review' });
    })();
  }
}
