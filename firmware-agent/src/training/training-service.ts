// Train before work (docs/training.md): qualification records, training plans, exam results,
// re-exams, retraining assignments and the login gate the agents engine consults before every
// login (UI, desk and phone all pass through AgentEngine.login).
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { LoginGateResult } from '../agents/engine.js';

export const DEFAULT_PASS_MARK = 80;
export const REEXAM_WINDOW_MS = 3 * 24 * 3600 * 1000;
export type Missing = 'written' | 'oral' | 'recording';
export type RetrainingSource = 'qa' | 'assessment' | 'manual';

export interface TrainingActor {
  userId?: number | null;
  username?: string | null;
  ip?: string | null;
}

export class TrainingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

export interface RetrainingView {
  id: number;
  agentId: number;
  reason: string;
  source: RetrainingSource;
  assignedBy: string | null;
  assignedAt: string;
  planId: number | null;
  status: 'open' | 'completed' | 'cancelled';
  closedAt: string | null;
  closedBy: string | null;
}

export interface QualificationView {
  agentId: number;
  agentNumber: string;
  agentName: string;
  /** Must pass training before logging in (own flag or the people module's career stage 'trainee'). */
  trainee: boolean;
  writtenScore: number | null;
  oralScore: number | null;
  passMarkWritten: number;
  passMarkOral: number;
  recordingId: number | null;
  recordingApprovedBy: number | null;
  recordingApprovedAt: string | null;
  qualifiedAt: string | null;
  qualifiedBy: string | null;
  missing: Missing[];
  openRetraining: RetrainingView[];
  /** Login refused right now. */
  gated: boolean;
}

export interface PlanInput {
  title: string;
  kind?: 'initial' | 'retraining';
  startsAt: string;
  endsAt?: string | null;
  place: string;
  material?: string;
  trainerUserId?: number | null;
  examWritten?: boolean;
  examOral?: boolean;
  passMarkWritten?: number;
  passMarkOral?: number;
  trainees?: number[];
}

export interface ResultView {
  id: number;
  planId: number;
  agentId: number;
  attempt: number;
  examAt: string;
  writtenScore: number | null;
  oralScore: number | null;
  passed: boolean;
  reexamAt: string | null;
  /** Failed, no later attempt, and the 3-day re-exam window has closed (or the scheduled date passed). */
  reexamOverdue: boolean;
  recordedBy: string | null;
  recordedAt: string;
}

export interface PlanView {
  id: number;
  title: string;
  kind: 'initial' | 'retraining';
  startsAt: string;
  endsAt: string | null;
  place: string;
  material: string;
  trainerUserId: number | null;
  examWritten: boolean;
  examOral: boolean;
  passMarkWritten: number;
  passMarkOral: number;
  redesign: boolean;
  redesignFlaggedAt: string | null;
  trainees: Array<{ agentId: number; number: string; name: string }>;
  results: ResultView[];
  createdBy: string | null;
  createdAt: string;
}

interface QualRow {
  agent_id: number;
  required: number;
  written_score: number | null;
  oral_score: number | null;
  pass_mark_written: number;
  pass_mark_oral: number;
  recording_id: number | null;
  recording_approved_by: number | null;
  recording_approved_at: string | null;
  qualified_at: string | null;
  qualified_by: string | null;
}

interface PlanRow {
  id: number;
  title: string;
  kind: 'initial' | 'retraining';
  starts_at: string;
  ends_at: string | null;
  place: string;
  material: string;
  trainer_user_id: number | null;
  exam_written: number;
  exam_oral: number;
  pass_mark_written: number;
  pass_mark_oral: number;
  redesign_flagged_at: string | null;
  created_by: string | null;
  created_at: string;
}

interface ResultRow {
  id: number;
  plan_id: number;
  agent_id: number;
  attempt: number;
  exam_at: string;
  written_score: number | null;
  oral_score: number | null;
  passed: number;
  reexam_at: string | null;
  recorded_by: string | null;
  recorded_at: string;
}

interface RetrainingRow {
  id: number;
  agent_id: number;
  reason: string;
  source: RetrainingSource;
  assigned_by: string | null;
  assigned_at: string;
  plan_id: number | null;
  status: 'open' | 'completed' | 'cancelled';
  closed_at: string | null;
  closed_by: string | null;
}

export interface TrainingServiceOptions {
  db: Db;
  audit: AuditLog;
  now?: () => number;
  /** Called after a change that may open or close an agent's gate (UI refresh). */
  onChange?: (agentId: number) => void;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const who = (a: TrainingActor): string | null => a.username ?? (a.userId != null ? `user:${a.userId}` : null);

function parseTime(v: string, field: string): number {
  const t = Date.parse(v);
  if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}T/.test(v)) throw new TrainingError('bad_time', `${field}: "${v}" is not an ISO date-time (e.g. 2026-11-23T09:00:00Z)`);
  return t;
}

export class TrainingService {
  private readonly now: () => number;
  private careerStage: boolean | undefined;

  constructor(private readonly opts: TrainingServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  private get db(): Db {
    return this.opts.db;
  }

  private audit(actor: TrainingActor, action: string, target: string, detail?: unknown): void {
    this.opts.audit.write({ userId: actor.userId ?? null, username: actor.username ?? null, ip: actor.ip ?? null, action, target, detail });
  }

  // ---- trainee status -------------------------------------------------------------------

  /**
   * The people module (issue 10) keeps a career stage per user (career_stages, linked through
   * agents.user_id). Read it only when that table exists; stage 'trainee' gates like our flag.
   */
  private hasCareerStage(): boolean {
    if (this.careerStage === undefined) {
      this.careerStage = !!this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'career_stages'").get();
    }
    return this.careerStage;
  }

  private stageTrainee(agentId: number): boolean {
    if (!this.hasCareerStage()) return false;
    const r = this.db.prepare('SELECT c.stage AS s FROM agents a JOIN career_stages c ON c.user_id = a.user_id WHERE a.id = ?').get(agentId) as { s: string } | undefined;
    return r?.s === 'trainee';
  }

  private qual(agentId: number): QualRow | undefined {
    return this.db.prepare('SELECT * FROM training_qualifications WHERE agent_id = ?').get(agentId) as QualRow | undefined;
  }

  private agent(agentId: number): { id: number; number: string; name: string } {
    const a = this.db.prepare('SELECT id, number, name FROM agents WHERE id = ?').get(agentId) as { id: number; number: string; name: string } | undefined;
    if (!a) throw new TrainingError('agent_not_found', `no agent with id ${agentId}`, 404);
    return a;
  }

  private openRetraining(agentId: number): RetrainingView[] {
    return (this.db.prepare("SELECT * FROM training_retraining WHERE agent_id = ? AND status = 'open' ORDER BY id").all(agentId) as RetrainingRow[]).map(retrainingView);
  }

  static missingOf(q: Pick<QualRow, 'written_score' | 'oral_score' | 'pass_mark_written' | 'pass_mark_oral' | 'recording_id' | 'recording_approved_at'> | undefined): Missing[] {
    const m: Missing[] = [];
    if (!q || q.written_score === null || q.written_score < q.pass_mark_written) m.push('written');
    if (!q || q.oral_score === null || q.oral_score < q.pass_mark_oral) m.push('oral');
    if (!q || q.recording_id === null || q.recording_approved_at === null) m.push('recording');
    return m;
  }

  status(agentId: number): QualificationView {
    const a = this.agent(agentId);
    const q = this.qual(agentId);
    const trainee = (q?.required ?? 0) === 1 || this.stageTrainee(agentId);
    const missing = TrainingService.missingOf(q);
    const openRetraining = this.openRetraining(agentId);
    const qualified = q?.qualified_at != null && missing.length === 0;
    return {
      agentId,
      agentNumber: a.number,
      agentName: a.name,
      trainee,
      writtenScore: q?.written_score ?? null,
      oralScore: q?.oral_score ?? null,
      passMarkWritten: q?.pass_mark_written ?? DEFAULT_PASS_MARK,
      passMarkOral: q?.pass_mark_oral ?? DEFAULT_PASS_MARK,
      recordingId: q?.recording_id ?? null,
      recordingApprovedBy: q?.recording_approved_by ?? null,
      recordingApprovedAt: q?.recording_approved_at ?? null,
      qualifiedAt: q?.qualified_at ?? null,
      qualifiedBy: q?.qualified_by ?? null,
      missing: trainee ? missing : [],
      openRetraining,
      gated: (trainee && !qualified) || openRetraining.length > 0,
    };
  }

  /** Every agent that has a qualification record, is a trainee, or has retraining. */
  statuses(): QualificationView[] {
    const ids = new Set<number>();
    for (const r of this.db.prepare('SELECT agent_id FROM training_qualifications').all() as Array<{ agent_id: number }>) ids.add(r.agent_id);
    for (const r of this.db.prepare("SELECT DISTINCT agent_id FROM training_retraining WHERE status = 'open'").all() as Array<{ agent_id: number }>) ids.add(r.agent_id);
    if (this.hasCareerStage()) {
      for (const r of this.db.prepare("SELECT a.id FROM agents a JOIN career_stages c ON c.user_id = a.user_id WHERE c.stage = 'trainee'").all() as Array<{ id: number }>) ids.add(r.id);
    }
    return [...ids].sort((x, y) => x - y).map((id) => this.status(id));
  }

  /**
   * The login gate (AgentEngine loginGate): a trainee who has not qualified, or an agent with
   * open retraining, gets 403 training_required saying what is missing.
   */
  gate(agentId: number): LoginGateResult {
    const s = this.status(agentId);
    if (!s.gated) return { ok: true };
    const parts: string[] = [];
    const labels: Record<Missing, string> = {
      written: `written exam (${s.writtenScore ?? 'no score'}${s.writtenScore !== null ? ` < ${s.passMarkWritten}` : ''})`,
      oral: `oral exam (${s.oralScore ?? 'no score'}${s.oralScore !== null ? ` < ${s.passMarkOral}` : ''})`,
      recording: 'qualifying recording approved by a trainer',
    };
    if (s.trainee && s.qualifiedAt === null) parts.push(`training not passed; missing: ${s.missing.map((m) => labels[m]).join(', ')}`);
    if (s.openRetraining.length > 0) parts.push(`retraining assigned (${s.openRetraining.map((r) => r.reason).join('; ')}); pass the retraining exam first`);
    return { ok: false, code: 'training_required', status: 403, message: `agent ${s.agentNumber} may not log in: ${parts.join('; ')}` };
  }

  /** Marks an agent as a trainee (required = true) or releases the own flag. */
  setRequired(agentId: number, required: boolean, actor: TrainingActor): QualificationView {
    this.agent(agentId);
    this.db
      .prepare('INSERT INTO training_qualifications (agent_id, required, updated_at) VALUES (?, ?, ?) ON CONFLICT(agent_id) DO UPDATE SET required = excluded.required, updated_at = excluded.updated_at')
      .run(agentId, required ? 1 : 0, iso(this.now()));
    this.audit(actor, 'training.required_set', `agent:${agentId}`, { required });
    this.opts.onChange?.(agentId);
    return this.status(agentId);
  }

  /** A trainer approves one of the agent's own complete recordings as the qualifying recording. */
  approveRecording(agentId: number, recordingId: number, actor: TrainingActor): QualificationView {
    this.agent(agentId);
    if (actor.userId == null) throw new TrainingError('forbidden', 'only a signed-in user with role trainer may approve a qualifying recording', 403);
    const roles = (this.db.prepare('SELECT role FROM user_roles WHERE user_id = ?').all(actor.userId) as Array<{ role: string }>).map((r) => r.role);
    if (!roles.includes('trainer')) throw new TrainingError('forbidden', 'only a user with role trainer may approve a qualifying recording', 403);
    const rec = this.db.prepare('SELECT id, agent_id, state FROM recordings WHERE id = ?').get(recordingId) as { id: number; agent_id: number | null; state: string } | undefined;
    if (!rec) throw new TrainingError('recording_not_found', `no recording with id ${recordingId}`, 404);
    if (rec.agent_id !== agentId) throw new TrainingError('recording_not_agents', `recording ${recordingId} is not a call of agent ${agentId}`, 400);
    if (rec.state !== 'complete') throw new TrainingError('recording_not_complete', `recording ${recordingId} is ${rec.state}; only a complete recording can qualify`, 400);
    const at = iso(this.now());
    this.db
      .prepare(
        `INSERT INTO training_qualifications (agent_id, required, recording_id, recording_approved_by, recording_approved_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(agent_id) DO UPDATE SET recording_id = excluded.recording_id, recording_approved_by = excluded.recording_approved_by, recording_approved_at = excluded.recording_approved_at, updated_at = excluded.updated_at`,
      )
      .run(agentId, this.stageTrainee(agentId) ? 1 : 0, recordingId, actor.userId, at, at);
    this.audit(actor, 'training.recording_approved', `agent:${agentId}`, { recordingId });
    this.maybeQualify(agentId, actor);
    this.opts.onChange?.(agentId);
    return this.status(agentId);
  }

  /** All three items present: qualified now (kept once set; new scores below the mark undo it). */
  private maybeQualify(agentId: number, actor: TrainingActor): void {
    const q = this.qual(agentId);
    if (!q) return;
    const missing = TrainingService.missingOf(q);
    if (missing.length === 0 && q.qualified_at === null) {
      this.db.prepare('UPDATE training_qualifications SET qualified_at = ?, qualified_by = ? WHERE agent_id = ?').run(iso(this.now()), who(actor), agentId);
      this.audit(actor, 'training.qualified', `agent:${agentId}`, { writtenScore: q.written_score, oralScore: q.oral_score, recordingId: q.recording_id });
    } else if (missing.length > 0 && q.qualified_at !== null) {
      this.db.prepare('UPDATE training_qualifications SET qualified_at = NULL, qualified_by = NULL WHERE agent_id = ?').run(agentId);
    }
  }

  // ---- plans ----------------------------------------------------------------------------

  createPlan(input: PlanInput, actor: TrainingActor): PlanView {
    parseTime(input.startsAt, 'startsAt');
    if (input.endsAt) parseTime(input.endsAt, 'endsAt');
    const written = input.examWritten ?? true;
    const oral = input.examOral ?? true;
    if (!written && !oral) throw new TrainingError('no_exam', 'exam: at least one of written or oral must be part of the exam', 400);
    if (input.trainerUserId != null) {
      const u = this.db.prepare("SELECT 1 FROM user_roles WHERE user_id = ? AND role = 'trainer'").get(input.trainerUserId);
      if (!u) throw new TrainingError('not_a_trainer', `trainerUserId ${input.trainerUserId}: no user with role trainer`, 400);
    }
    const trainees = [...new Set(input.trainees ?? [])];
    for (const id of trainees) this.agent(id);
    const id = this.db.transaction(() => {
      const r = this.db
        .prepare(
          `INSERT INTO training_plans (title, kind, starts_at, ends_at, place, material, trainer_user_id, exam_written, exam_oral, pass_mark_written, pass_mark_oral, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.title, input.kind ?? 'initial', input.startsAt, input.endsAt ?? null, input.place, input.material ?? '', input.trainerUserId ?? null, written ? 1 : 0, oral ? 1 : 0, input.passMarkWritten ?? DEFAULT_PASS_MARK, input.passMarkOral ?? DEFAULT_PASS_MARK, who(actor), iso(this.now()));
      const planId = Number(r.lastInsertRowid);
      const ins = this.db.prepare('INSERT INTO training_plan_trainees (plan_id, agent_id) VALUES (?, ?)');
      for (const t of trainees) ins.run(planId, t);
      return planId;
    })();
    this.audit(actor, 'training.plan_created', `training_plan:${id}`, { ...input, trainees });
    return this.plan(id);
  }

  setTrainees(planId: number, trainees: number[], actor: TrainingActor): PlanView {
    this.planRow(planId);
    const list = [...new Set(trainees)];
    for (const id of list) this.agent(id);
    this.db.transaction(() => {
      const withResults = new Set((this.db.prepare('SELECT DISTINCT agent_id FROM training_results WHERE plan_id = ?').all(planId) as Array<{ agent_id: number }>).map((r) => r.agent_id));
      for (const a of withResults) if (!list.includes(a)) throw new TrainingError('trainee_has_results', `agent ${a} has exam results in plan ${planId} and cannot be removed`, 409);
      this.db.prepare('DELETE FROM training_plan_trainees WHERE plan_id = ?').run(planId);
      const ins = this.db.prepare('INSERT INTO training_plan_trainees (plan_id, agent_id) VALUES (?, ?)');
      for (const t of list) ins.run(planId, t);
    })();
    this.audit(actor, 'training.plan_trainees_set', `training_plan:${planId}`, { trainees: list });
    return this.plan(planId);
  }

  private planRow(id: number): PlanRow {
    const p = this.db.prepare('SELECT * FROM training_plans WHERE id = ?').get(id) as PlanRow | undefined;
    if (!p) throw new TrainingError('plan_not_found', `no training plan with id ${id}`, 404);
    return p;
  }

  plans(): PlanView[] {
    return (this.db.prepare('SELECT id FROM training_plans ORDER BY starts_at DESC, id DESC').all() as Array<{ id: number }>).map((r) => this.plan(r.id));
  }

  plan(id: number): PlanView {
    const p = this.planRow(id);
    const now = this.now();
    const trainees = this.db
      .prepare('SELECT a.id AS agentId, a.number, a.name FROM training_plan_trainees t JOIN agents a ON a.id = t.agent_id WHERE t.plan_id = ? ORDER BY a.number')
      .all(id) as PlanView['trainees'];
    const rows = this.db.prepare('SELECT * FROM training_results WHERE plan_id = ? ORDER BY agent_id, attempt').all(id) as ResultRow[];
    const lastAttempt = new Map<number, number>();
    for (const r of rows) lastAttempt.set(r.agent_id, Math.max(lastAttempt.get(r.agent_id) ?? 0, r.attempt));
    const results = rows.map((r): ResultView => {
      const latestFailed = !r.passed && lastAttempt.get(r.agent_id) === r.attempt;
      const deadline = Math.min(Date.parse(r.exam_at) + REEXAM_WINDOW_MS, r.reexam_at ? Date.parse(r.reexam_at) : Infinity);
      return {
        id: r.id,
        planId: r.plan_id,
        agentId: r.agent_id,
        attempt: r.attempt,
        examAt: r.exam_at,
        writtenScore: r.written_score,
        oralScore: r.oral_score,
        passed: r.passed === 1,
        reexamAt: r.reexam_at,
        reexamOverdue: latestFailed && now > deadline,
        recordedBy: r.recorded_by,
        recordedAt: r.recorded_at,
      };
    });
    return {
      id: p.id,
      title: p.title,
      kind: p.kind,
      startsAt: p.starts_at,
      endsAt: p.ends_at,
      place: p.place,
      material: p.material,
      trainerUserId: p.trainer_user_id,
      examWritten: p.exam_written === 1,
      examOral: p.exam_oral === 1,
      passMarkWritten: p.pass_mark_written,
      passMarkOral: p.pass_mark_oral,
      redesign: p.redesign_flagged_at !== null,
      redesignFlaggedAt: p.redesign_flagged_at,
      trainees,
      results,
      createdBy: p.created_by,
      createdAt: p.created_at,
    };
  }

  /**
   * One exam attempt of a trainee. A re-exam (attempt > 1) must take place within 3 days of
   * the failed attempt. The scores become the agent's qualification scores; a pass closes the
   * agent's open retraining assignments; the plan is flagged for redesign once half of its
   * trainees failed their first attempt.
   */
  recordResult(planId: number, input: { agentId: number; examAt: string; writtenScore?: number | null; oralScore?: number | null }, actor: TrainingActor): PlanView {
    const p = this.planRow(planId);
    const examAt = parseTime(input.examAt, 'examAt');
    if (!this.db.prepare('SELECT 1 FROM training_plan_trainees WHERE plan_id = ? AND agent_id = ?').get(planId, input.agentId)) {
      throw new TrainingError('not_a_trainee', `agent ${input.agentId} is not a trainee of plan ${planId}`, 400);
    }
    const written = input.writtenScore ?? null;
    const oral = input.oralScore ?? null;
    if (p.exam_written && written === null) throw new TrainingError('score_missing', 'writtenScore: the plan has a written exam; give its score (0-100)', 400);
    if (p.exam_oral && oral === null) throw new TrainingError('score_missing', 'oralScore: the plan has an oral exam; give its score (0-100)', 400);
    const prev = this.db.prepare('SELECT * FROM training_results WHERE plan_id = ? AND agent_id = ? ORDER BY attempt DESC LIMIT 1').get(planId, input.agentId) as ResultRow | undefined;
    if (prev?.passed) throw new TrainingError('already_passed', `agent ${input.agentId} passed plan ${planId} already (attempt ${prev.attempt})`, 409);
    if (prev) {
      const failedAt = Date.parse(prev.exam_at);
      if (examAt < failedAt) throw new TrainingError('reexam_before_exam', `examAt: the re-exam cannot be before the failed exam of ${prev.exam_at}`, 400);
      if (examAt > failedAt + REEXAM_WINDOW_MS) {
        throw new TrainingError('reexam_window_closed', `examAt: a re-exam must be within 3 days of the failed exam of ${prev.exam_at} (by ${iso(failedAt + REEXAM_WINDOW_MS)}); put the trainee into a new plan`, 409);
      }
    }
    const passed = (!p.exam_written || (written ?? -1) >= p.pass_mark_written) && (!p.exam_oral || (oral ?? -1) >= p.pass_mark_oral);
    const nowIso = iso(this.now());
    const resultId = this.db.transaction(() => {
      const r = this.db
        .prepare('INSERT INTO training_results (plan_id, agent_id, attempt, exam_at, written_score, oral_score, passed, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(planId, input.agentId, (prev?.attempt ?? 0) + 1, iso(examAt), written, oral, passed ? 1 : 0, who(actor), nowIso);
      const id = Number(r.lastInsertRowid);
      // The latest exam's scores (for the components this exam has) are the qualification's.
      this.db
        .prepare(
          `INSERT INTO training_qualifications (agent_id, required, written_score, oral_score, pass_mark_written, pass_mark_oral, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(agent_id) DO UPDATE SET
             written_score = CASE WHEN ? THEN excluded.written_score ELSE written_score END,
             oral_score = CASE WHEN ? THEN excluded.oral_score ELSE oral_score END,
             pass_mark_written = CASE WHEN ? THEN excluded.pass_mark_written ELSE pass_mark_written END,
             pass_mark_oral = CASE WHEN ? THEN excluded.pass_mark_oral ELSE pass_mark_oral END,
             updated_at = excluded.updated_at`,
        )
        .run(input.agentId, this.stageTrainee(input.agentId) ? 1 : 0, written, oral, p.pass_mark_written, p.pass_mark_oral, nowIso, p.exam_written, p.exam_oral, p.exam_written, p.exam_oral);
      if (passed) {
        this.db.prepare("UPDATE training_retraining SET status = 'completed', closed_at = ?, closed_by = ?, result_id = ? WHERE agent_id = ? AND status = 'open'").run(nowIso, who(actor), id, input.agentId);
      }
      return id;
    })();
    this.audit(actor, 'training.result_recorded', `training_plan:${planId}`, { resultId, agentId: input.agentId, writtenScore: written, oralScore: oral, passed });
    this.maybeQualify(input.agentId, actor);
    this.checkRedesign(planId, actor);
    this.opts.onChange?.(input.agentId);
    return this.plan(planId);
  }

  /** Sets the re-exam date of a trainee's latest failed attempt: at most 3 days after it. */
  scheduleReexam(planId: number, agentId: number, at: string, actor: TrainingActor): PlanView {
    this.planRow(planId);
    const t = parseTime(at, 'at');
    const prev = this.db.prepare('SELECT * FROM training_results WHERE plan_id = ? AND agent_id = ? ORDER BY attempt DESC LIMIT 1').get(planId, agentId) as ResultRow | undefined;
    if (!prev || prev.passed) throw new TrainingError('no_failed_exam', `agent ${agentId} has no failed exam in plan ${planId} to re-take`, 409);
    const failedAt = Date.parse(prev.exam_at);
    if (t < failedAt) throw new TrainingError('reexam_before_exam', `at: the re-exam cannot be before the failed exam of ${prev.exam_at}`, 400);
    if (t > failedAt + REEXAM_WINDOW_MS) throw new TrainingError('reexam_window_closed', `at: a re-exam must be within 3 days of the failed exam of ${prev.exam_at} (by ${iso(failedAt + REEXAM_WINDOW_MS)})`, 409);
    this.db.prepare('UPDATE training_results SET reexam_at = ? WHERE id = ?').run(iso(t), prev.id);
    this.audit(actor, 'training.reexam_scheduled', `training_plan:${planId}`, { agentId, at: iso(t), failedResultId: prev.id });
    return this.plan(planId);
  }

  /** Half or more of the plan's trainees failed their first attempt: flagged for redesign (sticky). */
  private checkRedesign(planId: number, actor: TrainingActor): void {
    const p = this.planRow(planId);
    if (p.redesign_flagged_at) return;
    const total = (this.db.prepare('SELECT count(*) AS n FROM training_plan_trainees WHERE plan_id = ?').get(planId) as { n: number }).n;
    const failed = (this.db.prepare('SELECT count(*) AS n FROM training_results WHERE plan_id = ? AND attempt = 1 AND passed = 0').get(planId) as { n: number }).n;
    if (total > 0 && failed * 2 >= total) {
      this.db.prepare('UPDATE training_plans SET redesign_flagged_at = ? WHERE id = ?').run(iso(this.now()), planId);
      this.audit(actor, 'training.plan_redesign_flagged', `training_plan:${planId}`, { trainees: total, failedFirstAttempt: failed });
    }
  }

  clearRedesign(planId: number, actor: TrainingActor): PlanView {
    this.planRow(planId);
    this.db.prepare('UPDATE training_plans SET redesign_flagged_at = NULL WHERE id = ?').run(planId);
    this.audit(actor, 'training.plan_redesign_cleared', `training_plan:${planId}`);
    return this.plan(planId);
  }

  // ---- retraining -----------------------------------------------------------------------

  /**
   * Assigns retraining: the agent is gated (no login) until they pass an exam in a training
   * plan recorded after this. QA (source 'qa') and the monthly assessment ('assessment') call it.
   */
  assignRetraining(agentId: number, reason: string, source: RetrainingSource, by: TrainingActor): RetrainingView {
    this.agent(agentId);
    const text = reason.trim();
    if (text.length < 1 || text.length > 500) throw new TrainingError('bad_reason', 'reason: 1-500 characters saying why retraining is needed', 400);
    const r = this.db
      .prepare('INSERT INTO training_retraining (agent_id, reason, source, assigned_by, assigned_at) VALUES (?, ?, ?, ?, ?)')
      .run(agentId, text, source, who(by), iso(this.now()));
    const id = Number(r.lastInsertRowid);
    this.audit(by, 'training.retraining_assigned', `agent:${agentId}`, { id, reason: text, source });
    this.opts.onChange?.(agentId);
    return retrainingView(this.db.prepare('SELECT * FROM training_retraining WHERE id = ?').get(id) as RetrainingRow);
  }

  cancelRetraining(id: number, actor: TrainingActor): RetrainingView {
    const r = this.db.prepare('SELECT * FROM training_retraining WHERE id = ?').get(id) as RetrainingRow | undefined;
    if (!r) throw new TrainingError('retraining_not_found', `no retraining assignment with id ${id}`, 404);
    if (r.status !== 'open') throw new TrainingError('retraining_closed', `retraining ${id} is ${r.status} already`, 409);
    this.db.prepare("UPDATE training_retraining SET status = 'cancelled', closed_at = ?, closed_by = ? WHERE id = ?").run(iso(this.now()), who(actor), id);
    this.audit(actor, 'training.retraining_cancelled', `agent:${r.agent_id}`, { id });
    this.opts.onChange?.(r.agent_id);
    return retrainingView(this.db.prepare('SELECT * FROM training_retraining WHERE id = ?').get(id) as RetrainingRow);
  }

  retraining(status?: 'open' | 'completed' | 'cancelled'): RetrainingView[] {
    const rows = (status ? this.db.prepare('SELECT * FROM training_retraining WHERE status = ? ORDER BY id DESC').all(status) : this.db.prepare('SELECT * FROM training_retraining ORDER BY id DESC').all()) as RetrainingRow[];
    return rows.map(retrainingView);
  }

  /** Active agents to pick trainees from (trainers may not read the full agents list). */
  agentChoices(): Array<{ id: number; number: string; name: string }> {
    return this.db.prepare('SELECT id, number, name FROM agents WHERE active = 1 ORDER BY number').all() as Array<{ id: number; number: string; name: string }>;
  }

  /** The agent linked to a web-UI user (an agent reads their own status). */
  agentOfUser(userId: number): number | undefined {
    return (this.db.prepare('SELECT id FROM agents WHERE user_id = ?').get(userId) as { id: number } | undefined)?.id;
  }

  /** The agent's recordings a trainer can pick as the qualifying one (complete, newest first). */
  recordingsOf(agentId: number): Array<{ id: number; startedAt: string; durationMs: number | null; seat: string | null }> {
    return this.db
      .prepare("SELECT id, started_at AS startedAt, duration_ms AS durationMs, seat FROM recordings WHERE agent_id = ? AND state = 'complete' ORDER BY started_at DESC LIMIT 100")
      .all(agentId) as Array<{ id: number; startedAt: string; durationMs: number | null; seat: string | null }>;
  }
}

function retrainingView(r: RetrainingRow): RetrainingView {
  return {
    id: r.id,
    agentId: r.agent_id,
    reason: r.reason,
    source: r.source,
    assignedBy: r.assigned_by,
    assignedAt: r.assigned_at,
    planId: r.plan_id,
    status: r.status,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
  };
}

// ---- the hook for QA and the monthly assessment --------------------------------------------

let current: TrainingService | undefined;

/** main.ts registers the running service so QA/assessment code can call assignRetraining(). */
export function setTrainingService(s: TrainingService | undefined): void {
  current = s;
}

/**
 * assignRetraining(agentId, reason, source, by): gates the agent until a training exam is passed.
 * Throws TrainingError when the training module is not running or the input is bad.
 */
export function assignRetraining(agentId: number, reason: string, source: 'qa' | 'assessment', by: TrainingActor): RetrainingView {
  if (!current) throw new TrainingError('training_unavailable', 'the training module is not running', 503);
  return current.assignRetraining(agentId, reason, source, by);
}
