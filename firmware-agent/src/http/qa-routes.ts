// QA API (docs/qa.md): forms, scoring queue and evaluations, agent acknowledge/appeal, appeal
// decisions and outlier re-checks by the QA manager (role manager), calibration sessions.
// Every state change is audited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { AppealBody, AppealView, DecideBody, RecheckBody } from '../qa/appeals.js';
import { CalibrationSummary, CalibrationView, CreateCalibrationBody } from '../qa/calibration.js';
import { FormDefinition, FormSummary, FormVersion } from '../qa/forms.js';
import { QaForbiddenError, QaInputError, QaStateError, type QaModule } from '../qa/qa-module.js';
import { EvaluationDetail, EvaluationListQuery, EvaluationSummary, QueueItem, SubmitBody } from '../qa/scoring.js';
import type { Role } from './schemas.js';
import { parseRange } from './recording-routes.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef };
/** Who scores calls. */
export const QA_SCORE_ROLES: Role[] = ['qa', 'team_lead'];
/** QA manager: decides appeals and re-checks, runs calibration. */
export const QA_MANAGER_ROLES: Role[] = ['manager'];
/** Who edits forms. */
export const QA_FORM_ROLES: Role[] = ['qa', 'manager'];
/** Who reads evaluations of everybody. */
export const QA_READ_ROLES: Role[] = ['qa', 'team_lead', 'manager'];
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Ok = Type.Object({ ok: Type.Boolean() });
/** As on the recordings API: one listen audit entry per user and recording per 10 minutes. */
const LISTEN_AUDIT_WINDOW_MS = 10 * 60_000;

const isManager = (req: FastifyRequest) => req.user!.roles.includes('manager') || req.user!.roles.includes('admin');
const isStaff = (req: FastifyRequest) => isManager(req) || req.user!.roles.some((r) => QA_READ_ROLES.includes(r));

export const qaRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const qa = deps.qa as QaModule;
  const tags = ['qa'];
  const lastListen = new Map<string, number>();
  const actor = (req: FastifyRequest) => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });

  /** Maps the module's errors to API errors; anything else is a 500. */
  const guard = async <T>(reply: FastifyReply, fn: () => T): Promise<T | FastifyReply> => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof QaInputError) {
        if (err.code === 'not_found') return reply.code(404).send({ error: 'not_found', message: err.message });
        return reply.code(400).send({ error: 'validation', message: err.message, field: err.field });
      }
      if (err instanceof QaStateError) return reply.code(409).send({ error: err.code, message: err.message });
      if (err instanceof QaForbiddenError) return reply.code(403).send({ error: 'forbidden', message: err.message });
      throw err;
    }
  };

  // ---- forms
  app.get('/qa/forms', { schema: { tags, summary: 'QA forms with their latest version', response: { 200: Type.Array(FormSummary), ...errors } }, preHandler: requireUser(...QA_READ_ROLES) }, async () => qa.forms.list());

  app.post(
    '/qa/forms',
    { schema: { tags, summary: 'Creates a form (version 1); audited', body: FormDefinition, response: { 201: FormVersion, ...errors } }, preHandler: requireUser(...QA_FORM_ROLES) },
    async (req, reply) =>
      guard(reply, () => {
        const v = qa.forms.create(req.body, req.user!.id);
        deps.audit.write({ ...actor(req), action: 'qa.form_created', target: `qa_form:${v.formId}`, detail: { versionId: v.id, name: v.nameEn } });
        return reply.code(201).send(v);
      }),
  );

  app.get(
    '/qa/forms/:id',
    { schema: { tags, summary: 'A form: its latest version in full and the list of versions', params: IdParams, response: { 200: Type.Object({ active: Type.Boolean(), latest: FormVersion, versions: Type.Array(Type.Object({ id: Type.Integer(), version: Type.Integer(), createdAt: Type.String(), used: Type.Boolean() })) }), ...errors } }, preHandler: requireUser(...QA_READ_ROLES) },
    async (req, reply) => {
      const latest = qa.forms.latestVersion(req.params.id);
      if (!latest) return reply.code(404).send({ error: 'not_found', message: `form ${req.params.id} does not exist` });
      const active = qa.forms.list().find((f) => f.id === req.params.id)?.active ?? false;
      return { active, latest, versions: qa.forms.versions(req.params.id) };
    },
  );

  app.put(
    '/qa/forms/:id',
    { schema: { tags, summary: 'Saves a form: edits the latest version if unused, else creates the next version; audited', params: IdParams, body: FormDefinition, response: { 200: Type.Object({ newVersion: Type.Boolean(), version: FormVersion }), ...errors } }, preHandler: requireUser(...QA_FORM_ROLES) },
    async (req, reply) =>
      guard(reply, () => {
        const r = qa.forms.update(req.params.id, req.body, req.user!.id);
        deps.audit.write({ ...actor(req), action: r.newVersion ? 'qa.form_versioned' : 'qa.form_edited', target: `qa_form:${req.params.id}`, detail: { versionId: r.version.id, version: r.version.version } });
        return r;
      }),
  );

  app.post(
    '/qa/forms/:id/active',
    { schema: { tags, summary: 'Activates or retires a form (retired forms cannot be used for new reviews); audited', params: IdParams, body: Type.Object({ active: Type.Boolean() }), response: { 200: Ok, ...errors } }, preHandler: requireUser(...QA_FORM_ROLES) },
    async (req, reply) => {
      if (!qa.forms.setActive(req.params.id, req.body.active)) return reply.code(404).send({ error: 'not_found', message: `form ${req.params.id} does not exist` });
      deps.audit.write({ ...actor(req), action: req.body.active ? 'qa.form_activated' : 'qa.form_retired', target: `qa_form:${req.params.id}` });
      return { ok: true };
    },
  );

  app.get(
    '/qa/form-versions/:id',
    { schema: { tags, summary: 'One form version in full (what an evaluation was scored with)', params: IdParams, response: { 200: FormVersion, ...errors } }, preHandler: requireUser() },
    async (req, reply) => qa.forms.version(req.params.id) ?? reply.code(404).send({ error: 'not_found', message: `form version ${req.params.id} does not exist` }),
  );

  // ---- scoring
  app.get(
    '/qa/queue',
    { schema: { tags, summary: "The reviewer's work queue: assigned re-scores, then unscored recordings", querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }), response: { 200: Type.Array(QueueItem), ...errors } }, preHandler: requireUser(...QA_SCORE_ROLES, ...QA_MANAGER_ROLES) },
    async (req) => qa.evaluations.queue(req.user!.id, req.query.limit ?? 50),
  );

  app.get(
    '/qa/reviewers',
    { schema: { tags, summary: 'Users who can score (qa, team_lead, manager): for calibration and re-score assignment', response: { 200: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), roles: Type.Array(Type.String()) })), ...errors } }, preHandler: requireUser(...QA_READ_ROLES) },
    async () => qa.reviewers(),
  );

  app.post(
    '/qa/evaluations',
    { schema: { tags, summary: 'Submits a scored call (review, assigned re-score, or calibration score); audited', body: SubmitBody, response: { 201: EvaluationSummary, ...errors } }, preHandler: requireUser(...QA_SCORE_ROLES, ...QA_MANAGER_ROLES) },
    async (req, reply) =>
      guard(reply, () => {
        const ev = qa.submit(req.body, req.user!.id);
        deps.audit.write({ ...actor(req), action: 'qa.evaluation_submitted', target: `qa_evaluation:${ev.id}`, detail: { recordingId: ev.recordingId, kind: ev.kind, score: ev.score, passed: ev.passed, criticalFailed: ev.criticalFailed, outlier: ev.outlier } });
        return reply.code(201).send(ev);
      }),
  );

  app.get(
    '/qa/evaluations',
    { schema: { tags, summary: 'Evaluations, newest first (QA staff)', querystring: EvaluationListQuery, response: { 200: Type.Array(EvaluationSummary), ...errors } }, preHandler: requireUser(...QA_READ_ROLES) },
    async (req) => qa.evaluations.list(req.query),
  );

  app.get(
    '/qa/evaluations/mine',
    { schema: { tags, summary: "The signed-in agent's own evaluations", response: { 200: Type.Array(EvaluationSummary), ...errors } }, preHandler: requireUser() },
    async (req) => {
      const agentId = qa.appeals.agentOfUser(req.user!.id);
      return agentId === undefined ? [] : qa.evaluations.list({ agentId, limit: 500 });
    },
  );

  app.get(
    '/qa/evaluations/:id',
    { schema: { tags, summary: 'One evaluation with answers, time-stamped comments, history, appeal and its form version', params: IdParams, response: { 200: EvaluationDetail, ...errors } }, preHandler: requireUser() },
    async (req, reply) => {
      const ev = qa.evaluations.row(req.params.id);
      const own = ev && ev.kind !== 'calibration' && ev.agent_id !== null && qa.appeals.agentOfUser(req.user!.id) === ev.agent_id;
      // Calibration scores stay with their session (hidden until revealed).
      if (!ev || (ev.kind === 'calibration' && !isManager(req) && ev.reviewer_user_id !== req.user!.id)) return reply.code(404).send({ error: 'not_found', message: `evaluation ${req.params.id} does not exist` });
      if (!own && !isStaff(req)) return reply.code(403).send({ error: 'forbidden', message: `evaluation ${req.params.id} is not about your calls` });
      return qa.evaluations.detail(ev.id, qa.forms)!;
    },
  );

  app.get(
    '/qa/evaluations/:id/audio',
    { schema: { tags, summary: "The evaluated call's audio with HTTP Range, for the agent of the call and QA staff; listening audited (once per user and recording per 10 min)", params: IdParams, response: { ...errors, 410: errorRef, 416: errorRef } }, preHandler: requireUser() },
    async (req, reply) => {
      const ev = qa.evaluations.row(req.params.id);
      const own = ev && ev.kind !== 'calibration' && ev.agent_id !== null && qa.appeals.agentOfUser(req.user!.id) === ev.agent_id;
      if (!ev) return reply.code(404).send({ error: 'not_found', message: `evaluation ${req.params.id} does not exist` });
      if (!own && !isStaff(req)) return reply.code(403).send({ error: 'forbidden', message: `evaluation ${req.params.id} is not about your calls` });
      const rec = deps.recording?.store.byId(ev.recording_id);
      const path = rec && deps.recording ? deps.recording.fileOf(rec) : null;
      if (!rec || !path || rec.state !== 'complete' || !existsSync(path)) return reply.code(410).send({ error: 'gone', message: `the file of recording ${ev.recording_id} is not available` });
      const size = statSync(path).size;
      // Browsers send a Range request per seek: one audit entry per user and recording per window.
      const key = `${req.user!.id}:${rec.id}`;
      if (Date.now() - (lastListen.get(key) ?? 0) > LISTEN_AUDIT_WINDOW_MS) {
        deps.audit.write({ ...actor(req), action: 'recording.listen', target: `recording:${rec.id}`, detail: { via: `qa_evaluation:${ev.id}`, range: req.headers.range ?? null } });
        if (lastListen.size > 10_000) lastListen.clear();
      }
      lastListen.set(key, Date.now());
      reply.header('Accept-Ranges', 'bytes').header('Cache-Control', 'private, no-store').header('Content-Type', rec.format === 'opus' ? 'audio/ogg' : 'audio/wav');
      const range = parseRange(req.headers.range, size);
      if (range === null) return reply.code(416).header('Content-Range', `bytes */${size}`).send({ error: 'range_not_satisfiable', message: `range "${req.headers.range}" is outside the file of ${size} bytes` });
      if (range === undefined) return reply.code(200).header('Content-Length', size).send(createReadStream(path));
      return reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${size}`).header('Content-Length', range.end - range.start + 1).send(createReadStream(path, { start: range.start, end: range.end }));
    },
  );

  app.post(
    '/qa/evaluations/:id/acknowledge',
    { schema: { tags, summary: 'The agent acknowledges the result; audited', params: IdParams, response: { 200: EvaluationSummary, ...errors } }, preHandler: requireUser() },
    async (req, reply) =>
      guard(reply, () => {
        qa.appeals.acknowledge(req.params.id, req.user!.id);
        deps.audit.write({ ...actor(req), action: 'qa.evaluation_acknowledged', target: `qa_evaluation:${req.params.id}` });
        return qa.evaluations.summary(req.params.id)!;
      }),
  );

  app.post(
    '/qa/evaluations/:id/appeal',
    { schema: { tags, summary: 'The agent appeals the result with a reason, within the deadline; audited', params: IdParams, body: AppealBody, response: { 201: AppealView, ...errors } }, preHandler: requireUser() },
    async (req, reply) =>
      guard(reply, () => {
        const ap = qa.appeals.appeal(req.params.id, req.user!.id, req.body.reason);
        deps.audit.write({ ...actor(req), action: 'qa.appeal_filed', target: `qa_evaluation:${req.params.id}`, detail: { appealId: ap.id } });
        return reply.code(201).send(ap);
      }),
  );

  app.post(
    '/qa/evaluations/:id/recheck',
    { schema: { tags, summary: 'QA manager re-checks an outlier: confirm or adjust the score; audited', params: IdParams, body: RecheckBody, response: { 200: EvaluationSummary, ...errors } }, preHandler: requireUser(...QA_MANAGER_ROLES) },
    async (req, reply) =>
      guard(reply, () => {
        qa.appeals.recheck(req.params.id, req.user!.id, req.body);
        deps.audit.write({ ...actor(req), action: 'qa.recheck_decided', target: `qa_evaluation:${req.params.id}`, detail: req.body });
        return qa.evaluations.summary(req.params.id)!;
      }),
  );

  // ---- appeals
  app.get(
    '/qa/appeals',
    { schema: { tags, summary: 'Appeals, open first', querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('upheld'), Type.Literal('rejected')])) }), response: { 200: Type.Array(AppealView), ...errors } }, preHandler: requireUser(...QA_READ_ROLES) },
    async (req) => qa.appeals.list(req.query.status),
  );

  app.post(
    '/qa/appeals/:id/decide',
    { schema: { tags, summary: 'QA manager decides an appeal: rejected, or upheld with an adjusted score or a re-score by another reviewer; audited', params: IdParams, body: DecideBody, response: { 200: AppealView, ...errors } }, preHandler: requireUser(...QA_MANAGER_ROLES) },
    async (req, reply) =>
      guard(reply, () => {
        const ap = qa.appeals.decide(req.params.id, req.user!.id, req.body);
        deps.audit.write({ ...actor(req), action: 'qa.appeal_decided', target: `qa_appeal:${ap.id}`, detail: req.body });
        return ap;
      }),
  );

  // ---- calibration
  app.get(
    '/qa/calibrations',
    { schema: { tags, summary: 'Calibration sessions', response: { 200: Type.Array(CalibrationSummary), ...errors } }, preHandler: requireUser(...QA_READ_ROLES) },
    async () => qa.calibration.list(),
  );

  app.post(
    '/qa/calibrations',
    { schema: { tags, summary: 'QA manager starts a calibration session: one recording, one form version, several reviewers; audited', body: CreateCalibrationBody, response: { 201: CalibrationView, ...errors } }, preHandler: requireUser(...QA_MANAGER_ROLES) },
    async (req, reply) =>
      guard(reply, () => {
        const s = qa.calibration.create(req.body, req.user!.id);
        deps.audit.write({ ...actor(req), action: 'qa.calibration_created', target: `qa_calibration:${s.id}`, detail: req.body });
        return reply.code(201).send(s);
      }),
  );

  app.get(
    '/qa/calibrations/:id',
    { schema: { tags, summary: 'A calibration session; scores and spread once everyone scored or it is closed', params: IdParams, response: { 200: CalibrationView, ...errors } }, preHandler: requireUser(...QA_READ_ROLES) },
    async (req, reply) => qa.calibration.view(req.params.id, { userId: req.user!.id, manager: isManager(req) }) ?? reply.code(404).send({ error: 'not_found', message: `calibration session ${req.params.id} does not exist or you are not in it` }),
  );

  app.post(
    '/qa/calibrations/:id/close',
    { schema: { tags, summary: 'QA manager closes a session (shows the spread of those who scored); audited', params: IdParams, response: { 200: CalibrationView, ...errors } }, preHandler: requireUser(...QA_MANAGER_ROLES) },
    async (req, reply) =>
      guard(reply, () => {
        const s = qa.calibration.close(req.params.id, req.user!.id);
        deps.audit.write({ ...actor(req), action: 'qa.calibration_closed', target: `qa_calibration:${s.id}` });
        return s;
      }),
  );
};
