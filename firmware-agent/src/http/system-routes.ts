import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { HttpDeps } from './server.js';
import { requireUser } from './server.js';
import { Health, LiveCall, SystemMetrics, SystemStatus } from './schemas.js';

export const systemRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  // Unauthenticated on purpose: monitoring and the update health check poll it.
  app.get('/health', { schema: { tags: ['system'], summary: 'Liveness and readiness of agent, database and Asterisk', response: { 200: Health } } }, async () => deps.health());

  app.get(
    '/system/status',
    { schema: { tags: ['system'], summary: 'System status for the status page', response: { 200: SystemStatus, 401: Type.Ref('ApiError') } }, preHandler: requireUser() },
    async () => deps.status(),
  );

  app.get(
    '/system/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Event lag (Asterisk → agent) since sinceMs, the agent process\'s CPU time and memory',
        querystring: Type.Object({ sinceMs: Type.Optional(Type.Number({ minimum: 0 })) }),
        response: { 200: SystemMetrics, 401: Type.Ref('ApiError'), 403: Type.Ref('ApiError'), 404: Type.Ref('ApiError') },
      },
      preHandler: requireUser('admin', 'technician'),
    },
    async (req, reply) => {
      if (!deps.metrics) return reply.code(404).send({ error: 'not_available', message: 'metrics are not available in this mode' });
      return deps.metrics(req.query.sinceMs ?? 0);
    },
  );

  app.get(
    '/calls/live',
    { schema: { tags: ['calls'], summary: 'Calls in progress', response: { 200: Type.Object({ calls: Type.Array(LiveCall) }), 401: Type.Ref('ApiError') } }, preHandler: requireUser() },
    async () => ({ calls: deps.calls() }),
  );
};
