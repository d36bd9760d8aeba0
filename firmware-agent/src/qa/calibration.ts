// Calibration sessions (docs/qa.md): one recording + one form version, several reviewers score
// it independently; once all have scored (or the session is closed) the spread is shown:
// per item and total min / max / mean / population standard deviation, and each reviewer's
// deviation from the mean. Scores stay hidden while the session runs so nobody anchors.
import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../db/database.js';
import { QaInputError, type FormStore } from './forms.js';
import { QaForbiddenError, QaStateError } from './appeals.js';

export const CreateCalibrationBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  recordingId: Type.Integer({ minimum: 1 }),
  formVersionId: Type.Integer({ minimum: 1 }),
  reviewerUserIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 2, maxItems: 20 }),
});
export type CreateCalibrationBody = Static<typeof CreateCalibrationBody>;

const Stats = Type.Object({ n: Type.Integer(), min: Type.Union([Type.Number(), Type.Null()]), max: Type.Union([Type.Number(), Type.Null()]), mean: Type.Union([Type.Number(), Type.Null()]), sd: Type.Union([Type.Number(), Type.Null()]) });
export type Stats = Static<typeof Stats>;
export const CalibrationView = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  recordingId: Type.Integer(),
  formVersionId: Type.Integer(),
  status: Type.String(),
  createdAt: Type.String(),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  complete: Type.Boolean(),
  /** true when the scores and spread are shown (everyone scored, or closed). */
  revealed: Type.Boolean(),
  reviewers: Type.Array(
    Type.Object({
      userId: Type.Integer(),
      name: Type.String(),
      evaluationId: Type.Union([Type.Integer(), Type.Null()]),
      scored: Type.Boolean(),
      score: Type.Union([Type.Number(), Type.Null()]),
      deviation: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  total: Type.Union([Stats, Type.Null()]),
  items: Type.Array(Type.Object({ itemId: Type.Integer(), textZh: Type.String(), textEn: Type.String(), maxPoints: Type.Integer(), points: Type.Array(Type.Union([Type.Integer(), Type.Null()])), stats: Stats })),
});
export type CalibrationView = Static<typeof CalibrationView>;
export const CalibrationSummary = Type.Object({ id: Type.Integer(), title: Type.String(), recordingId: Type.Integer(), status: Type.String(), createdAt: Type.String(), reviewers: Type.Integer(), scored: Type.Integer() });
export type CalibrationSummary = Static<typeof CalibrationSummary>;

const r2 = (n: number) => Math.round(n * 100) / 100;

/** min, max, mean and population SD (the reviewers are the whole group, not a sample). */
export function spread(values: number[]): Stats {
  if (values.length === 0) return { n: 0, min: null, max: null, mean: null, sd: null };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { n: values.length, min: Math.min(...values), max: Math.max(...values), mean: r2(mean), sd: r2(Math.sqrt(variance)) };
}

export class CalibrationService {
  constructor(
    private readonly db: Db,
    private readonly forms: FormStore,
    private readonly now: () => Date,
  ) {}

  create(body: CreateCalibrationBody, userId: number): CalibrationView {
    if (!body.title.trim()) throw new QaInputError('must not be blank', 'title');
    if (!this.db.prepare('SELECT 1 FROM recordings WHERE id = ?').get(body.recordingId)) throw new QaInputError(`recording ${body.recordingId} does not exist`, 'recordingId');
    if (!this.forms.version(body.formVersionId)) throw new QaInputError(`form version ${body.formVersionId} does not exist`, 'formVersionId');
    const ids = [...new Set(body.reviewerUserIds)];
    if (ids.length < 2) throw new QaInputError('a calibration needs at least two different reviewers', 'reviewerUserIds');
    ids.forEach((uid, i) => {
      const roles = this.db.prepare<[number], { role: string }>('SELECT role FROM user_roles WHERE user_id = ?').all(uid).map((r) => r.role);
      if (!roles.some((r) => r === 'qa' || r === 'team_lead' || r === 'manager')) throw new QaInputError(`user ${uid} is not a reviewer (qa, team_lead or manager)`, `reviewerUserIds[${i}]`);
    });
    const id = this.db.transaction(() => {
      const sid = Number(
        this.db
          .prepare('INSERT INTO qa_calibration_sessions (title, recording_id, form_version_id, created_by, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(body.title.trim(), body.recordingId, body.formVersionId, userId, this.now().toISOString()).lastInsertRowid,
      );
      const add = this.db.prepare('INSERT INTO qa_calibration_reviewers (session_id, user_id) VALUES (?, ?)');
      for (const uid of ids) add.run(sid, uid);
      return sid;
    })();
    return this.view(id, { userId, manager: true })!;
  }

  /** Checks that the reviewer may score this session now; returns its recording and version. */
  assertCanScore(sessionId: number, userId: number, recordingId: number, formVersionId: number): void {
    const s = this.db.prepare<[number], { status: string; recording_id: number; form_version_id: number }>('SELECT * FROM qa_calibration_sessions WHERE id = ?').get(sessionId);
    if (!s) throw new QaInputError(`calibration session ${sessionId} does not exist`, 'calibrationSessionId', 'not_found');
    if (s.status !== 'open') throw new QaStateError(`calibration session ${sessionId} is closed`);
    if (s.recording_id !== recordingId) throw new QaInputError(`session ${sessionId} is about recording ${s.recording_id}`, 'recordingId');
    if (s.form_version_id !== formVersionId) throw new QaInputError(`session ${sessionId} uses form version ${s.form_version_id}`, 'formVersionId');
    const m = this.db.prepare<[number, number], { evaluation_id: number | null }>('SELECT evaluation_id FROM qa_calibration_reviewers WHERE session_id = ? AND user_id = ?').get(sessionId, userId);
    if (!m) throw new QaForbiddenError(`you are not a reviewer of calibration session ${sessionId}`);
    if (m.evaluation_id !== null) throw new QaStateError(`you already scored calibration session ${sessionId}`);
  }

  recordScore(sessionId: number, userId: number, evaluationId: number): void {
    this.db.prepare('UPDATE qa_calibration_reviewers SET evaluation_id = ? WHERE session_id = ? AND user_id = ?').run(evaluationId, sessionId, userId);
  }

  close(sessionId: number, userId: number): CalibrationView {
    const r = this.db.prepare("UPDATE qa_calibration_sessions SET status = 'closed', closed_by = ?, closed_at = ? WHERE id = ? AND status = 'open'").run(userId, this.now().toISOString(), sessionId);
    if (r.changes === 0) {
      if (!this.db.prepare('SELECT 1 FROM qa_calibration_sessions WHERE id = ?').get(sessionId)) throw new QaInputError(`calibration session ${sessionId} does not exist`, 'id', 'not_found');
      throw new QaStateError(`calibration session ${sessionId} is already closed`);
    }
    return this.view(sessionId, { userId, manager: true })!;
  }

  list(): CalibrationSummary[] {
    return this.db
      .prepare<[], { id: number; title: string; recording_id: number; status: string; created_at: string; reviewers: number; scored: number }>(
        `SELECT s.id, s.title, s.recording_id, s.status, s.created_at, count(cr.user_id) AS reviewers, count(cr.evaluation_id) AS scored
           FROM qa_calibration_sessions s LEFT JOIN qa_calibration_reviewers cr ON cr.session_id = s.id GROUP BY s.id ORDER BY s.id DESC`,
      )
      .all()
      .map((r) => ({ id: r.id, title: r.title, recordingId: r.recording_id, status: r.status, createdAt: r.created_at, reviewers: r.reviewers, scored: r.scored }));
  }

  /**
   * The session as `viewer` may see it: reviewers and managers see progress; scores and the
   * spread only once everyone has scored or the session is closed. Others get undefined.
   */
  view(sessionId: number, viewer: { userId: number; manager: boolean }): CalibrationView | undefined {
    const s = this.db
      .prepare<[number], { id: number; title: string; recording_id: number; form_version_id: number; status: string; created_at: string; closed_at: string | null }>('SELECT * FROM qa_calibration_sessions WHERE id = ?')
      .get(sessionId);
    if (!s) return undefined;
    const members = this.db
      .prepare<[number], { user_id: number; display_name: string; evaluation_id: number | null; score: number | null }>(
        `SELECT cr.user_id, u.display_name, cr.evaluation_id, e.score FROM qa_calibration_reviewers cr JOIN users u ON u.id = cr.user_id
           LEFT JOIN qa_evaluations e ON e.id = cr.evaluation_id WHERE cr.session_id = ? ORDER BY u.display_name, cr.user_id`,
      )
      .all(sessionId);
    if (!viewer.manager && !members.some((m) => m.user_id === viewer.userId)) return undefined;
    const complete = members.every((m) => m.evaluation_id !== null);
    const revealed = complete || s.status === 'closed';
    const scored = members.filter((m) => m.evaluation_id !== null);
    const total = revealed ? spread(scored.map((m) => m.score!)) : null;
    const form = this.forms.version(s.form_version_id)!;
    const items = revealed
      ? form.sections.flatMap((sec) =>
          sec.items.map((it) => {
            const points = scored.map(
              (m) => this.db.prepare<[number, number], { points: number | null }>('SELECT points FROM qa_evaluation_answers WHERE evaluation_id = ? AND item_id = ?').get(m.evaluation_id!, it.id)?.points ?? null,
            );
            return { itemId: it.id, textZh: it.textZh, textEn: it.textEn, maxPoints: it.maxPoints, points, stats: spread(points.filter((p): p is number => p !== null)) };
          }),
        )
      : [];
    return {
      id: s.id,
      title: s.title,
      recordingId: s.recording_id,
      formVersionId: s.form_version_id,
      status: s.status,
      createdAt: s.created_at,
      closedAt: s.closed_at,
      complete,
      revealed,
      reviewers: members.map((m) => ({
        userId: m.user_id,
        name: m.display_name,
        evaluationId: revealed || m.user_id === viewer.userId ? m.evaluation_id : null,
        scored: m.evaluation_id !== null,
        score: revealed || m.user_id === viewer.userId ? m.score : null,
        deviation: revealed && m.score !== null && total?.mean != null ? r2(m.score - total.mean) : null,
      })),
      total,
      items,
    };
  }
}
