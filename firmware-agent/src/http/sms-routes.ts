// SMS API (docs/sms.md): modem status, settings, templates per campaign, bulk send (dry run,
// send, cancel), outbox and inbox. Numbers are masked for roles that do not see full numbers
// (leads/lead-view.ts); changes are audited by the SMS module with the actor.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FULL_NUMBER_ROLES, maskPhone } from '../leads/lead-view.js';
import { MODEM_STATES } from '../sms/modem.js';
import { MESSAGE_STATES, SmsError, type SmsActor, type SmsInboxItem, type SmsMessage, type SmsModule } from '../sms/sms-module.js';
import { SmsSettings, SmsSettingsError } from '../sms/sms-settings.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef };
/** Who works with SMS: managers everything, team leads bulk sends and lists (admin passes all). */
const SMS_USERS: Role[] = ['manager', 'team_lead'];
const SMS_ADMIN: Role[] = ['manager'];
const SETTINGS_ROLES: Role[] = ['manager', 'technician'];
const N = Type.Union([Type.String(), Type.Null()]);
const NInt = Type.Union([Type.Integer(), Type.Null()]);

const Info = Type.Object({ encoding: Type.String({ description: 'gsm7 | ucs2' }), characters: Type.Integer(), units: Type.Integer(), parts: Type.Integer(), perPart: Type.Integer() });
const ModemStatusT = Type.Object({
  state: Type.String({ description: MODEM_STATES.join(' | ') }),
  operator: N,
  signal: NInt,
  registration: NInt,
  model: N,
  imei: N,
  error: N,
  path: N,
  since: Type.String(),
});
const Template = Type.Object({
  id: Type.Integer(),
  campaignId: Type.Integer(),
  name: Type.String(),
  body: Type.String(),
  trigger: Type.String({ description: 'manual | after_call' }),
  dispositions: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  createdBy: N,
  updatedAt: Type.String(),
  info: Info,
});
const templateFields = {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    body: Type.String({ minLength: 1, maxLength: 2000, description: 'placeholders {{name}}, {{phone}}, {{fields.<column>}}' }),
    trigger: Type.Union([Type.Literal('manual'), Type.Literal('after_call')]),
    dispositions: Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,32}$' }), { maxItems: 40, description: 'after_call: the disposition codes that send it' }),
    enabled: Type.Boolean(),
};
const TemplateInput = Type.Object(templateFields, { additionalProperties: false });
// One object, not an intersection: fastify's ajv strips properties unknown to either half.
const TemplateCreate = Type.Object({ campaignId: Type.Integer({ minimum: 1 }), ...templateFields }, { additionalProperties: false });
const Message = Type.Object({
  id: Type.Integer(),
  batchId: NInt,
  templateId: NInt,
  campaignId: NInt,
  leadId: NInt,
  phone: N,
  masked: Type.Boolean(),
  body: Type.String(),
  encoding: Type.String(),
  parts: Type.Integer(),
  source: Type.String({ description: 'bulk | after_call | manual' }),
  state: Type.String({ description: MESSAGE_STATES.join(' | ') }),
  reason: N,
  cmsCode: NInt,
  attempts: Type.Integer(),
  nextAttemptAt: N,
  createdAt: Type.String(),
  createdBy: N,
  sentAt: N,
  deliveredAt: N,
  updatedAt: Type.String(),
});
const InboxItem = Type.Object({
  id: Type.Integer(),
  phone: N,
  masked: Type.Boolean(),
  body: Type.String(),
  receivedAt: Type.String(),
  storedAt: Type.String(),
  parts: Type.Integer(),
  optOut: Type.Boolean(),
  leadId: NInt,
  campaignId: NInt,
});
const Filter = Type.Object(
  {
    dispositions: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9_]{1,32}$' }), { maxItems: 40 })),
    statuses: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 20 })),
    listIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 })),
    leadIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50000 })),
  },
  { additionalProperties: false },
);
const BulkInput = Type.Object({ campaignId: Type.Integer({ minimum: 1 }), templateId: Type.Integer({ minimum: 1 }), filter: Filter }, { additionalProperties: false });
const Counts = Type.Record(Type.String(), Type.Integer());
const Batch = Type.Object({
  id: Type.Integer(),
  campaignId: Type.Integer(),
  templateId: NInt,
  filter: Filter,
  state: Type.String({ description: 'running | done | cancelled' }),
  total: Type.Integer(),
  createdAt: Type.String(),
  createdBy: N,
  finishedAt: N,
  counts: Counts,
});
const Preview = Type.Object({
  leads: Type.Integer(),
  eligible: Type.Integer(),
  parts: Type.Integer(),
  skipped: Counts,
  sample: Type.Union([Type.Object({ leadId: Type.Integer(), phone: N, text: Type.String(), info: Info }), Type.Null()]),
  hours: Type.Object({ open: Type.Boolean(), opensAt: N }),
  minutes: Type.Integer(),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const actorOf = (req: FastifyRequest): SmsActor => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });
const seesFull = (req: FastifyRequest): boolean => !!req.user && req.user.roles.some((r) => FULL_NUMBER_ROLES.includes(r));

/** The number masked in the field and inside the text (a template may contain {{phone}}). */
function maskMessage(m: SmsMessage, full: boolean) {
  if (full || !m.phone) return { ...m, masked: !full };
  return { ...m, phone: maskPhone(m.phone), body: m.body.split(m.phone).join(maskPhone(m.phone) ?? ''), masked: true };
}
function maskInbox(i: SmsInboxItem, full: boolean) {
  return { ...i, phone: full ? i.phone : maskPhone(i.phone), masked: !full };
}

export const smsRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const sms = deps.sms as SmsModule;
  const tags = ['sms'];

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply: FastifyReply) => {
    if (err instanceof SmsError) return reply.code(err.status).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
    if (err instanceof SmsSettingsError) return reply.code(400).send({ error: 'invalid_settings', message: err.message, field: err.field });
    throw err;
  });

  app.get(
    '/sms/modem',
    {
      schema: { tags, summary: 'The GSM modem: state, operator, signal (0–31), last error; queue figures', response: { 200: Type.Object({ modem: ModemStatusT, queued: Type.Integer(), ratePerMinute: Type.Integer(), demo: Type.Boolean() }), ...errors } },
      preHandler: requireUser(...SMS_USERS, 'technician'),
    },
    async () => ({ modem: sms.modemStatus(), queued: sms.outbox({ state: 'queued', limit: 1 }).total, ratePerMinute: sms.settings().ratePerMinute, demo: sms.simulator !== null }),
  );

  app.get('/sms/settings', { schema: { tags, summary: 'SMS settings', response: { 200: SmsSettings, ...errors } }, preHandler: requireUser(...SETTINGS_ROLES) }, async () => sms.settings());

  app.put(
    '/sms/settings',
    { schema: { tags, summary: 'Saves the SMS settings; a new device or speed reopens the modem', body: SmsSettings, response: { 200: SmsSettings, ...errors } }, preHandler: requireUser(...SETTINGS_ROLES) },
    async (req) => sms.saveSettings(req.body, actorOf(req)),
  );

  app.get(
    '/sms/templates',
    {
      schema: { tags, summary: 'SMS templates (of one campaign with ?campaignId)', querystring: Type.Object({ campaignId: Type.Optional(Type.Integer({ minimum: 1 })) }), response: { 200: Type.Object({ templates: Type.Array(Template) }), ...errors } },
      preHandler: requireUser(...SMS_USERS),
    },
    async (req) => ({ templates: sms.templates(req.query.campaignId) }),
  );

  app.post(
    '/sms/templates',
    {
      schema: { tags, summary: 'Creates a template of a campaign', body: TemplateCreate, response: { 201: Template, ...errors } },
      preHandler: requireUser(...SMS_ADMIN),
    },
    async (req, reply) => reply.code(201).send(sms.createTemplate(req.body, actorOf(req))),
  );

  app.put(
    '/sms/templates/:id',
    { schema: { tags, summary: 'Changes a template', params: IdParams, body: TemplateInput, response: { 200: Template, ...errors } }, preHandler: requireUser(...SMS_ADMIN) },
    async (req) => sms.updateTemplate(req.params.id, req.body, actorOf(req)),
  );

  app.delete(
    '/sms/templates/:id',
    { schema: { tags, summary: 'Deletes a template (sent messages keep their text)', params: IdParams, response: { 200: Type.Object({ ok: Type.Boolean() }), ...errors } }, preHandler: requireUser(...SMS_ADMIN) },
    async (req) => {
      sms.deleteTemplate(req.params.id, actorOf(req));
      return { ok: true };
    },
  );

  app.post(
    '/sms/bulk/preview',
    { schema: { tags, summary: 'Dry run of a bulk send: how many leads get it, who is skipped and why, a rendered sample', body: BulkInput, response: { 200: Preview, ...errors } }, preHandler: requireUser(...SMS_USERS) },
    async (req) => {
      const p = sms.previewBulk(req.body);
      const full = seesFull(req);
      if (p.sample && !full) p.sample = { ...p.sample, phone: maskPhone(p.sample.phone) ?? '', text: p.sample.text.split(p.sample.phone).join(maskPhone(p.sample.phone) ?? '') };
      return p;
    },
  );

  app.post(
    '/sms/bulk',
    { schema: { tags, summary: 'Starts a bulk send (queued; sent at the rate limit within the campaign\'s calling hours)', body: BulkInput, response: { 201: Batch, ...errors } }, preHandler: requireUser(...SMS_USERS) },
    async (req, reply) => reply.code(201).send(sms.startBulk(req.body, actorOf(req))),
  );

  app.get(
    '/sms/batches',
    { schema: { tags, summary: 'Bulk sends, newest first, with counts per state', response: { 200: Type.Object({ batches: Type.Array(Batch) }), ...errors } }, preHandler: requireUser(...SMS_USERS) },
    async () => ({ batches: sms.batches() }),
  );

  app.post(
    '/sms/batches/:id/cancel',
    { schema: { tags, summary: 'Cancels the messages of a bulk send not sent yet', params: IdParams, response: { 200: Batch, ...errors } }, preHandler: requireUser(...SMS_USERS) },
    async (req) => sms.cancelBatch(req.params.id, actorOf(req)),
  );

  app.get(
    '/sms/outbox',
    {
      schema: {
        tags,
        summary: 'Sent and queued SMS, newest first',
        querystring: Type.Object({
          state: Type.Optional(Type.Union(MESSAGE_STATES.map((s) => Type.Literal(s)))),
          campaignId: Type.Optional(Type.Integer({ minimum: 1 })),
          batchId: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(Message) }), ...errors },
      },
      preHandler: requireUser(...SMS_USERS),
    },
    async (req) => {
      const r = sms.outbox(req.query);
      const full = seesFull(req);
      return { total: r.total, items: r.items.map((m) => maskMessage(m, full)) };
    },
  );

  app.get(
    '/sms/inbox',
    {
      schema: {
        tags,
        summary: 'Received SMS (replies), newest first; optOut=true: the opt-outs only',
        querystring: Type.Object({ optOut: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(InboxItem) }), ...errors },
      },
      preHandler: requireUser(...SMS_USERS),
    },
    async (req) => {
      const r = sms.inbox(req.query);
      const full = seesFull(req);
      return { total: r.total, items: r.items.map((i) => maskInbox(i, full)) };
    },
  );

  app.post(
    '/sms/demo/incoming',
    {
      schema: {
        tags,
        summary: 'Demo mode: the simulated modem receives an SMS from a number (e.g. the opt-out "退订")',
        body: Type.Object({ from: Type.String({ pattern: '^\\+?[0-9]{5,20}$' }), text: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ ok: Type.Boolean() }), ...errors },
      },
      preHandler: requireUser(...SMS_USERS),
    },
    async (req, reply) => {
      sms.demoIncoming(req.body.from, req.body.text, actorOf(req));
      return reply.code(202).send({ ok: true });
    },
  );
};
