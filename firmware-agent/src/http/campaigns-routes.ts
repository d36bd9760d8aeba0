// Campaigns API: CRUD, status, settings (one TypeBox document, path + reason errors),
// consent list, why the dialer is idle, destruction of an ended campaign's personal data.
// See docs/leads.md.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CAMPAIGN_STATUSES, CampaignError, DIAL_MODES, type Campaign } from '../campaigns/campaign-store.js';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { CampaignSettings, CampaignSettingsError, defaultSettings } from '../campaigns/settings.js';
import { DncError, normalizePhone } from '../dnc/dnc-store.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const errorRef = Type.Ref('ApiError');
const Invalid = Type.Object({ error: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), issues: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))) });
export const campaignErrors = { 400: Invalid, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 503: errorRef };
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const StatusLit = Type.Union(CAMPAIGN_STATUSES.map((s) => Type.Literal(s)));
const ModeLit = Type.Union(DIAL_MODES.map((s) => Type.Literal(s)));
export const CampaignOut = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: StatusLit,
  dialMode: ModeLit,
  settings: CampaignSettings,
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  destroyedAt: Type.Union([Type.String(), Type.Null()]),
  destroyedBy: Type.Union([Type.String(), Type.Null()]),
  leads: Type.Optional(Type.Object({ total: Type.Integer(), open: Type.Integer(), done: Type.Integer() })),
  notDialingReason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

/** Everyone who works campaigns reads them (agents need the script and hours). */
export const READ_ROLES: Role[] = ['manager', 'team_lead', 'data_manager', 'qa', 'trainer', 'agent'];
const EDIT_ROLES: Role[] = ['manager'];
const DESTROY_ROLES: Role[] = ['manager', 'team_lead'];

export function actorOf(req: FastifyRequest) {
  return { userId: req.user?.id ?? null, username: req.user?.username ?? null };
}

/** Shared error mapping of the campaigns, leads and DNC routes. */
export function campaignErrorHandler(err: Error & { statusCode?: number }, _req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof CampaignSettingsError) return reply.code(400).send({ error: 'invalid_settings', message: err.message, field: err.issues[0]?.path, issues: err.issues });
  if (err instanceof CampaignError || err instanceof DncError) return reply.code(err.status).send({ error: err.code, message: err.message, field: err.field });
  throw err;
}

export const campaignsRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const mod = deps.campaigns as CampaignsModule;
  const tags = ['campaigns'];
  const db = mod.db;
  app.setErrorHandler(campaignErrorHandler);

  const counts = db.prepare(`SELECT count(*) AS total, sum(status IN ('new', 'retry', 'callback', 'recontact', 'connected')) AS open, sum(status IN ('done', 'dnc', 'exhausted')) AS done FROM leads WHERE campaign_id = ?`);
  const withCounts = (c: Campaign) => {
    const r = counts.get(c.id) as { total: number; open: number | null; done: number | null };
    return { ...c, leads: { total: r.total, open: r.open ?? 0, done: r.done ?? 0 }, notDialingReason: mod.queue.notDialingReason(c.id, mod.now()) };
  };
  const audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) => deps.audit.write({ userId: req.user?.id, username: req.user?.username, action, target, detail, ip: req.ip });

  app.get('/campaigns', { schema: { tags, summary: 'Campaigns with lead counts and why the dialer would be idle', response: { 200: Type.Object({ campaigns: Type.Array(CampaignOut) }), ...campaignErrors } }, preHandler: requireUser(...READ_ROLES) }, async () => ({
    campaigns: mod.campaigns.list().map(withCounts),
  }));

  app.get('/campaigns/defaults', { schema: { tags, summary: 'The default settings document of a new campaign', response: { 200: CampaignSettings, ...campaignErrors } }, preHandler: requireUser(...READ_ROLES) }, async () => defaultSettings());

  app.get('/campaigns/:id', { schema: { tags, params: IdParams, response: { 200: CampaignOut, ...campaignErrors } }, preHandler: requireUser(...READ_ROLES) }, async (req) => withCounts(mod.campaigns.require(req.params.id)));

  app.post(
    '/campaigns',
    {
      schema: {
        tags,
        summary: 'New campaign (draft); settings are merged over the defaults and validated',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), dialMode: Type.Optional(ModeLit), settings: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
        response: { 200: CampaignOut, ...campaignErrors },
      },
      preHandler: requireUser(...EDIT_ROLES),
    },
    async (req) => {
      const c = mod.campaigns.create({ name: req.body.name, dialMode: req.body.dialMode, settings: req.body.settings, createdBy: req.user!.username });
      audit(req, 'campaign.created', `campaign:${c.id}`, { name: c.name, dialMode: c.dialMode });
      return withCounts(c);
    },
  );

  app.put(
    '/campaigns/:id',
    {
      schema: {
        tags,
        summary: 'Change name, dial mode or settings (a partial settings document is merged)',
        params: IdParams,
        body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), dialMode: Type.Optional(ModeLit), settings: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
        response: { 200: CampaignOut, ...campaignErrors },
      },
      preHandler: requireUser(...EDIT_ROLES),
    },
    async (req) => {
      const c = mod.campaigns.update(req.params.id, req.body);
      audit(req, 'campaign.updated', `campaign:${c.id}`, { name: c.name, dialMode: c.dialMode, settings: req.body.settings !== undefined });
      return withCounts(c);
    },
  );

  app.post(
    '/campaigns/:id/check',
    { schema: { tags, summary: 'Validate a settings document without saving', params: IdParams, body: Type.Object({ settings: Type.Unknown() }), response: { 200: Type.Object({ ok: Type.Boolean(), issues: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })) }), ...campaignErrors } }, preHandler: requireUser(...EDIT_ROLES) },
    async (req) => {
      const c = mod.campaigns.require(req.params.id);
      try {
        (await import('../campaigns/settings.js')).validateSettings(req.body.settings, c.settings);
        return { ok: true, issues: [] };
      } catch (e) {
        if (e instanceof CampaignSettingsError) return { ok: false, issues: e.issues };
        throw e;
      }
    },
  );

  app.post(
    '/campaigns/:id/status',
    { schema: { tags, summary: 'Activate, pause or end a campaign', params: IdParams, body: Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('ended')]) }), response: { 200: CampaignOut, ...campaignErrors } }, preHandler: requireUser(...EDIT_ROLES) },
    async (req) => {
      const c = mod.campaigns.setStatus(req.params.id, req.body.status, mod.now());
      audit(req, 'campaign.status', `campaign:${c.id}`, { status: c.status });
      return withCounts(c);
    },
  );

  app.get(
    '/campaigns/:id/consent',
    { schema: { tags, summary: 'Size of the consent (allow) list', params: IdParams, response: { 200: Type.Object({ count: Type.Integer(), gate: Type.Boolean() }), ...campaignErrors } }, preHandler: requireUser('manager', 'data_manager', 'team_lead') },
    async (req) => {
      const c = mod.campaigns.require(req.params.id);
      return { count: (db.prepare('SELECT count(*) AS n FROM campaign_consent WHERE campaign_id = ?').get(c.id) as { n: number }).n, gate: c.settings.consentGate };
    },
  );

  app.post(
    '/campaigns/:id/consent',
    {
      schema: {
        tags,
        summary: 'Add numbers to (or replace) the consent list; with the gate on only these are dialled',
        params: IdParams,
        body: Type.Object({ phones: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 200000 }), replace: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ count: Type.Integer(), added: Type.Integer(), invalid: Type.Array(Type.Object({ index: Type.Integer(), value: Type.String() })) }), ...campaignErrors },
      },
      preHandler: requireUser('manager', 'data_manager'),
    },
    async (req) => {
      const c = mod.campaigns.require(req.params.id);
      if (c.status === 'destroyed' || c.status === 'ended') throw new CampaignError('campaign_closed', `campaign "${c.name}" is ${c.status}`, 409);
      const invalid: Array<{ index: number; value: string }> = [];
      const ok: string[] = [];
      req.body.phones.forEach((p, index) => {
        const n = normalizePhone(p);
        if (n) ok.push(n);
        else invalid.push({ index, value: p.slice(0, 40) });
      });
      if (invalid.length) return { count: 0, added: 0, invalid };
      let added = 0;
      db.transaction(() => {
        if (req.body.replace) db.prepare('DELETE FROM campaign_consent WHERE campaign_id = ?').run(c.id);
        const ins = db.prepare('INSERT OR IGNORE INTO campaign_consent (campaign_id, phone) VALUES (?, ?)');
        for (const p of ok) added += ins.run(c.id, p).changes;
      })();
      audit(req, 'campaign.consent', `campaign:${c.id}`, { added, replace: !!req.body.replace });
      return { count: (db.prepare('SELECT count(*) AS n FROM campaign_consent WHERE campaign_id = ?').get(c.id) as { n: number }).n, added, invalid };
    },
  );

  app.post(
    '/campaigns/:id/destroy',
    {
      schema: {
        tags,
        summary: 'Destroy the personal data of an ended campaign (type its name to confirm); counts stay; file scrubbed and verified',
        params: IdParams,
        body: Type.Object({ confirm: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ campaignId: Type.Integer(), leads: Type.Integer(), remaining: Type.Integer(), verified: Type.Boolean(), counts: Type.Unknown() }), ...campaignErrors },
      },
      preHandler: requireUser(...DESTROY_ROLES),
    },
    async (req) => {
      const r = mod.custody.destroy(req.params.id, req.body.confirm, actorOf(req), mod.now());
      audit(req, 'campaign.destroyed', `campaign:${r.campaignId}`, { leads: r.leads, verified: r.verified, remaining: r.remaining });
      return r;
    },
  );

  app.get(
    '/campaigns/:id/destruction',
    { schema: { tags, summary: 'The destruction record (counts kept)', params: IdParams, response: { 200: Type.Union([Type.Null(), Type.Object({ at: Type.String(), byUsername: Type.Union([Type.String(), Type.Null()]), leads: Type.Integer(), verified: Type.Boolean(), counts: Type.Unknown() })]), ...campaignErrors } }, preHandler: requireUser('manager', 'team_lead', 'data_manager') },
    async (req) => mod.custody.destruction(mod.campaigns.require(req.params.id).id),
  );
};
