// Hotline API: IVR and business hours, queues, prompts (TTS / upload / audio), callback tasks
// (list, add, one-click dial, outcome), monitoring (listen / whisper / barge) and the
// satisfaction / transfer figures. See docs/hotline.md.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CALLBACK_OUTCOMES, HotlineError, MONITOR_MODES, type HotlineActor, type HotlineModule } from '../hotline/hotline-module.js';
import { IvrDocSchema, MonitoringDocSchema, QueuesDocSchema } from '../hotline/types.js';
import { HotlineValidationError } from '../hotline/validate.js';
import { PromptConversionError } from '../prompts/convert.js';
import { PromptError } from '../prompts/prompt-store.js';
import { ConfigChangeError } from '../pbx-model/errors.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 422: errorRef, 502: errorRef, 503: errorRef };
const Issue = Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() });
const Invalid = Type.Object({ error: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), issues: Type.Optional(Type.Array(Issue)) });
const CONFIG_ROLES: Role[] = ['manager'];
const LEADS: Role[] = ['manager', 'team_lead'];
// Callback tasks carry customer numbers: the people who call back, not every signed-in role.
const CALLBACK_ROLES: Role[] = ['manager', 'team_lead', 'agent'];
const Prompt = Type.Object({
  name: Type.String(),
  source: Type.String(),
  lang: Type.Union([Type.String(), Type.Null()]),
  text: Type.Union([Type.String(), Type.Null()]),
  original: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
  updatedAt: Type.String(),
  asteriskPath: Type.String(),
});
const Callback = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  queue: Type.Union([Type.String(), Type.Null()]),
  linkedid: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  requestedFor: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  lastDialedAt: Type.Union([Type.String(), Type.Null()]),
  lastDialedBy: Type.Union([Type.String(), Type.Null()]),
  lastSeat: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  closedAt: Type.Union([Type.String(), Type.Null()]),
});
const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Seat = Type.String({ pattern: '^[2-8][0-9]{2,5}$' });

const actorOf = (req: FastifyRequest): HotlineActor => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });

export const hotlineRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const hotline = deps.hotline as HotlineModule;
  const tags = ['hotline'];

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply: FastifyReply) => {
    if (err instanceof HotlineValidationError) {
      return reply.code(400).send({ error: 'hotline_invalid', message: err.message, field: err.issues[0]?.path, issues: err.issues });
    }
    if (err instanceof HotlineError || err instanceof PromptError) return reply.code(err.status).send({ error: err.code, message: err.message });
    if (err instanceof PromptConversionError) return reply.code(400).send({ error: 'conversion_failed', message: err.message });
    if (err instanceof ConfigChangeError) return reply.code(err.status).send(err.toJSON());
    throw err;
  });

  /** The seat the signed-in user's agent is logged in at (for one-click dial and monitoring). */
  const mySeat = (req: FastifyRequest): string | undefined => {
    const agent = deps.agents?.store.byUser(req.user!.id);
    return agent ? deps.agents?.liveOf(agent.id)?.seat : undefined;
  };

  // ---- IVR / business hours ----

  app.get('/hotline/ivr', { schema: { tags, summary: 'The IVR: DID, menus, business hours and holiday calendar', response: { 200: IvrDocSchema, ...errors } }, preHandler: requireUser(...LEADS) }, async () => hotline.ivr());

  app.post(
    '/hotline/ivr/check',
    { schema: { tags, summary: 'Validates an IVR without saving it (loops, dead ends, unknown targets)', body: Type.Unknown(), response: { 200: Type.Object({ ok: Type.Boolean(), issues: Type.Array(Issue) }), ...errors } }, preHandler: requireUser(...CONFIG_ROLES) },
    async (req) => {
      const v = hotline.checkIvr(req.body);
      return { ok: v.ok, issues: v.ok ? [] : v.issues };
    },
  );

  app.put(
    '/hotline/ivr',
    // The body is validated by the hotline validator (issues mapped to editor items), not by fastify.
    { schema: { tags, summary: 'Saves the IVR after validation; refused with every issue when invalid', body: Type.Unknown(), response: { 200: IvrDocSchema, 400: Invalid, ...errors } }, preHandler: requireUser(...CONFIG_ROLES) },
    async (req) => hotline.saveIvr(req.body, actorOf(req)),
  );

  // ---- queues ----

  app.get('/hotline/queues', { schema: { tags, summary: 'Hotline queues', response: { 200: QueuesDocSchema, ...errors } }, preHandler: requireUser(...LEADS) }, async () => hotline.queues());

  app.post(
    '/hotline/queues/check',
    { schema: { tags, summary: 'Validates queues without saving them', body: Type.Unknown(), response: { 200: Type.Object({ ok: Type.Boolean(), issues: Type.Array(Issue) }), ...errors } }, preHandler: requireUser(...CONFIG_ROLES) },
    async (req) => {
      const v = hotline.checkQueues(req.body);
      return { ok: v.ok, issues: v.ok ? [] : v.issues };
    },
  );

  app.put(
    '/hotline/queues',
    { schema: { tags, summary: 'Saves the queues after validation', body: Type.Unknown(), response: { 200: QueuesDocSchema, 400: Invalid, ...errors } }, preHandler: requireUser(...CONFIG_ROLES) },
    async (req) => hotline.saveQueues(req.body, actorOf(req)),
  );

  // ---- prompts ----

  app.get('/hotline/prompts', { schema: { tags, summary: 'Prompts', response: { 200: Type.Object({ prompts: Type.Array(Prompt) }), ...errors } }, preHandler: requireUser(...LEADS) }, async () => ({ prompts: hotline.prompts.list() }));

  app.put(
    '/hotline/prompts/:name/tts',
    {
      schema: {
        tags,
        summary: 'Creates or updates a text-to-speech prompt (regenerated only when the text or language changed)',
        params: NameParams,
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 1000 }), lang: Type.Union([Type.Literal('zh'), Type.Literal('en')]) }, { additionalProperties: false }),
        response: { 200: Type.Object({ prompt: Prompt, regenerated: Type.Boolean() }), 400: Invalid, ...errors },
      },
      preHandler: requireUser(...CONFIG_ROLES),
    },
    async (req) => {
      const r = await hotline.prompts.saveTts(req.params.name, req.body.text, req.body.lang);
      deps.audit.write({ ...actorOf(req), action: 'hotline.prompt_saved', target: `prompt:${req.params.name}`, detail: { source: 'tts', lang: req.body.lang, regenerated: r.regenerated } });
      return r;
    },
  );

  app.post(
    '/hotline/prompts/:name/upload',
    {
      bodyLimit: 12 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Uploads a WAV/MP3 prompt (base64), converted to 8 kHz mono WAV',
        params: NameParams,
        body: Type.Object({ filename: Type.String({ minLength: 1, maxLength: 200 }), data: Type.String({ minLength: 4, maxLength: 11 * 1024 * 1024, description: 'base64' }) }, { additionalProperties: false }),
        response: { 200: Prompt, 400: Invalid, ...errors },
      },
      preHandler: requireUser(...CONFIG_ROLES),
    },
    async (req) => {
      const p = await hotline.prompts.saveUpload(req.params.name, req.body.filename, Buffer.from(req.body.data, 'base64'));
      deps.audit.write({ ...actorOf(req), action: 'hotline.prompt_saved', target: `prompt:${p.name}`, detail: { source: 'upload', file: req.body.filename } });
      return p;
    },
  );

  app.get('/hotline/prompts/:name/audio', { schema: { tags, summary: 'The prompt as 8 kHz WAV (preview)', params: NameParams }, preHandler: requireUser(...LEADS) }, async (req, reply) => {
    const buf = hotline.prompts.audio(req.params.name);
    if (!buf) return reply.code(404).send({ error: 'not_found', message: `no prompt ${req.params.name}` });
    return reply.type('audio/wav').header('cache-control', 'no-store').send(buf);
  });

  app.delete('/hotline/prompts/:name', { schema: { tags, summary: 'Deletes a prompt not used by the IVR or a queue', params: NameParams, response: { 204: Type.Null(), 400: Invalid, ...errors } }, preHandler: requireUser(...CONFIG_ROLES) }, async (req, reply) => {
    const name = req.params.name;
    const ivr = hotline.ivr();
    const used = [...ivr.menus.flatMap((m) => [m.prompt, m.invalidPrompt]), ivr.hours.closedPrompt].includes(name);
    if (used) throw new HotlineError('in_use', `prompt ${name} is used by the IVR or a queue`, 409);
    if (!hotline.prompts.remove(name)) throw new HotlineError('not_found', `no prompt ${name}`, 404);
    deps.audit.write({ ...actorOf(req), action: 'hotline.prompt_deleted', target: `prompt:${name}` });
    return reply.code(204).send(null);
  });

  // ---- callbacks ----

  app.get(
    '/hotline/callbacks',
    { schema: { tags, summary: 'Callback tasks of the team (open by default)', querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('all')])) }), response: { 200: Type.Object({ callbacks: Type.Array(Callback), mySeat: Type.Union([Type.String(), Type.Null()]) }), ...errors } }, preHandler: requireUser(...CALLBACK_ROLES) },
    async (req) => ({ callbacks: hotline.listCallbacks({ ...(req.query.status ? { status: req.query.status } : {}) }), mySeat: mySeat(req) ?? null }),
  );

  app.post(
    '/hotline/callbacks',
    {
      schema: {
        tags,
        summary: 'Adds a callback task by hand',
        body: Type.Object({ number: Type.String({ minLength: 3, maxLength: 24 }), requestedFor: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])), note: Type.Optional(Type.String({ maxLength: 500 })), queue: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: { 201: Callback, 400: Invalid, ...errors },
      },
      preHandler: requireUser(...CALLBACK_ROLES),
    },
    async (req, reply) => reply.code(201).send(hotline.addCallback({ ...req.body, source: 'manual' }, actorOf(req))),
  );

  app.post(
    '/hotline/callbacks/:id/dial',
    { schema: { tags, summary: "One click: rings the agent's seat, then dials the number through the outbound routes", params: IdParams, body: Type.Object({ seat: Type.Optional(Seat) }, { additionalProperties: false }), response: { 200: Callback, 400: Invalid, ...errors } }, preHandler: requireUser(...CALLBACK_ROLES) },
    async (req) => {
      const seat = req.body.seat ?? mySeat(req);
      if (!seat) throw new HotlineError('no_seat', 'log in to a seat first (or choose one)');
      return hotline.dialCallback(req.params.id, seat, actorOf(req));
    },
  );

  app.post(
    '/hotline/callbacks/:id/outcome',
    {
      schema: {
        tags,
        summary: 'Records the outcome (no_answer / busy keep the task open)',
        params: IdParams,
        body: Type.Object({ outcome: Type.Union(CALLBACK_OUTCOMES.map((o) => Type.Literal(o))), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: Callback, 400: Invalid, ...errors },
      },
      preHandler: requireUser(...CALLBACK_ROLES),
    },
    async (req) => hotline.setOutcome(req.params.id, req.body.outcome, req.body.note, actorOf(req)),
  );

  // ---- monitoring ----

  app.post(
    '/hotline/monitor',
    {
      schema: {
        tags,
        summary: "Listen / whisper / barge: rings the lead's seat, then joins the target seat's call",
        body: Type.Object({ targetSeat: Seat, mode: Type.Union(MONITOR_MODES.map((m) => Type.Literal(m))), leadSeat: Type.Optional(Seat) }, { additionalProperties: false }),
        response: { 202: Type.Object({ leadSeat: Type.String() }), 400: Invalid, ...errors },
      },
      preHandler: requireUser(...LEADS),
    },
    async (req, reply) => {
      const lead = req.body.leadSeat ?? mySeat(req);
      if (!lead) throw new HotlineError('no_seat', 'log in to a seat first (or choose one)');
      await hotline.monitor(lead, req.body.targetSeat, req.body.mode, actorOf(req));
      return reply.code(202).send({ leadSeat: lead });
    },
  );

  app.get('/hotline/monitoring', { schema: { tags, summary: 'Supervisor seats allowed to listen / whisper / barge', response: { 200: MonitoringDocSchema, ...errors } }, preHandler: requireUser(...LEADS) }, async () => hotline.monitoring());

  app.put(
    '/hotline/monitoring',
    { schema: { tags, summary: 'Sets the supervisor seats (applied to the PBX)', body: MonitoringDocSchema, response: { 200: MonitoringDocSchema, 400: Invalid, ...errors } }, preHandler: requireUser(...CONFIG_ROLES) },
    async (req) => hotline.saveMonitoring(req.body, actorOf(req)),
  );

  app.get(
    '/hotline/monitor/sessions',
    {
      schema: {
        tags,
        summary: 'Monitoring sessions (who, whom, mode, start, end)',
        response: { 200: Type.Object({ sessions: Type.Array(Type.Object({ id: Type.Integer(), leadSeat: Type.String(), targetSeat: Type.String(), mode: Type.String(), username: Type.Union([Type.String(), Type.Null()]), startedAt: Type.String(), endedAt: Type.Union([Type.String(), Type.Null()]) })) }), ...errors },
      },
      preHandler: requireUser(...LEADS),
    },
    async () => ({ sessions: hotline.monitorSessions() }),
  );

  // ---- figures ----

  app.get(
    '/hotline/stats',
    {
      schema: {
        tags,
        summary: 'Satisfaction rate (survey scores 4-5) and transfer rate over a period',
        querystring: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
        response: {
          200: Type.Object({ surveys: Type.Integer(), satisfied: Type.Integer(), satisfactionRate: Type.Union([Type.Number(), Type.Null()]), averageScore: Type.Union([Type.Number(), Type.Null()]), calls: Type.Integer(), transferredCalls: Type.Integer(), transferRate: Type.Union([Type.Number(), Type.Null()]) }),
          ...errors,
        },
      },
      preHandler: requireUser(...LEADS),
    },
    async (req) => hotline.stats(new Date(req.query.from).toISOString(), new Date(req.query.to).toISOString()),
  );

  app.get(
    '/hotline/calls/:linkedid',
    {
      schema: {
        tags,
        summary: 'Survey score and transfers of one call',
        params: Type.Object({ linkedid: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ linkedid: Type.String(), surveyScore: Type.Union([Type.Integer(), Type.Null()]), transfers: Type.Array(Type.Object({ kind: Type.String(), result: Type.String(), transferer: Type.Union([Type.String(), Type.Null()]), target: Type.Union([Type.String(), Type.Null()]), at: Type.String() })) }), ...errors },
      },
      preHandler: requireUser(...LEADS),
    },
    async (req) => ({ linkedid: req.params.linkedid, surveyScore: hotline.surveyOf(req.params.linkedid), transfers: hotline.transfersOf(req.params.linkedid) }),
  );
};
