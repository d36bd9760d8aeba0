// Agents API: agents (people), PINs, pause reasons, the wrap-up setting, agent actions
// (login to a seat, logout, pause, ready) and the live seat list.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AgentsModule, Actor } from '../agents/agents-module.js';
import type { AgentRecord } from '../agents/agent-store.js';
import { AgentActionError } from '../agents/engine.js';
import {
  ActionResponse,
  AgentList,
  AgentResponse,
  AgentSettings,
  CreateAgentRequest,
  CreatePauseReasonRequest,
  HistoryQuery,
  HistoryResponse,
  LoginRequest,
  PauseReason,
  PauseReasonList,
  PauseRequest,
  ResetPinResponse,
  SetPinRequest,
  UpdateAgentRequest,
  UpdatePauseReasonRequest,
  type Agent,
} from '../agents/schemas.js';
import { SeatLive, type Role, type User } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef };
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const CodeParams = Type.Object({ code: Type.String({ pattern: '^[0-9]$' }) });

/** Roles that may act on any agent (force logout, pause someone, …) and see every agent. */
const SUPERVISORS: Role[] = ['manager', 'team_lead'];
const MAX_HISTORY_DAYS = 62;

const isSupervisor = (u: User): boolean => u.roles.includes('admin') || SUPERVISORS.some((r) => u.roles.includes(r));
const actorOf = (req: FastifyRequest): Actor => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });

export const agentsRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const agents = deps.agents as AgentsModule;
  const tags = ['agents'];

  const view = (a: AgentRecord): Agent => {
    const l = agents.liveOf(a.id);
    return {
      ...a,
      live: l
        ? {
            seat: l.seat,
            state: l.state,
            since: new Date(l.since).toISOString(),
            pauseReason: l.state === 'paused' ? l.reason : null,
            wrapUpEndsAt: l.state === 'wrap_up' && l.wrapUpEndsAt !== null ? new Date(l.wrapUpEndsAt).toISOString() : null,
            callLinkedid: l.linkedid,
            afterCall: l.afterCall,
            afterCallReason: l.afterCallReason,
          }
        : null,
    };
  };

  /** The agent, if the user may act on it; `forced` when acting on someone else. */
  const target = (req: FastifyRequest, id: number): { agent: AgentRecord; forced: boolean } => {
    const agent = agents.store.mustGet(id);
    const user = req.user!;
    const self = agent.userId !== null && agent.userId === user.id;
    if (!self && !isSupervisor(user)) throw new AgentActionError('forbidden', 'you may only act on your own agent (team leads, managers and admins may act on anyone)', 403);
    return { agent, forced: !self };
  };

  // ---- agents ----

  app.get('/agents', { schema: { tags, summary: 'Every agent with its live state (team leads, managers)', response: { 200: AgentList, ...errors } }, preHandler: requireUser(...SUPERVISORS) }, async () => ({
    agents: agents.store.list().map(view),
  }));

  app.get('/agents/me', { schema: { tags, summary: 'The agent linked to the signed-in user', response: { 200: AgentResponse, ...errors } }, preHandler: requireUser() }, async (req) => {
    const a = agents.store.byUser(req.user!.id);
    if (!a) throw new AgentActionError('no_agent', 'your user account is not linked to an agent', 404);
    return { agent: view(a) };
  });

  app.get('/agents/:id', { schema: { tags, summary: 'One agent', params: IdParams, response: { 200: AgentResponse, ...errors } }, preHandler: requireUser() }, async (req) => ({
    agent: view(target(req, req.params.id).agent),
  }));

  app.post('/agents', { schema: { tags, summary: 'Create an agent', body: CreateAgentRequest, response: { 200: AgentResponse, ...errors } }, preHandler: requireUser('manager') }, async (req) => ({
    agent: view(await agents.createAgent(req.body, actorOf(req))),
  }));

  app.patch(
    '/agents/:id',
    { schema: { tags, summary: 'Change an agent (deactivating logs the agent out)', params: IdParams, body: UpdateAgentRequest, response: { 200: AgentResponse, ...errors } }, preHandler: requireUser('manager') },
    async (req) => ({ agent: view(await agents.updateAgent(req.params.id, req.body, actorOf(req))) }),
  );

  app.delete(
    '/agents/:id',
    { schema: { tags, summary: 'Delete an agent who never logged in (others: deactivate)', params: IdParams, response: { 200: Type.Object({}), ...errors } }, preHandler: requireUser('manager') },
    async (req) => {
      await agents.deleteAgent(req.params.id, actorOf(req));
      return {};
    },
  );

  app.put(
    '/agents/:id/pin',
    { schema: { tags, summary: "Set an agent's phone PIN (managers; an agent for themself)", params: IdParams, body: SetPinRequest, response: { 200: AgentResponse, ...errors } }, preHandler: requireUser() },
    async (req) => {
      const { forced } = target(req, req.params.id);
      if (forced && !req.user!.roles.includes('admin') && !req.user!.roles.includes('manager')) throw new AgentActionError('forbidden', "only managers and admins set another agent's PIN", 403);
      return { agent: view(await agents.setPin(req.params.id, req.body.pin, actorOf(req))) };
    },
  );

  app.post(
    '/agents/:id/pin/reset',
    { schema: { tags, summary: 'Give the agent a new random 6-digit PIN (returned once)', params: IdParams, response: { 200: ResetPinResponse, ...errors } }, preHandler: requireUser('manager') },
    async (req) => {
      const r = await agents.resetPin(req.params.id, actorOf(req));
      return { agent: view(r.agent), pin: r.pin };
    },
  );

  app.delete(
    '/agents/:id/pin',
    { schema: { tags, summary: 'Remove the PIN (no phone login until a new one is set)', params: IdParams, response: { 200: AgentResponse, ...errors } }, preHandler: requireUser('manager') },
    async (req) => ({ agent: view(await agents.clearPin(req.params.id, actorOf(req))) }),
  );

  // ---- actions ----

  app.post(
    '/agents/:id/login',
    { schema: { tags, summary: 'Log the agent in to a seat', params: IdParams, body: LoginRequest, response: { 200: ActionResponse, ...errors } }, preHandler: requireUser() },
    async (req) => {
      const { agent, forced } = target(req, req.params.id);
      const force = req.body.force === true;
      if (force && !isSupervisor(req.user!)) throw new AgentActionError('forbidden', 'only team leads, managers and admins may take a seat from another agent', 403);
      agents.login(agent.id, req.body.seat, { force, forced: forced || force }, actorOf(req));
      return { agent: view(agent), effect: 'now' as const };
    },
  );

  app.post('/agents/:id/logout', { schema: { tags, summary: 'Log the agent out', params: IdParams, response: { 200: ActionResponse, ...errors } }, preHandler: requireUser() }, async (req) => {
    const { agent, forced } = target(req, req.params.id);
    agents.logout(agent.id, forced, actorOf(req));
    return { agent: view(agent), effect: 'now' as const };
  });

  app.post(
    '/agents/:id/pause',
    { schema: { tags, summary: 'Pause (now, or after the current call and its wrap-up)', params: IdParams, body: PauseRequest, response: { 200: ActionResponse, ...errors } }, preHandler: requireUser() },
    async (req) => {
      const { agent, forced } = target(req, req.params.id);
      const r = agents.pause(agent.id, req.body.reasonCode ?? null, forced, actorOf(req));
      return { agent: view(agent), effect: r.effect };
    },
  );

  app.post('/agents/:id/ready', { schema: { tags, summary: 'Ready: end a pause or wrap-up', params: IdParams, response: { 200: ActionResponse, ...errors } }, preHandler: requireUser() }, async (req) => {
    const { agent, forced } = target(req, req.params.id);
    const r = agents.ready(agent.id, forced, actorOf(req));
    return { agent: view(agent), effect: r.effect };
  });

  app.get(
    '/agents/:id/history',
    { schema: { tags, summary: 'Login sessions and state intervals overlapping [from, to)', params: IdParams, querystring: HistoryQuery, response: { 200: HistoryResponse, ...errors } }, preHandler: requireUser() },
    async (req) => {
      const { agent } = target(req, req.params.id);
      const parse = (v: string | undefined, field: string, fallback: number): number => {
        if (v === undefined) return fallback;
        const t = Date.parse(v);
        if (!Number.isFinite(t)) throw new AgentActionError('validation', `querystring.${field}: not an ISO date-time: ${JSON.stringify(v)}`, 400);
        return t;
      };
      const to = parse(req.query.to, 'to', Date.now());
      const from = parse(req.query.from, 'from', to - 24 * 3600_000);
      if (from >= to) throw new AgentActionError('validation', 'querystring.from: must be before `to`', 400);
      if (to - from > MAX_HISTORY_DAYS * 24 * 3600_000) throw new AgentActionError('validation', `querystring: at most ${MAX_HISTORY_DAYS} days at once`, 400);
      const f = new Date(from).toISOString();
      const t = new Date(to).toISOString();
      return { agentId: agent.id, from: f, to: t, sessions: agents.states.sessions(agent.id, f, t), intervals: agents.states.history(agent.id, f, t) };
    },
  );

  // ---- seats ----

  app.get('/seats/live', { schema: { tags, summary: 'Every seat with its agent and state', response: { 200: Type.Array(SeatLive), 401: errorRef } }, preHandler: requireUser() }, async () =>
    agents.seatsLive(),
  );

  // ---- pause reasons, settings ----

  app.get('/pause-reasons', { schema: { tags, summary: 'Pause reasons', response: { 200: PauseReasonList, 401: errorRef } }, preHandler: requireUser() }, async () => ({
    reasons: agents.store.reasons(),
  }));

  app.post('/pause-reasons', { schema: { tags, summary: 'Add a pause reason', body: CreatePauseReasonRequest, response: { 200: PauseReason, ...errors } }, preHandler: requireUser('manager') }, async (req) => {
    const r = agents.store.createReason(req.body);
    deps.audit.write({ ...actorOf(req), action: 'pause_reason.created', target: `pause_reason:${r.code}`, detail: r });
    return r;
  });

  app.patch(
    '/pause-reasons/:code',
    { schema: { tags, summary: 'Change a pause reason', params: CodeParams, body: UpdatePauseReasonRequest, response: { 200: PauseReason, ...errors } }, preHandler: requireUser('manager') },
    async (req) => {
      const { before, after } = agents.store.updateReason(req.params.code, req.body);
      deps.audit.write({ ...actorOf(req), action: 'pause_reason.updated', target: `pause_reason:${after.code}`, detail: { before, after } });
      return after;
    },
  );

  app.delete(
    '/pause-reasons/:code',
    { schema: { tags, summary: 'Delete an unused pause reason (used ones: deactivate)', params: CodeParams, response: { 200: Type.Object({}), ...errors } }, preHandler: requireUser('manager') },
    async (req) => {
      const r = agents.store.deleteReason(req.params.code);
      deps.audit.write({ ...actorOf(req), action: 'pause_reason.deleted', target: `pause_reason:${r.code}`, detail: r });
      return {};
    },
  );

  app.get('/agent-settings', { schema: { tags, summary: 'Agent settings (default wrap-up time)', response: { 200: AgentSettings, 401: errorRef } }, preHandler: requireUser() }, async () => ({
    wrapUpSeconds: agents.store.defaultWrapUpSeconds(),
  }));

  app.put('/agent-settings', { schema: { tags, summary: 'Change agent settings', body: AgentSettings, response: { 200: AgentSettings, ...errors } }, preHandler: requireUser('manager') }, async (req) => {
    const before = agents.store.defaultWrapUpSeconds();
    agents.store.setDefaultWrapUpSeconds(req.body.wrapUpSeconds);
    deps.audit.write({ ...actorOf(req), action: 'agent_settings.updated', detail: { before: { wrapUpSeconds: before }, after: req.body } });
    return { wrapUpSeconds: agents.store.defaultWrapUpSeconds() };
  });
};
