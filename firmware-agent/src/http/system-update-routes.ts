// System → Update: upload a signed bundle (streamed to the data partition, verified before
// anything is written), install it into the inactive slot with progress, reboot. Admin only;
// every step is audited. Progress also goes out on the live feed as `update.progress`.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import type { AuditLog } from '../audit/audit-log.js';
import { BundleError } from '../system/update/bundle.js';
import { UpdateError, type UpdateService, type UpdateState } from '../system/update/update-service.js';
import type { LiveFeed } from './live.js';
import { requireUser } from './server.js';

export interface UpdateRouteDeps {
  update: UpdateService;
  audit: AuditLog;
  live: LiveFeed;
}

const State = Type.Object({
  phase: Type.String(),
  bytesDone: Type.Integer(),
  bytesTotal: Type.Integer(),
  version: Type.Union([Type.String(), Type.Null()]),
  targetSlot: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  errorCode: Type.Union([Type.String(), Type.Null()]),
});
const Status = Type.Object({
  slot: Type.Union([Type.String(), Type.Null()]),
  version: Type.String(),
  rolledBackFrom: Type.Union([Type.String(), Type.Null()]),
  onTrial: Type.Boolean(),
  pendingSlot: Type.Union([Type.String(), Type.Null()]),
  grubenv: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  state: State,
});

export const systemUpdateRoutes: FastifyPluginAsyncTypebox<{ deps: UpdateRouteDeps }> = async (app, { deps }) => {
  const { update, audit, live } = deps;
  const onProgress = (data: UpdateState) => live.publish({ type: 'update.progress', data });
  update.on('progress', onProgress);
  app.addHook('onClose', async () => {
    update.off('progress', onProgress);
  });

  // The bundle is streamed, not buffered: no body limit, no parsing.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  const admin = requireUser('admin');
  const fail = (err: unknown) => {
    if (err instanceof BundleError) return { status: 400, body: { error: err.code, message: err.message } };
    if (err instanceof UpdateError) return { status: err.httpStatus, body: { error: err.code, message: err.message } };
    throw err;
  };

  app.get(
    '/system/update',
    { schema: { tags: ['system'], summary: 'Slots, grubenv and the state of the current update (admin)', response: { 200: Status } }, preHandler: admin },
    async () => update.status(),
  );

  app.post(
    '/system/update/bundle',
    {
      schema: {
        tags: ['system'],
        summary: 'Upload a signed update bundle (application/octet-stream); verified (signature, size, sha256) before anything is written',
        response: { 200: Type.Object({ version: Type.String(), imageBytes: Type.Integer(), payloadSha256: Type.String() }), 400: Type.Ref('ApiError') },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const who = { userId: req.user?.id, username: req.user?.username, ip: req.ip };
      if (!req.headers['content-type']?.startsWith('application/octet-stream')) {
        return reply.code(415 as 400).send({ error: 'unsupported_media_type', message: 'send the bundle as application/octet-stream' });
      }
      const length = req.headers['content-length'] ? Number(req.headers['content-length']) : undefined;
      try {
        const m = await update.receive(req.body as Readable, length);
        audit.write({ ...who, action: 'system.update_uploaded', target: `version:${m.version}`, detail: { payloadSha256: m.payload.sha256, imageBytes: m.image.size } });
        return { version: m.version, imageBytes: m.image.size, payloadSha256: m.payload.sha256 };
      } catch (err) {
        const { status, body } = fail(err);
        audit.write({ ...who, action: 'system.update_refused', detail: body });
        return reply.code(status as 400).send(body as never);
      }
    },
  );

  app.post(
    '/system/update/install',
    {
      schema: {
        tags: ['system'],
        summary: 'Write the verified bundle to the inactive slot, try it once at the next boot; reboot when asked',
        body: Type.Object({ reboot: Type.Optional(Type.Boolean()) }),
        response: { 202: State, 409: Type.Ref('ApiError') },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const who = { userId: req.user?.id, username: req.user?.username, ip: req.ip };
      const reboot = req.body.reboot ?? false;
      // Writing takes minutes: answer at once, report through GET /system/update and the live feed.
      const before = update.state();
      if (before.phase !== 'verified') return reply.code(409).send({ error: 'not_verified', message: 'upload and verify a bundle first' });
      audit.write({ ...who, action: 'system.update_install_started', target: `version:${before.version}`, detail: { reboot } });
      update.install({ reboot }).then(
        (s) => audit.write({ ...who, action: 'system.update_installed', target: `version:${s.version}`, detail: { slot: s.targetSlot, reboot } }),
        (err: unknown) => audit.write({ ...who, action: 'system.update_failed', target: `version:${before.version}`, detail: { error: (err as Error).message } }),
      );
      await new Promise((r) => setImmediate(r));
      return reply.code(202).send(update.state());
    },
  );

  app.post(
    '/system/update/cancel',
    { schema: { tags: ['system'], summary: 'Cancel a written update that has not been booted yet', response: { 200: Status, '4xx': Type.Ref('ApiError') } }, preHandler: admin },
    async (req, reply) => {
      try {
        update.cancelPending();
      } catch (err) {
        const { status, body } = fail(err);
        return reply.code(status as 400).send(body as never);
      }
      audit.write({ userId: req.user?.id, username: req.user?.username, ip: req.ip, action: 'system.update_cancelled' });
      return update.status();
    },
  );
};
