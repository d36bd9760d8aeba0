// Scoring (docs/qa.md): score = Σ(points/max × weight) over applicable items ÷ Σ weight of the
// applicable items × 100, rounded to 2 decimals; N/A items leave both sums. A critical item
// scored 0 zeroes the evaluation and fails the call. Evaluations keep their form version.
import { Type, type Static } from '@sinclair/typebox';
import type { Db } from '../db/database.js';
import { QaInputError, type FormStore, type FormVersion } from './forms.js';

export const AnswerInput = Type.Object({
  itemId: Type.Integer({ minimum: 1 }),
  /** null = not applicable. Null first: fastify's ajv coerces types and would turn null into 0 for an integer branch. */
  points: Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 100 })]),
});
export type AnswerInput = Static<typeof AnswerInput>;
export const CommentInput = Type.Object({
  positionMs: Type.Integer({ minimum: 0 }),
  itemId: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 1 })])),
  text: Type.String({ minLength: 1, maxLength: 2000 }),
});
export type CommentInput = Static<typeof CommentInput>;
export const SubmitBody = Type.Object({
  recordingId: Type.Integer({ minimum: 1 }),
  formVersionId: Type.Integer({ minimum: 1 }),
  answers: Type.Array(AnswerInput, { maxItems: 500 }),
  comments: Type.Array(CommentInput, { default: [], maxItems: 500 }),
  source: Type.Optional(Type.String({ maxLength: 64 })),
  /** Scores for a calibration session instead of a normal review. */
  calibrationSessionId: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Re-score assigned by a QA manager after an upheld appeal (the appeal's evaluation). */
  replacesEvaluationId: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type SubmitBody = Static<typeof SubmitBody>;

export interface ScoreResult {
  score: number;
  rawScore: number;
  passed: boolean;
  criticalFailed: boolean;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Validates the answers against the version (every item once, points in range) and scores them. */
export function computeScore(form: FormVersion, answers: AnswerInput[]): ScoreResult {
  const items = form.sections.flatMap((s) => s.items);
  const byId = new Map(answers.map((a, i) => [a.itemId, { a, i }]));
  if (byId.size !== answers.length) throw new QaInputError('an item is answered twice', 'answers');
  for (const [idx, a] of answers.entries()) {
    if (!items.some((it) => it.id === a.itemId)) throw new QaInputError(`item ${a.itemId} is not on form version ${form.id}`, `answers[${idx}].itemId`);
  }
  let earned = 0;
  let applicable = 0;
  let criticalFailed = false;
  for (const it of items) {
    const hit = byId.get(it.id);
    if (!hit) throw new QaInputError(`item ${it.id} ("${it.textEn}") has no answer`, 'answers');
    const path = `answers[${hit.i}].points`;
    const p = hit.a.points;
    if (p === null) {
      if (!it.naAllowed) throw new QaInputError(`item ${it.id} does not allow N/A`, path);
      continue;
    }
    if (!Number.isInteger(p) || p < 0 || p > it.maxPoints) throw new QaInputError(`must be a whole number from 0 to ${it.maxPoints}`, path);
    if (it.critical && p !== 0 && p !== it.maxPoints) throw new QaInputError(`critical item ${it.id} is scored 0 (failed) or ${it.maxPoints} (passed)`, path);
    if (it.critical && p === 0) criticalFailed = true;
    earned += (p / it.maxPoints) * it.weight;
    applicable += it.weight;
  }
  if (applicable === 0) throw new QaInputError('every item is N/A; nothing to score', 'answers');
  const rawScore = round2((earned / applicable) * 100);
  const score = criticalFailed ? 0 : rawScore;
  return { score, rawScore, passed: !criticalFailed && score >= form.passMark, criticalFailed };
}

export const EvaluationStatus = Type.Union(
  ['submitted', 'acknowledged', 'appealed', 'appeal_rejected', 'appeal_upheld', 'superseded', 'calibration'].map((s) => Type.Literal(s)),
);
export type EvaluationStatus = 'submitted' | 'acknowledged' | 'appealed' | 'appeal_rejected' | 'appeal_upheld' | 'superseded' | 'calibration';

export const EvaluationSummary = Type.Object({
  id: Type.Integer(),
  recordingId: Type.Integer(),
  recordingStartedAt: Type.String(),
  recordingDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  agentId: Type.Union([Type.Integer(), Type.Null()]),
  agentName: Type.Union([Type.String(), Type.Null()]),
  reviewerUserId: Type.Integer(),
  reviewerName: Type.String(),
  formVersionId: Type.Integer(),
  formId: Type.Integer(),
  formName: Type.String(),
  formVersion: Type.Integer(),
  kind: Type.String(),
  source: Type.Union([Type.String(), Type.Null()]),
  score: Type.Number(),
  rawScore: Type.Number(),
  passed: Type.Boolean(),
  criticalFailed: Type.Boolean(),
  status: Type.String(),
  ackDeadline: Type.Union([Type.String(), Type.Null()]),
  acknowledgedAt: Type.Union([Type.String(), Type.Null()]),
  outlier: Type.Boolean(),
  outlierReason: Type.Union([Type.String(), Type.Null()]),
  recheckStatus: Type.String(),
  replacesEvaluationId: Type.Union([Type.Integer(), Type.Null()]),
  calibrationSessionId: Type.Union([Type.Integer(), Type.Null()]),
  submittedAt: Type.String(),
});
export type EvaluationSummary = Static<typeof EvaluationSummary>;
export const EvaluationDetail = Type.Composite([
  EvaluationSummary,
  Type.Object({
    answers: Type.Array(Type.Object({ itemId: Type.Integer(), points: Type.Union([Type.Integer(), Type.Null()]) })),
    comments: Type.Array(Type.Object({ id: Type.Integer(), positionMs: Type.Integer(), itemId: Type.Union([Type.Integer(), Type.Null()]), text: Type.String() })),
    events: Type.Array(Type.Object({ at: Type.String(), actor: Type.Union([Type.String(), Type.Null()]), event: Type.String(), detail: Type.Unknown() })),
    appeal: Type.Union([
      Type.Object({
        id: Type.Integer(),
        reason: Type.String(),
        status: Type.String(),
        filedAt: Type.String(),
        outcome: Type.Union([Type.String(), Type.Null()]),
        adjustedScore: Type.Union([Type.Number(), Type.Null()]),
        decisionNote: Type.Union([Type.String(), Type.Null()]),
        decidedAt: Type.Union([Type.String(), Type.Null()]),
        rescoreEvaluationId: Type.Union([Type.Integer(), Type.Null()]),
      }),
      Type.Null(),
    ]),
    form: Type.Unknown(),
  }),
]);
export type EvaluationDetail = Static<typeof EvaluationDetail>;

export const EvaluationListQuery = Type.Object({
  agentId: Type.Optional(Type.Integer({ minimum: 1 })),
  reviewerUserId: Type.Optional(Type.Integer({ minimum: 1 })),
  recordingId: Type.Optional(Type.Integer({ minimum: 1 })),
  status: Type.Optional(Type.String({ maxLength: 32 })),
  outlierPending: Type.Optional(Type.Boolean()),
  kind: Type.Optional(Type.Union([Type.Literal('review'), Type.Literal('rescore'), Type.Literal('calibration')])),
  from: Type.Optional(Type.String({ format: 'date' })),
  to: Type.Optional(Type.String({ format: 'date' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
});
export type EvaluationListQuery = Static<typeof EvaluationListQuery>;

export interface OutlierRule {
  /** Flag when |score − mean| is MORE than this many points (exactly this is not an outlier). */
  points: number;
  /** The mean needs at least this many earlier evaluations of that reviewer / agent. */
  minSamples: number;
  /** Earlier evaluations considered: the last this many days. */
  windowDays: number;
}
export const DEFAULT_OUTLIER: OutlierRule = { points: 20, minSamples: 3, windowDays: 90 };

const SUMMARY_SQL = `
  SELECT e.*, r.started_at AS rec_started, r.duration_ms AS rec_duration, a.name AS agent_name,
         u.display_name AS reviewer_name, v.form_id, v.version AS form_version, f.name_en AS form_name
    FROM qa_evaluations e
    JOIN recordings r ON r.id = e.recording_id
    LEFT JOIN agents a ON a.id = e.agent_id
    JOIN users u ON u.id = e.reviewer_user_id
    JOIN qa_form_versions v ON v.id = e.form_version_id
    JOIN qa_forms f ON f.id = v.form_id`;

export interface EvalRow {
  id: number;
  recording_id: number;
  agent_id: number | null;
  reviewer_user_id: number;
  form_version_id: number;
  kind: 'review' | 'rescore' | 'calibration';
  source: string | null;
  calibration_session_id: number | null;
  replaces_evaluation_id: number | null;
  score: number;
  raw_score: number;
  passed: number;
  critical_failed: number;
  status: EvaluationStatus;
  ack_deadline: string | null;
  acknowledged_at: string | null;
  outlier: number;
  outlier_reason: string | null;
  recheck_status: string;
  submitted_at: string;
  rec_started: string;
  rec_duration: number | null;
  agent_name: string | null;
  reviewer_name: string;
  form_id: number;
  form_version: number;
  form_name: string;
}

function toSummary(r: EvalRow): EvaluationSummary {
  return {
    id: r.id,
    recordingId: r.recording_id,
    recordingStartedAt: r.rec_started,
    recordingDurationMs: r.rec_duration,
    agentId: r.agent_id,
    agentName: r.agent_name,
    reviewerUserId: r.reviewer_user_id,
    reviewerName: r.reviewer_name,
    formVersionId: r.form_version_id,
    formId: r.form_id,
    formName: r.form_name,
    formVersion: r.form_version,
    kind: r.kind,
    source: r.source,
    score: r.score,
    rawScore: r.raw_score,
    passed: r.passed === 1,
    criticalFailed: r.critical_failed === 1,
    status: r.status,
    ackDeadline: r.ack_deadline,
    acknowledgedAt: r.acknowledged_at,
    outlier: r.outlier === 1,
    outlierReason: r.outlier_reason,
    recheckStatus: r.recheck_status,
    replacesEvaluationId: r.replaces_evaluation_id,
    calibrationSessionId: r.calibration_session_id,
    submittedAt: r.submitted_at,
  };
}

export interface ScoringDeps {
  db: Db;
  forms: FormStore;
  now: () => Date;
  ackDays: number;
  outlier: OutlierRule;
}

export const QueueItem = Type.Object({
  recordingId: Type.Integer(),
  startedAt: Type.String(),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  seat: Type.Union([Type.String(), Type.Null()]),
  agentId: Type.Union([Type.Integer(), Type.Null()]),
  agentName: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  appealId: Type.Union([Type.Integer(), Type.Null()]),
});
export type QueueItem = Static<typeof QueueItem>;

export class EvaluationStore {
  constructor(private readonly d: ScoringDeps) {}

  private get db(): Db {
    return this.d.db;
  }

  /** Writes one line of the evaluation's history. */
  event(evaluationId: number, actorUserId: number | null, event: string, detail?: unknown): void {
    this.db
      .prepare('INSERT INTO qa_evaluation_events (evaluation_id, at, actor_user_id, event, detail) VALUES (?, ?, ?, ?, ?)')
      .run(evaluationId, this.d.now().toISOString(), actorUserId, event, detail === undefined ? null : JSON.stringify(detail));
  }

  row(id: number): EvalRow | undefined {
    return this.db.prepare<[number], EvalRow>(`${SUMMARY_SQL} WHERE e.id = ?`).get(id);
  }

  summary(id: number): EvaluationSummary | undefined {
    const r = this.row(id);
    return r ? toSummary(r) : undefined;
  }

  /**
   * Stores a scored call. `kind` and the related checks (calibration membership, re-score
   * assignment) are decided by the caller (QaModule.submit); this validates and scores.
   */
  insert(input: SubmitBody & { reviewerUserId: number; kind: 'review' | 'rescore' | 'calibration' }): EvaluationSummary {
    const rec = this.db.prepare<[number], { id: number; agent_id: number | null; state: string }>('SELECT id, agent_id, state FROM recordings WHERE id = ?').get(input.recordingId);
    if (!rec) throw new QaInputError(`recording ${input.recordingId} does not exist`, 'recordingId', 'not_found');
    const form = this.d.forms.version(input.formVersionId);
    if (!form) throw new QaInputError(`form version ${input.formVersionId} does not exist`, 'formVersionId', 'not_found');
    const result = computeScore(form, input.answers);
    const items = new Set(form.sections.flatMap((s) => s.items.map((i) => i.id)));
    input.comments.forEach((c, i) => {
      if (c.itemId != null && !items.has(c.itemId)) throw new QaInputError(`item ${c.itemId} is not on this form version`, `comments[${i}].itemId`);
      if (!c.text.trim()) throw new QaInputError('must not be blank', `comments[${i}].text`);
    });
    const now = this.d.now();
    const calibration = input.kind === 'calibration';
    const deadline = calibration ? null : new Date(now.getTime() + this.d.ackDays * 86_400_000).toISOString();
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO qa_evaluations (recording_id, agent_id, reviewer_user_id, form_version_id, kind, source, calibration_session_id, replaces_evaluation_id,
               score, raw_score, passed, critical_failed, status, ack_deadline, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            rec.id,
            rec.agent_id,
            input.reviewerUserId,
            form.id,
            input.kind,
            input.source ?? null,
            input.calibrationSessionId ?? null,
            input.replacesEvaluationId ?? null,
            result.score,
            result.rawScore,
            result.passed ? 1 : 0,
            result.criticalFailed ? 1 : 0,
            calibration ? 'calibration' : 'submitted',
            deadline,
            now.toISOString(),
          ).lastInsertRowid,
      );
      const ans = this.db.prepare('INSERT INTO qa_evaluation_answers (evaluation_id, item_id, points, na) VALUES (?, ?, ?, ?)');
      for (const a of input.answers) ans.run(id, a.itemId, a.points, a.points === null ? 1 : 0);
      const com = this.db.prepare('INSERT INTO qa_evaluation_comments (evaluation_id, position_ms, item_id, text) VALUES (?, ?, ?, ?)');
      for (const c of input.comments) com.run(id, c.positionMs, c.itemId ?? null, c.text.trim());
      this.event(id, input.reviewerUserId, 'submitted', { score: result.score, rawScore: result.rawScore, passed: result.passed, criticalFailed: result.criticalFailed, kind: input.kind });
      if (!calibration) this.flagOutlier(id, input.reviewerUserId, rec.agent_id, result.score, now);
      return this.summary(id)!;
    })();
  }

  /**
   * Outlier rule (docs/qa.md): the new score is compared with the mean of the reviewer's and
   * of the agent's earlier effective evaluations (reviews and re-scores, not calibration, not
   * superseded) of the last windowDays; it is flagged when it is more than `points` away from
   * either mean that has at least minSamples evaluations behind it.
   */
  private flagOutlier(id: number, reviewer: number, agent: number | null, score: number, now: Date): void {
    const rule = this.d.outlier;
    const since = new Date(now.getTime() - rule.windowDays * 86_400_000).toISOString();
    const stat = (col: 'reviewer_user_id' | 'agent_id', v: number) =>
      this.db
        .prepare<[number, string, number], { n: number; mean: number | null }>(
          `SELECT count(*) AS n, avg(score) AS mean FROM qa_evaluations
            WHERE ${col} = ? AND kind <> 'calibration' AND status <> 'superseded' AND submitted_at >= ? AND id <> ?`,
        )
        .get(v, since, id)!;
    const reasons: string[] = [];
    const check = (who: string, s: { n: number; mean: number | null }) => {
      if (s.n < rule.minSamples || s.mean === null) return;
      const dev = Math.round((score - s.mean) * 100) / 100;
      if (Math.abs(dev) > rule.points) reasons.push(`${who} mean ${Math.round(s.mean * 100) / 100} over ${s.n}, deviation ${dev > 0 ? '+' : ''}${dev}`);
    };
    check('reviewer', stat('reviewer_user_id', reviewer));
    if (agent !== null) check('agent', stat('agent_id', agent));
    if (reasons.length === 0) return;
    const reason = reasons.join('; ');
    this.db.prepare("UPDATE qa_evaluations SET outlier = 1, outlier_reason = ?, recheck_status = 'pending' WHERE id = ?").run(reason, id);
    this.event(id, null, 'outlier_flagged', { reason, thresholdPoints: rule.points });
  }

  detail(id: number, forms: FormStore): EvaluationDetail | undefined {
    const r = this.row(id);
    if (!r) return undefined;
    const answers = this.db
      .prepare<[number], { item_id: number; points: number | null }>('SELECT item_id, points FROM qa_evaluation_answers WHERE evaluation_id = ? ORDER BY item_id')
      .all(id)
      .map((a) => ({ itemId: a.item_id, points: a.points }));
    const comments = this.db
      .prepare<[number], { id: number; position_ms: number; item_id: number | null; text: string }>('SELECT * FROM qa_evaluation_comments WHERE evaluation_id = ? ORDER BY position_ms, id')
      .all(id)
      .map((c) => ({ id: c.id, positionMs: c.position_ms, itemId: c.item_id, text: c.text }));
    const events = this.db
      .prepare<[number], { at: string; display_name: string | null; event: string; detail: string | null }>(
        'SELECT ev.at, u.display_name, ev.event, ev.detail FROM qa_evaluation_events ev LEFT JOIN users u ON u.id = ev.actor_user_id WHERE ev.evaluation_id = ? ORDER BY ev.id',
      )
      .all(id)
      .map((e) => ({ at: e.at, actor: e.display_name, event: e.event, detail: e.detail ? (JSON.parse(e.detail) as unknown) : null }));
    const ap = this.db
      .prepare<[number], { id: number; reason: string; status: string; filed_at: string; outcome: string | null; adjusted_score: number | null; decision_note: string | null; decided_at: string | null; rescore_evaluation_id: number | null }>(
        'SELECT * FROM qa_appeals WHERE evaluation_id = ?',
      )
      .get(id);
    return {
      ...toSummary(r),
      answers,
      comments,
      events,
      appeal: ap
        ? { id: ap.id, reason: ap.reason, status: ap.status, filedAt: ap.filed_at, outcome: ap.outcome, adjustedScore: ap.adjusted_score, decisionNote: ap.decision_note, decidedAt: ap.decided_at, rescoreEvaluationId: ap.rescore_evaluation_id }
        : null,
      form: forms.version(r.form_version_id),
    };
  }

  list(q: EvaluationListQuery): EvaluationSummary[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.agentId) (where.push('e.agent_id = ?'), args.push(q.agentId));
    if (q.reviewerUserId) (where.push('e.reviewer_user_id = ?'), args.push(q.reviewerUserId));
    if (q.recordingId) (where.push('e.recording_id = ?'), args.push(q.recordingId));
    if (q.status) (where.push('e.status = ?'), args.push(q.status));
    if (q.outlierPending) where.push("e.recheck_status = 'pending'");
    if (q.kind) (where.push('e.kind = ?'), args.push(q.kind));
    else where.push("e.kind <> 'calibration'");
    if (q.from) (where.push('e.submitted_at >= ?'), args.push(`${q.from}T00:00:00.000Z`));
    if (q.to) (where.push('e.submitted_at < ?'), args.push(new Date(Date.parse(`${q.to}T00:00:00.000Z`) + 86_400_000).toISOString()));
    args.push(q.limit ?? 200);
    return this.db
      .prepare<(string | number)[], EvalRow>(`${SUMMARY_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.submitted_at DESC, e.id DESC LIMIT ?`)
      .all(...args)
      .map(toSummary);
  }

  /**
   * The reviewer's work queue: re-scores assigned to this reviewer first, then complete
   * recordings with an agent that have no evaluation yet, newest first.
   */
  queue(reviewerUserId: number, limit = 50): QueueItem[] {
    const rescores = this.db
      .prepare<[number], { appeal_id: number; id: number; started_at: string; duration_ms: number | null; seat: string | null; agent_id: number | null; name: string | null }>(
        `SELECT ap.id AS appeal_id, r.id, r.started_at, r.duration_ms, r.seat, r.agent_id, a.name
           FROM qa_appeals ap JOIN qa_evaluations e ON e.id = ap.evaluation_id JOIN recordings r ON r.id = e.recording_id LEFT JOIN agents a ON a.id = r.agent_id
          WHERE ap.status = 'upheld' AND ap.outcome = 'rescore' AND ap.rescore_evaluation_id IS NULL AND ap.rescore_reviewer_user_id = ?
          ORDER BY ap.decided_at`,
      )
      .all(reviewerUserId)
      .map((r) => ({ recordingId: r.id, startedAt: r.started_at, durationMs: r.duration_ms, seat: r.seat, agentId: r.agent_id, agentName: r.name, reason: 'rescore', appealId: r.appeal_id }));
    const fresh = this.db
      .prepare<[number], { id: number; started_at: string; duration_ms: number | null; seat: string | null; agent_id: number | null; name: string | null }>(
        `SELECT r.id, r.started_at, r.duration_ms, r.seat, r.agent_id, a.name FROM recordings r LEFT JOIN agents a ON a.id = r.agent_id
          WHERE r.state = 'complete' AND r.agent_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM qa_evaluations e WHERE e.recording_id = r.id AND e.kind <> 'calibration')
          ORDER BY r.started_at DESC LIMIT ?`,
      )
      .all(limit)
      .map((r) => ({ recordingId: r.id, startedAt: r.started_at, durationMs: r.duration_ms, seat: r.seat, agentId: r.agent_id, agentName: r.name, reason: 'unscored', appealId: null }));
    return [...rescores, ...fresh];
  }
}
