// Dialer API (docs/dialer.md): each dialing campaign's live pacing figures (the same frames go
// out as `dialer.status` on the websocket), its decision log, and the one knob: the drop cap.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import type { DialerModule } from '../dialer/dialer-module.js';
import { campaignErrorHandler, IdParams } from './campaigns-routes.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef };
const READ = ['manager', 'team_lead'] as const;

const Status = Type.Object({
  campaignId: Type.Integer(),
  campaignName: Type.String(),
  dialMode: Type.String(),
  mode: Type.String(),
  progressiveWhy: Type.Union([Type.String(), Type.Null()]),
  notDialingReason: Type.Union([Type.String(), Type.Null()]),
  dropCap: Type.Number(),
  dropRate24h: Type.Number(),
  dropRate30d: Type.Number(),
  answers24h: Type.Integer(),
  drops24h: Type.Integer(),
  answers30d: Type.Integer(),
  drops30d: Type.Integer(),
  dialsToday: Type.Integer(),
  liveAnswersToday: Type.Integer(),
  dropsToday: Type.Integer(),
  occupancy: Type.Number(),
  inFlight: Type.Integer(),
  ringing: Type.Integer(),
  waiting: Type.Integer(),
  connected: Type.Integer(),
  agents: Type.Object({ ready: Type.Integer(), talking: Type.Integer(), wrap: Type.Integer(), paused: Type.Integer() }),
  answerProbability: Type.Number(),
  at: Type.String(),
});

const Decision = Type.Object({
  at: Type.String(),
  dials: Type.Integer(),
  placed: Type.Integer(),
  mode: Type.String(),
  why: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  ready: Type.Integer(),
  talking: Type.Integer(),
  wrap: Type.Integer(),
  paused: Type.Integer(),
  ringing: Type.Integer(),
  waiting: Type.Integer(),
  theta: Type.Number(),
  answer_probability: Type.Number(),
  drops_24h: Type.Integer(),
  answers_24h: Type.Integer(),
});

export const dialerRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const dialer = deps.dialer as DialerModule;
  const campaigns = deps.campaigns as CampaignsModule;
  const tags = ['dialer'];
  app.setErrorHandler(campaignErrorHandler);

  app.get('/dialer/campaigns', { schema: { tags, summary: 'Live pacing figures of every dialing campaign', response: { 200: Type.Object({ campaigns: Type.Array(Status) }), ...errors } }, preHandler: requireUser(...READ) }, async () => ({
    campaigns: dialer.statuses(),
  }));

  app.get(
    '/dialer/campaigns/:id/decisions',
    {
      schema: { tags, summary: 'The latest pacing decisions of a campaign (audit)', params: IdParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }), response: { 200: Type.Object({ decisions: Type.Array(Decision) }), ...errors } },
      preHandler: requireUser(...READ),
    },
    async (req) => {
      campaigns.campaigns.require(req.params.id);
      const rows = dialer.store.recentDecisions(req.params.id, req.query.limit ?? 100);
      return { decisions: rows as never };
    },
  );

  app.put(
    '/dialer/campaigns/:id/drop-cap',
    {
      schema: {
        tags,
        summary: 'Set the campaign drop cap (percent of live answers, rolling 24 h and 30 d): the only dialer knob',
        params: IdParams,
        body: Type.Object({ dropCapPercent: Type.Number({ minimum: 0.1, maximum: 10 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ campaignId: Type.Integer(), dropCapPercent: Type.Number() }), ...errors },
      },
      preHandler: requireUser('manager'),
    },
    async (req) => {
      const c = campaigns.campaigns.require(req.params.id);
      const before = c.settings.dropCapPercent;
      const updated = campaigns.campaigns.update(c.id, { settings: { ...c.settings, dropCapPercent: req.body.dropCapPercent } });
      deps.audit.write({ userId: req.user?.id, username: req.user?.username, action: 'dialer.drop_cap_set', target: `campaign:${c.id}`, detail: { before, after: updated.settings.dropCapPercent }, ip: req.ip });
      return { campaignId: c.id, dropCapPercent: updated.settings.dropCapPercent };
    },
  );
};
