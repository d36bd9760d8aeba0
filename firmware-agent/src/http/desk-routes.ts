// Agent desktop API (docs/agent-desktop.md): the agent acts for themself — the signed-in user
// must be linked to an active agent (agents.user_id), else 403 no_agent. Every answer is the
// new DeskState (also pushed as `desk.state` on the websocket to this user only).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgentActionError } from '../agents/engine.js';
import { CampaignError } from '../campaigns/campaign-store.js';
import { DeskState, DeskStats } from '../desk/contract.js';
import { DeskCallError, DeskError, type DeskModule } from '../desk/desk-module.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Object({ error: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) });
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 502: errorRef };
const Ok = { 200: DeskState, ...errors };

function deskErrorHandler(err: Error & { statusCode?: number; validation?: unknown }, _req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof DeskError || err instanceof DeskCallError) return reply.code(err.statusCode).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
  if (err instanceof AgentActionError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
  if (err instanceof CampaignError) return reply.code(err.status).send({ error: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
  throw err;
}

export const deskRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps & { desk: DeskModule } }> = async (app, { deps }) => {
  const desk = deps.desk;
  const agents = deps.agents!;
  const tags = ['desk'];
  app.setErrorHandler(deskErrorHandler);
  const pre = requireUser('agent');
  const me = (req: FastifyRequest) => desk.requireAgent(req.user!.id);
  const actor = (req: FastifyRequest) => ({ userId: req.user!.id, username: req.user!.username, ip: req.ip });
  const audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) => deps.audit.write({ ...actor(req), action, target, detail });

  app.get('/desk/state', { schema: { tags, summary: 'My desk: state, call, screen pop, wrap-up, preview', response: Ok }, preHandler: pre }, async (req) => desk.build(me(req).id));
  app.get('/desk/stats', { schema: { tags, summary: 'My statistics of the day against the targets', response: { 200: DeskStats, ...errors } }, preHandler: pre }, async (req) => desk.stats(me(req).id));

  app.post(
    '/desk/login',
    { schema: { tags, summary: 'Log in to a seat from the desktop', body: Type.Object({ seat: Type.String({ pattern: '^[0-9]{2,8}$' }), force: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: Ok }, preHandler: pre },
    async (req) => {
      const a = me(req);
      agents.login(a.id, req.body.seat, { force: req.body.force ?? false, forced: false }, actor(req));
      desk.markDeskSession(a.id);
      audit(req, 'desk.login', `agent:${a.id}`, { seat: req.body.seat });
      desk.refreshAgent(a.id);
      return desk.build(a.id);
    },
  );
  app.post('/desk/logout', { schema: { tags, summary: 'Log out of the seat', response: Ok }, preHandler: pre }, async (req) => {
    const a = me(req);
    agents.logout(a.id, false, actor(req));
    audit(req, 'desk.logout', `agent:${a.id}`);
    desk.refreshAgent(a.id);
    return desk.build(a.id);
  });
  app.post('/desk/ready', { schema: { tags, summary: 'Ready (after the call and disposition when on one)', response: Ok }, preHandler: pre }, async (req) => {
    const a = me(req);
    const r = agents.ready(a.id, false, actor(req));
    audit(req, 'desk.ready', `agent:${a.id}`, { effect: r.effect });
    return desk.build(a.id);
  });
  app.post(
    '/desk/pause',
    { schema: { tags, summary: 'Pause with a reason (after the call and disposition when on one)', body: Type.Object({ reasonCode: Type.Union([Type.String({ pattern: '^[0-9]$' }), Type.Null()]) }, { additionalProperties: false }), response: Ok }, preHandler: pre },
    async (req) => {
      const a = me(req);
      const r = agents.pause(a.id, req.body.reasonCode, false, actor(req));
      audit(req, 'desk.pause', `agent:${a.id}`, { reason: req.body.reasonCode, effect: r.effect });
      return desk.build(a.id);
    },
  );
  app.post(
    '/desk/campaign',
    { schema: { tags, summary: 'The campaign I work (preview, click-to-dial); null = none', body: Type.Object({ campaignId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]) }, { additionalProperties: false }), response: Ok }, preHandler: pre },
    async (req) => desk.setCampaign(me(req).id, req.body.campaignId, actor(req)),
  );
  app.post('/desk/preview/next', { schema: { tags, summary: 'Preview: claim the next lead due for me', response: Ok }, preHandler: pre }, async (req) => desk.previewNext(me(req).id, actor(req)));
  app.post('/desk/preview/skip', { schema: { tags, summary: 'Preview: give the held lead back undialled', response: Ok }, preHandler: pre }, async (req) => desk.previewSkip(me(req).id, actor(req)));
  app.post(
    '/desk/dial',
    {
      schema: {
        tags,
        summary: 'Click-to-dial: my seat rings first, then the customer (a lead of mine, or a number)',
        body: Type.Object({ leadId: Type.Optional(Type.Integer({ minimum: 1 })), number: Type.Optional(Type.String({ minLength: 3, maxLength: 32 })) }, { additionalProperties: false }),
        response: Ok,
      },
      preHandler: pre,
    },
    async (req) => {
      if ((req.body.leadId === undefined) === (req.body.number === undefined)) throw new DeskError('validation', 'give exactly one of leadId or number', 400, 'leadId');
      return desk.dial(me(req).id, req.body, actor(req));
    },
  );
  app.post('/desk/hangup', { schema: { tags, summary: 'Hang up my call', response: Ok }, preHandler: pre }, async (req) => desk.hangup(me(req).id, actor(req)));
  app.post('/desk/hold', { schema: { tags, summary: 'Hold: the customer hears music on hold', response: Ok }, preHandler: pre }, async (req) => desk.hold(me(req).id, actor(req)));
  app.post('/desk/unhold', { schema: { tags, summary: 'Take the held customer back', response: Ok }, preHandler: pre }, async (req) => desk.unhold(me(req).id, actor(req)));
  const Target = Type.String({ minLength: 2, maxLength: 32, description: 'a seat extension or an outside number' });
  app.post(
    '/desk/transfer',
    { schema: { tags, summary: 'Transfer: blind (at once) or attended (consultation call first)', body: Type.Object({ target: Target, mode: Type.Union([Type.Literal('blind'), Type.Literal('attended')]) }, { additionalProperties: false }), response: Ok }, preHandler: pre },
    async (req) => desk.transfer(me(req).id, req.body.target, req.body.mode, actor(req)),
  );
  app.post('/desk/transfer/complete', { schema: { tags, summary: 'Attended transfer: connect the customer with the consulted party and leave', response: Ok }, preHandler: pre }, async (req) => desk.completeTransfer(me(req).id, actor(req)));
  app.post('/desk/transfer/cancel', { schema: { tags, summary: 'End the consultation and take the customer back', response: Ok }, preHandler: pre }, async (req) => desk.cancelTransfer(me(req).id, actor(req)));
  app.post(
    '/desk/conference',
    {
      schema: { tags, summary: 'Conference: call the target (consultation), then call again to join all three', body: Type.Object({ target: Type.Optional(Target) }, { additionalProperties: false }), response: Ok },
      preHandler: pre,
    },
    async (req) => desk.conference(me(req).id, req.body.target, actor(req)),
  );
  app.post(
    '/desk/disposition',
    {
      schema: {
        tags,
        summary: 'Disposition, notes and callback of the last call (required before the next call)',
        body: Type.Object(
          {
            disposition: Type.String({ pattern: '^[a-z0-9_]{1,32}$' }),
            notes: Type.Optional(Type.String({ maxLength: 4000 })),
            callbackAt: Type.Optional(Type.String({ format: 'date-time' })),
            callbackScope: Type.Optional(Type.Union([Type.Literal('personal'), Type.Literal('team')])),
          },
          { additionalProperties: false },
        ),
        response: Ok,
      },
      preHandler: pre,
    },
    async (req) => desk.dispose(me(req).id, req.body, actor(req)),
  );
};
