// Agent acknowledgement and appeals, QA-manager decisions and outlier re-checks (docs/qa.md).
// Every step is a line in qa_evaluation_events, so the full history stays.
import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../db/database.js';
import { QaInputError, type FormStore } from './forms.js';
import type { EvaluationStore } from './scoring.js';

export const AppealBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) });
export const DecideBody = Type.Object({
  decision: Type.Union([Type.Literal('upheld'), Type.Literal('rejected')]),
  /** For upheld: set the score (adjusted) or have another reviewer score the call again (rescore). */
  outcome: Type.Optional(Type.Union([Type.Literal('adjusted'), Type.Literal('rescore')])),
  adjustedScore: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  rescoreReviewerUserId: Type.Optional(Type.Integer({ minimum: 1 })),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type DecideBody = Static<typeof DecideBody>;
export const RecheckBody = Type.Object({
  action: Type.Union([Type.Literal('confirm'), Type.Literal('adjust')]),
  score: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type RecheckBody = Static<typeof RecheckBody>;

export const AppealView = Type.Object({
  id: Type.Integer(),
  evaluationId: Type.Integer(),
  agentId: Type.Union([Type.Integer(), Type.Null()]),
  agentName: Type.Union([Type.String(), Type.Null()]),
  reviewerName: Type.String(),
  score: Type.Number(),
  reason: Type.String(),
  filedAt: Type.String(),
  status: Type.String(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  adjustedScore: Type.Union([Type.Number(), Type.Null()]),
  rescoreReviewerUserId: Type.Union([Type.Integer(), Type.Null()]),
  rescoreEvaluationId: Type.Union([Type.Integer(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  decisionNote: Type.Union([Type.String(), Type.Null()]),
});
export type AppealView = Static<typeof AppealView>;

export class QaStateError extends Error {
  constructor(
    message: string,
    readonly code = 'conflict',
  ) {
    super(message);
  }
}
export class QaForbiddenError extends Error {}

export interface AppealDeps {
  db: Db;
  forms: FormStore;
  evaluations: EvaluationStore;
  now: () => Date;
}

export class AppealService {
  constructor(private readonly d: AppealDeps) {}

  private get db(): Db {
    return this.d.db;
  }

  /** The agent row of a web user (agents.user_id), or undefined. */
  agentOfUser(userId: number): number | undefined {
    return this.db.prepare<[number], { id: number }>('SELECT id FROM agents WHERE user_id = ?').get(userId)?.id;
  }

  private ownEvaluation(evaluationId: number, userId: number) {
    const ev = this.d.evaluations.row(evaluationId);
    if (!ev || ev.kind === 'calibration') throw new QaInputError(`evaluation ${evaluationId} does not exist`, 'id', 'not_found');
    const agentId = this.agentOfUser(userId);
    if (agentId === undefined || ev.agent_id !== agentId) throw new QaForbiddenError(`evaluation ${evaluationId} is not about your calls`);
    return ev;
  }

  acknowledge(evaluationId: number, userId: number): void {
    const ev = this.ownEvaluation(evaluationId, userId);
    if (ev.status !== 'submitted') throw new QaStateError(`evaluation ${evaluationId} is ${ev.status}; only a new result can be acknowledged`);
    const now = this.d.now().toISOString();
    this.db.prepare("UPDATE qa_evaluations SET status = 'acknowledged', acknowledged_at = ? WHERE id = ?").run(now, evaluationId);
    this.d.evaluations.event(evaluationId, userId, 'acknowledged');
  }

  /** Appeal within the deadline; re-scores after an appeal are final (no second appeal). */
  appeal(evaluationId: number, userId: number, reason: string): AppealView {
    const ev = this.ownEvaluation(evaluationId, userId);
    if (!reason.trim()) throw new QaInputError('must not be blank', 'reason');
    if (ev.status !== 'submitted') throw new QaStateError(`evaluation ${evaluationId} is ${ev.status}; only a new result can be appealed`);
    if (ev.kind === 'rescore' && ev.replaces_evaluation_id !== null && this.db.prepare('SELECT 1 FROM qa_appeals WHERE rescore_evaluation_id = ?').get(evaluationId)) {
      throw new QaStateError(`evaluation ${evaluationId} is the re-score of an appeal; it is final`);
    }
    const now = this.d.now();
    if (ev.ack_deadline && now.toISOString() > ev.ack_deadline) throw new QaStateError(`the appeal window closed at ${ev.ack_deadline}`, 'appeal_window_closed');
    return this.db.transaction(() => {
      const id = Number(
        this.db.prepare('INSERT INTO qa_appeals (evaluation_id, agent_id, filed_by, reason, filed_at) VALUES (?, ?, ?, ?, ?)').run(evaluationId, ev.agent_id, userId, reason.trim(), now.toISOString()).lastInsertRowid,
      );
      this.db.prepare("UPDATE qa_evaluations SET status = 'appealed' WHERE id = ?").run(evaluationId);
      this.d.evaluations.event(evaluationId, userId, 'appealed', { appealId: id, reason: reason.trim() });
      return this.view(id)!;
    })();
  }

  view(id: number): AppealView | undefined {
    return this.listWhere('ap.id = ?', [id])[0];
  }

  list(status?: 'open' | 'upheld' | 'rejected'): AppealView[] {
    return status ? this.listWhere('ap.status = ?', [status]) : this.listWhere('1 = 1', []);
  }

  private listWhere(where: string, args: (string | number)[]): AppealView[] {
    return this.db
      .prepare<(string | number)[], { id: number; evaluation_id: number; agent_id: number | null; agent_name: string | null; reviewer_name: string; score: number; reason: string; filed_at: string; status: string; outcome: string | null; adjusted_score: number | null; rescore_reviewer_user_id: number | null; rescore_evaluation_id: number | null; decided_at: string | null; decision_note: string | null }>(
        `SELECT ap.*, a.name AS agent_name, u.display_name AS reviewer_name, e.score FROM qa_appeals ap
           JOIN qa_evaluations e ON e.id = ap.evaluation_id JOIN users u ON u.id = e.reviewer_user_id LEFT JOIN agents a ON a.id = ap.agent_id
          WHERE ${where} ORDER BY ap.status = 'open' DESC, ap.filed_at`,
      )
      .all(...args)
      .map((r) => ({
        id: r.id,
        evaluationId: r.evaluation_id,
        agentId: r.agent_id,
        agentName: r.agent_name,
        reviewerName: r.reviewer_name,
        score: r.score,
        reason: r.reason,
        filedAt: r.filed_at,
        status: r.status,
        outcome: r.outcome,
        adjustedScore: r.adjusted_score,
        rescoreReviewerUserId: r.rescore_reviewer_user_id,
        rescoreEvaluationId: r.rescore_evaluation_id,
        decidedAt: r.decided_at,
        decisionNote: r.decision_note,
      }));
  }

  /** A QA manager decides an open appeal. */
  decide(appealId: number, managerUserId: number, body: DecideBody): AppealView {
    const ap = this.view(appealId);
    if (!ap) throw new QaInputError(`appeal ${appealId} does not exist`, 'id', 'not_found');
    if (ap.status !== 'open') throw new QaStateError(`appeal ${appealId} is already ${ap.status}`);
    const ev = this.d.evaluations.row(ap.evaluationId)!;
    const now = this.d.now().toISOString();
    return this.db.transaction(() => {
      if (body.decision === 'rejected') {
        this.db.prepare("UPDATE qa_appeals SET status = 'rejected', decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?").run(managerUserId, now, body.note ?? null, appealId);
        this.db.prepare("UPDATE qa_evaluations SET status = 'appeal_rejected' WHERE id = ?").run(ev.id);
        this.d.evaluations.event(ev.id, managerUserId, 'appeal_rejected', { appealId, note: body.note ?? null });
        return this.view(appealId)!;
      }
      if (body.outcome === 'adjusted') {
        if (body.adjustedScore === undefined) throw new QaInputError('an adjusted outcome needs the new score', 'adjustedScore');
        const passMark = this.d.forms.version(ev.form_version_id)!.passMark;
        this.db
          .prepare("UPDATE qa_appeals SET status = 'upheld', outcome = 'adjusted', adjusted_score = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?")
          .run(body.adjustedScore, managerUserId, now, body.note ?? null, appealId);
        this.db
          .prepare("UPDATE qa_evaluations SET status = 'appeal_upheld', score = ?, passed = ? WHERE id = ?")
          .run(body.adjustedScore, body.adjustedScore >= passMark ? 1 : 0, ev.id);
        this.d.evaluations.event(ev.id, managerUserId, 'appeal_upheld', { appealId, outcome: 'adjusted', oldScore: ev.score, newScore: body.adjustedScore, note: body.note ?? null });
        return this.view(appealId)!;
      }
      if (body.outcome === 'rescore') {
        const rid = body.rescoreReviewerUserId;
        if (!rid) throw new QaInputError('a re-score needs the reviewer who scores again', 'rescoreReviewerUserId');
        if (rid === ev.reviewer_user_id) throw new QaInputError('the re-score must be by another reviewer than the first', 'rescoreReviewerUserId');
        const roles = this.db.prepare<[number], { role: string }>('SELECT role FROM user_roles WHERE user_id = ?').all(rid).map((r) => r.role);
        if (!roles.some((r) => r === 'qa' || r === 'team_lead' || r === 'manager' || r === 'admin')) throw new QaInputError(`user ${rid} is not a reviewer (qa, team_lead or manager)`, 'rescoreReviewerUserId');
        this.db
          .prepare("UPDATE qa_appeals SET status = 'upheld', outcome = 'rescore', rescore_reviewer_user_id = ?, decided_by = ?, decided_at = ?, decision_note = ? WHERE id = ?")
          .run(rid, managerUserId, now, body.note ?? null, appealId);
        this.db.prepare("UPDATE qa_evaluations SET status = 'appeal_upheld' WHERE id = ?").run(ev.id);
        this.d.evaluations.event(ev.id, managerUserId, 'appeal_upheld', { appealId, outcome: 'rescore', rescoreReviewerUserId: rid, note: body.note ?? null });
        return this.view(appealId)!;
      }
      throw new QaInputError('an upheld appeal needs outcome "adjusted" or "rescore"', 'outcome');
    })();
  }

  /** The open re-score assignment for this evaluation and reviewer, or an error. */
  rescoreAssignment(evaluationId: number, reviewerUserId: number): AppealView {
    const ap = this.listWhere('ap.evaluation_id = ?', [evaluationId])[0];
    if (!ap || ap.status !== 'upheld' || ap.outcome !== 'rescore') throw new QaStateError(`evaluation ${evaluationId} has no re-score ordered`);
    if (ap.rescoreEvaluationId !== null) throw new QaStateError(`evaluation ${evaluationId} was already re-scored (evaluation ${ap.rescoreEvaluationId})`);
    if (ap.rescoreReviewerUserId !== reviewerUserId) throw new QaForbiddenError(`the re-score of evaluation ${evaluationId} is assigned to another reviewer`);
    return ap;
  }

  /** Links a finished re-score: the original is superseded by it. */
  completeRescore(appealId: number, originalId: number, rescoreId: number, reviewerUserId: number): void {
    this.db.prepare('UPDATE qa_appeals SET rescore_evaluation_id = ? WHERE id = ?').run(rescoreId, appealId);
    this.db.prepare("UPDATE qa_evaluations SET status = 'superseded' WHERE id = ?").run(originalId);
    this.d.evaluations.event(originalId, reviewerUserId, 'superseded', { by: rescoreId, appealId });
  }

  /** A QA manager re-checks an outlier: confirm the score or set it. */
  recheck(evaluationId: number, managerUserId: number, body: RecheckBody): void {
    const ev = this.d.evaluations.row(evaluationId);
    if (!ev || ev.kind === 'calibration') throw new QaInputError(`evaluation ${evaluationId} does not exist`, 'id', 'not_found');
    if (ev.recheck_status !== 'pending') throw new QaStateError(`evaluation ${evaluationId} has no pending re-check (${ev.recheck_status})`);
    const now = this.d.now().toISOString();
    if (body.action === 'confirm') {
      this.db.prepare("UPDATE qa_evaluations SET recheck_status = 'confirmed', recheck_by = ?, recheck_at = ?, recheck_note = ? WHERE id = ?").run(managerUserId, now, body.note ?? null, evaluationId);
      this.d.evaluations.event(evaluationId, managerUserId, 'recheck_confirmed', { note: body.note ?? null });
      return;
    }
    if (body.score === undefined) throw new QaInputError('adjusting needs the new score', 'score');
    const passMark = this.d.forms.version(ev.form_version_id)!.passMark;
    this.db
      .prepare("UPDATE qa_evaluations SET recheck_status = 'adjusted', score = ?, passed = ?, recheck_by = ?, recheck_at = ?, recheck_note = ? WHERE id = ?")
      .run(body.score, body.score >= passMark ? 1 : 0, managerUserId, now, body.note ?? null, evaluationId);
    this.d.evaluations.event(evaluationId, managerUserId, 'recheck_adjusted', { oldScore: ev.score, newScore: body.score, note: body.note ?? null });
  }
}
