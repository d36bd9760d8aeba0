// Fax API (docs/fax.md): inbox (list, PDF view/download — audited —, mark read), outbox
// (queue a fax from PDF uploads [+ cover page], cancel), settings, and in demo mode a button
// that makes the simulated remote machine send a fax now.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { FAX_LIMITS, FaxFileError } from '../fax/convert.js';
import { FaxError, type FaxActor, type FaxModule } from '../fax/fax-module.js';
import { JOB_STATUSES } from '../fax/fax-store.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 502: errorRef };
const Invalid = Type.Object({ error: Type.String(), message: Type.String(), file: Type.Optional(Type.String()) });
/** Who reads and sends faxes; settings are for managers (admin passes everything). */
const FAX_USERS: Role[] = ['manager', 'team_lead'];
const FAX_ADMIN: Role[] = ['manager'];
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const NInt = Type.Union([Type.Integer(), Type.Null()]);

const InboxItem = Type.Object({
  id: Type.Integer(),
  receivedAt: Type.String(),
  status: Type.String({ description: 'received | failed' }),
  error: Nullable(Type.String()),
  remoteStation: Nullable(Type.String()),
  pages: Type.Integer(),
  rate: NInt,
  resolution: Nullable(Type.String()),
  durationSeconds: NInt,
  callerNumber: Nullable(Type.String()),
  did: Nullable(Type.String()),
  route: Type.String({ description: 'did | hotline | line | demo' }),
  trunk: Nullable(Type.String()),
  hasPdf: Type.Boolean(),
  readAt: Nullable(Type.String()),
  readBy: Nullable(Type.String()),
});
const Job = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
  number: Type.String(),
  trunk: Type.String(),
  status: Type.String({ description: JOB_STATUSES.join(' | ') }),
  error: Nullable(Type.String()),
  pages: Type.Integer(),
  cover: Type.Boolean(),
  files: Type.Array(Type.String()),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  retryIntervalSeconds: Type.Integer(),
  nextAttemptAt: Nullable(Type.String()),
  lastResult: Nullable(Type.String()),
  remoteStation: Nullable(Type.String()),
  rate: NInt,
  pagesSent: NInt,
  durationSeconds: NInt,
  updatedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});
const Settings = Type.Object(
  {
    channels: Type.Integer({ minimum: 1, maximum: 16, description: 'simultaneous fax transfers' }),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 10 }),
    retryIntervalSeconds: Type.Integer({ minimum: 10, maximum: 3600, description: 'first retry after; doubles each time' }),
    stationId: Type.String({ pattern: '^[0-9+ ]{0,20}$', description: 'T.30 station ID (digits, + and spaces)' }),
    header: Type.String({ pattern: '^[A-Za-z0-9 ._+-]{0,40}$', description: 'page header of sent faxes (ASCII)' }),
    demoIntervalSeconds: Type.Integer({ minimum: 0, maximum: 86400, description: 'demo: seconds between simulated incoming faxes (0 = off)' }),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const PdfFile = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), data: Type.String({ minLength: 4, maxLength: Math.ceil((FAX_LIMITS.maxFileBytes * 4) / 3) + 4, description: 'base64 of a PDF' }) },
  { additionalProperties: false },
);
const NewJob = Type.Object(
  {
    number: Type.String({ pattern: '^\\+?[0-9]{3,20}$', description: 'fax number as the trunk dials it' }),
    trunk: Type.String({ minLength: 1, maxLength: 40, description: 'trunk id, or "pstn-sim" in demo mode' }),
    files: Type.Array(PdfFile, { maxItems: FAX_LIMITS.maxFiles }),
    cover: Type.Optional(
      Type.Union([
        Type.Object({ from: Type.String({ maxLength: 80 }), to: Type.String({ maxLength: 80 }), note: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

const actorOf = (req: FastifyRequest): FaxActor => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });

export const faxRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const fax = deps.fax as FaxModule;
  const tags = ['fax'];

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply: FastifyReply) => {
    if (err instanceof FaxFileError) {
      const file = (err as FaxFileError).file;
      return reply.code(400).send({ error: 'invalid_file', message: err.message, ...(file ? { file } : {}) });
    }
    if (err instanceof FaxError) return reply.code(err.status).send({ error: err.code, message: err.message });
    throw err;
  });

  app.get(
    '/fax/inbox',
    { schema: { tags, summary: 'Received faxes, newest first', response: { 200: Type.Object({ items: Type.Array(InboxItem), unread: Type.Integer() }), ...errors } }, preHandler: requireUser(...FAX_USERS) },
    async () => ({ items: fax.store.inbox(), unread: fax.store.unreadCount() }),
  );

  app.get(
    '/fax/inbox/:id/pdf',
    {
      schema: { tags, summary: 'A received fax as PDF (inline; ?download=1 as attachment). Audited.', params: IdParams, querystring: Type.Object({ download: Type.Optional(Type.Boolean()) }) },
      preHandler: requireUser(...FAX_USERS),
    },
    async (req, reply) => {
      const path = fax.pdfPath(req.params.id);
      if (!path) return reply.code(404).send({ error: 'not_found', message: `received fax ${req.params.id} has no PDF` });
      const download = req.query.download === true;
      deps.audit.write({ ...actorOf(req), action: download ? 'fax.downloaded' : 'fax.viewed', target: `fax-in:${req.params.id}` });
      return reply
        .type('application/pdf')
        .header('cache-control', 'no-store')
        .header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="fax-${req.params.id}.pdf"`)
        .send(createReadStream(path));
    },
  );

  app.post(
    '/fax/inbox/:id/read',
    { schema: { tags, summary: 'Marks a received fax read (or unread)', params: IdParams, body: Type.Object({ read: Type.Boolean() }, { additionalProperties: false }), response: { 200: InboxItem, ...errors } }, preHandler: requireUser(...FAX_USERS) },
    async (req) => fax.markRead(req.params.id, req.body.read, actorOf(req)),
  );

  app.get(
    '/fax/outbox',
    {
      schema: {
        tags,
        summary: 'Outbound fax jobs, newest first, with the trunks a fax can use and the queue state',
        response: { 200: Type.Object({ jobs: Type.Array(Job), trunks: Type.Array(Type.String()), channels: Type.Integer(), active: Type.Integer() }), ...errors },
      },
      preHandler: requireUser(...FAX_USERS),
    },
    async () => ({ jobs: fax.store.jobs(), trunks: fax.trunkChoices(), channels: fax.settings().channels, active: fax.queue.active }),
  );

  app.post(
    '/fax/outbox',
    {
      bodyLimit: 48 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Queues a fax: PDF files (base64, checked: magic bytes and ghostscript), optional cover page',
        body: NewJob,
        response: { 201: Job, 400: Invalid, ...errors },
      },
      preHandler: requireUser(...FAX_USERS),
    },
    async (req, reply) => {
      const files = req.body.files.map((f) => ({ name: f.name, data: Buffer.from(f.data, 'base64') }));
      const job = await fax.submit({ number: req.body.number, trunk: req.body.trunk, files, cover: req.body.cover ?? null }, actorOf(req));
      return reply.code(201).send(job);
    },
  );

  app.post(
    '/fax/outbox/:id/cancel',
    { schema: { tags, summary: 'Cancels a queued job, or hangs up one that is dialing/sending', params: IdParams, response: { 200: Job, ...errors } }, preHandler: requireUser(...FAX_USERS) },
    async (req) => fax.cancel(req.params.id, actorOf(req)),
  );

  app.get('/fax/settings', { schema: { tags, summary: 'Fax settings', response: { 200: Settings, ...errors } }, preHandler: requireUser(...FAX_USERS) }, async () => fax.settings());

  app.put(
    '/fax/settings',
    { schema: { tags, summary: 'Saves the fax settings (channels, retries, station ID, header)', body: Settings, response: { 200: Settings, ...errors } }, preHandler: requireUser(...FAX_ADMIN) },
    async (req) => {
      const s = fax.saveSettings(req.body, actorOf(req));
      // Station ID and header live in the generated dialplan.
      await deps.applyFaxIdentity?.(actorOf(req));
      return s;
    },
  );

  app.post(
    '/fax/demo/receive',
    { schema: { tags, summary: 'Demo mode: the simulated remote fax machine sends a 3-page fax to the box now', response: { 202: Type.Object({ ok: Type.Boolean() }), ...errors } }, preHandler: requireUser(...FAX_USERS) },
    async (req, reply) => {
      await fax.sendSimulatedFax();
      deps.audit.write({ ...actorOf(req), action: 'fax.demo_fax_requested', target: 'fax' });
      return reply.code(202).send({ ok: true });
    },
  );
};
