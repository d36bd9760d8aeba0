// Training API (docs/training.md): qualification status and the login gate's reasons, training
// plans with trainees and exam results, re-exams, qualifying-recording approval, retraining.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { TrainingError, type TrainingActor, type TrainingService } from '../training/training-service.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef };
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Score = Type.Integer({ minimum: 0, maximum: 100 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Missing = Type.Union([Type.Literal('written'), Type.Literal('oral'), Type.Literal('recording')]);
const Retraining = Type.Object({
  id: Type.Integer(),
  agentId: Type.Integer(),
  reason: Type.String(),
  source: Type.Union([Type.Literal('qa'), Type.Literal('assessment'), Type.Literal('manual')]),
  assignedBy: Nullable(Type.String()),
  assignedAt: Type.String(),
  planId: Nullable(Type.Integer()),
  status: Type.Union([Type.Literal('open'), Type.Literal('completed'), Type.Literal('cancelled')]),
  closedAt: Nullable(Type.String()),
  closedBy: Nullable(Type.String()),
});
const Qualification = Type.Object({
  agentId: Type.Integer(),
  agentNumber: Type.String(),
  agentName: Type.String(),
  trainee: Type.Boolean(),
  writtenScore: Nullable(Type.Integer()),
  oralScore: Nullable(Type.Integer()),
  passMarkWritten: Type.Integer(),
  passMarkOral: Type.Integer(),
  recordingId: Nullable(Type.Integer()),
  recordingApprovedBy: Nullable(Type.Integer()),
  recordingApprovedAt: Nullable(Type.String()),
  qualifiedAt: Nullable(Type.String()),
  qualifiedBy: Nullable(Type.String()),
  missing: Type.Array(Missing),
  openRetraining: Type.Array(Retraining),
  gated: Type.Boolean(),
});
const Result = Type.Object({
  id: Type.Integer(),
  planId: Type.Integer(),
  agentId: Type.Integer(),
  attempt: Type.Integer(),
  examAt: Type.String(),
  writtenScore: Nullable(Type.Integer()),
  oralScore: Nullable(Type.Integer()),
  passed: Type.Boolean(),
  reexamAt: Nullable(Type.String()),
  reexamOverdue: Type.Boolean(),
  recordedBy: Nullable(Type.String()),
  recordedAt: Type.String(),
});
const Plan = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  kind: Type.Union([Type.Literal('initial'), Type.Literal('retraining')]),
  startsAt: Type.String(),
  endsAt: Nullable(Type.String()),
  place: Type.String(),
  material: Type.String(),
  trainerUserId: Nullable(Type.Integer()),
  examWritten: Type.Boolean(),
  examOral: Type.Boolean(),
  passMarkWritten: Type.Integer(),
  passMarkOral: Type.Integer(),
  redesign: Type.Boolean(),
  redesignFlaggedAt: Nullable(Type.String()),
  trainees: Type.Array(Type.Object({ agentId: Type.Integer(), number: Type.String(), name: Type.String() })),
  results: Type.Array(Result),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String(),
});
const CreatePlan = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 120 }),
    kind: Type.Optional(Type.Union([Type.Literal('initial'), Type.Literal('retraining')])),
    startsAt: Type.String({ minLength: 10, maxLength: 40 }),
    endsAt: Type.Optional(Nullable(Type.String({ minLength: 10, maxLength: 40 }))),
    place: Type.String({ minLength: 1, maxLength: 120 }),
    material: Type.Optional(Type.String({ maxLength: 4000 })),
    trainerUserId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
    examWritten: Type.Optional(Type.Boolean()),
    examOral: Type.Optional(Type.Boolean()),
    passMarkWritten: Type.Optional(Score),
    passMarkOral: Type.Optional(Score),
    trainees: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200 })),
  },
  { additionalProperties: false },
);

/** Roles that run training: plans, results, trainee flags. */
const TRAINING: Role[] = ['trainer', 'manager'];
const READERS: Role[] = ['trainer', 'manager', 'team_lead', 'qa'];

const actorOf = (req: FastifyRequest): TrainingActor => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });

export const trainingRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const training = deps.training as TrainingService;
  const tags = ['training'];

  app.get('/training/me', { schema: { tags, summary: "The signed-in agent's own qualification status", response: { 200: Qualification, ...errors } }, preHandler: requireUser() }, async (req) => {
    const id = training.agentOfUser(req.user!.id);
    if (id === undefined) throw new TrainingError('no_agent', 'your user account is not linked to an agent', 404);
    return training.status(id);
  });

  app.get('/training/agents', { schema: { tags, summary: 'Active agents to pick trainees from', response: { 200: Type.Object({ agents: Type.Array(Type.Object({ id: Type.Integer(), number: Type.String(), name: Type.String() })) }), ...errors } }, preHandler: requireUser(...READERS) }, async () => ({
    agents: training.agentChoices(),
  }));

  app.get('/training/qualifications', { schema: { tags, summary: 'Trainees, qualified agents and agents with retraining, with what is missing', response: { 200: Type.Object({ qualifications: Type.Array(Qualification) }), ...errors } }, preHandler: requireUser(...READERS) }, async () => ({
    qualifications: training.statuses(),
  }));

  app.get('/training/agents/:id', { schema: { tags, summary: "One agent's qualification status", params: IdParams, response: { 200: Qualification, ...errors } }, preHandler: requireUser() }, async (req) => {
    const user = req.user!;
    const self = training.agentOfUser(user.id) === req.params.id;
    if (!self && !user.roles.includes('admin') && !READERS.some((r) => user.roles.includes(r))) throw new TrainingError('forbidden', 'you may only read your own training status', 403);
    return training.status(req.params.id);
  });

  app.put(
    '/training/agents/:id/trainee',
    { schema: { tags, summary: 'Mark an agent as a trainee (no login until qualified) or release the flag', params: IdParams, body: Type.Object({ trainee: Type.Boolean() }, { additionalProperties: false }), response: { 200: Qualification, ...errors } }, preHandler: requireUser(...TRAINING) },
    async (req) => training.setRequired(req.params.id, req.body.trainee, actorOf(req)),
  );

  app.get(
    '/training/agents/:id/recordings',
    { schema: { tags, summary: "The agent's complete recordings (to pick the qualifying one)", params: IdParams, response: { 200: Type.Object({ recordings: Type.Array(Type.Object({ id: Type.Integer(), startedAt: Type.String(), durationMs: Nullable(Type.Integer()), seat: Nullable(Type.String()) })) }), ...errors } }, preHandler: requireUser(...TRAINING) },
    async (req) => ({ recordings: training.recordingsOf(req.params.id) }),
  );

  app.post(
    '/training/agents/:id/recording',
    { schema: { tags, summary: 'Approve a qualifying recording (role trainer only)', params: IdParams, body: Type.Object({ recordingId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), response: { 200: Qualification, ...errors } }, preHandler: requireUser('trainer') },
    async (req) => training.approveRecording(req.params.id, req.body.recordingId, actorOf(req)),
  );

  // ---- plans ----

  app.get('/training/plans', { schema: { tags, summary: 'Training plans with trainees, results and flags', response: { 200: Type.Object({ plans: Type.Array(Plan) }), ...errors } }, preHandler: requireUser(...READERS) }, async () => ({
    plans: training.plans(),
  }));

  app.get('/training/plans/:id', { schema: { tags, summary: 'One training plan', params: IdParams, response: { 200: Plan, ...errors } }, preHandler: requireUser(...READERS) }, async (req) => training.plan(req.params.id));

  app.post('/training/plans', { schema: { tags, summary: 'Create a training plan', body: CreatePlan, response: { 200: Plan, ...errors } }, preHandler: requireUser(...TRAINING) }, async (req) => training.createPlan(req.body, actorOf(req)));

  app.put(
    '/training/plans/:id/trainees',
    { schema: { tags, summary: "Set the plan's trainees", params: IdParams, body: Type.Object({ trainees: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200 }) }, { additionalProperties: false }), response: { 200: Plan, ...errors } }, preHandler: requireUser(...TRAINING) },
    async (req) => training.setTrainees(req.params.id, req.body.trainees, actorOf(req)),
  );

  app.post(
    '/training/plans/:id/results',
    {
      schema: {
        tags,
        summary: "Record a trainee's exam attempt (re-exams within 3 days of the failed one)",
        params: IdParams,
        body: Type.Object({ agentId: Type.Integer({ minimum: 1 }), examAt: Type.String({ minLength: 10, maxLength: 40 }), writtenScore: Type.Optional(Nullable(Score)), oralScore: Type.Optional(Nullable(Score)) }, { additionalProperties: false }),
        response: { 200: Plan, ...errors },
      },
      preHandler: requireUser(...TRAINING),
    },
    async (req) => training.recordResult(req.params.id, req.body, actorOf(req)),
  );

  app.post(
    '/training/plans/:id/reexams',
    { schema: { tags, summary: 'Schedule the re-exam of a failed trainee (at most 3 days after the failed exam)', params: IdParams, body: Type.Object({ agentId: Type.Integer({ minimum: 1 }), at: Type.String({ minLength: 10, maxLength: 40 }) }, { additionalProperties: false }), response: { 200: Plan, ...errors } }, preHandler: requireUser(...TRAINING) },
    async (req) => training.scheduleReexam(req.params.id, req.body.agentId, req.body.at, actorOf(req)),
  );

  app.delete('/training/plans/:id/redesign', { schema: { tags, summary: 'Clear the redesign flag (after the plan was reworked)', params: IdParams, response: { 200: Plan, ...errors } }, preHandler: requireUser(...TRAINING) }, async (req) => training.clearRedesign(req.params.id, actorOf(req)));

  // ---- retraining ----

  app.get(
    '/training/retraining',
    { schema: { tags, summary: 'Retraining assignments', querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('completed'), Type.Literal('cancelled')])) }), response: { 200: Type.Object({ retraining: Type.Array(Retraining) }), ...errors } }, preHandler: requireUser(...READERS) },
    async (req) => ({ retraining: training.retraining(req.query.status) }),
  );

  app.post(
    '/training/retraining',
    { schema: { tags, summary: 'Assign retraining (QA, trainers, managers): the agent cannot log in until a training exam is passed', body: Type.Object({ agentId: Type.Integer({ minimum: 1 }), reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }), response: { 200: Retraining, ...errors } }, preHandler: requireUser('qa', ...TRAINING) },
    async (req) => {
      const roles = req.user!.roles;
      const source = roles.includes('qa') && !roles.includes('trainer') && !roles.includes('manager') ? 'qa' : 'manual';
      return training.assignRetraining(req.body.agentId, req.body.reason, source, actorOf(req));
    },
  );

  app.post('/training/retraining/:id/cancel', { schema: { tags, summary: 'Cancel an open retraining assignment', params: IdParams, response: { 200: Retraining, ...errors } }, preHandler: requireUser(...TRAINING) }, async (req) => training.cancelRetraining(req.params.id, actorOf(req)));
};
