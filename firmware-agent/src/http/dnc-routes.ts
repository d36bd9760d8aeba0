// Do-not-call API: list (masked for team leads), manual add / remove (audited), import of a
// number list, check one number. Refusals are added by the lead queue (leads/lead-queue.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { DNC_REASONS, DncError, normalizePhone, type DncEntry } from '../dnc/dnc-store.js';
import { FULL_NUMBER_ROLES, maskPhone } from '../leads/lead-view.js';
import { campaignErrorHandler, campaignErrors } from './campaigns-routes.js';
import type { Role } from './schemas.js';
import { requireUser, type HttpDeps } from './server.js';

const N = Type.Union([Type.String(), Type.Null()]);
const Reason = Type.Union(DNC_REASONS.map((r) => Type.Literal(r)));
const EntryOut = Type.Object({ phone: Type.String(), masked: Type.Boolean(), reason: Reason, campaignId: Type.Union([Type.Integer(), Type.Null()]), note: N, createdAt: Type.String(), createdBy: N, expiresAt: N });
const READ: Role[] = ['manager', 'data_manager', 'team_lead'];
const ADD: Role[] = ['manager', 'data_manager', 'team_lead'];
const REMOVE: Role[] = ['manager', 'data_manager'];

export const dncRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const mod = deps.campaigns as CampaignsModule;
  const tags = ['dnc'];
  app.setErrorHandler(campaignErrorHandler);
  const full = (roles: Role[]) => roles.some((r) => FULL_NUMBER_ROLES.includes(r));
  const out = (e: DncEntry, roles: Role[]) => (full(roles) ? { ...e, masked: false } : { ...e, phone: maskPhone(e.phone)!, masked: true });

  app.get(
    '/dnc',
    {
      schema: {
        tags,
        summary: 'The do-not-call list (active entries unless includeExpired)',
        querystring: Type.Object({ search: Type.Optional(Type.String({ maxLength: 20 })), includeExpired: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: { 200: Type.Object({ total: Type.Integer(), entries: Type.Array(EntryOut) }), ...campaignErrors },
      },
      preHandler: requireUser(...READ),
    },
    async (req) => {
      // Searching by number needs the full number: only for roles that see full numbers.
      const search = full(req.user!.roles) ? req.query.search : undefined;
      const r = mod.dnc.list({ now: mod.now(), includeExpired: req.query.includeExpired, search, limit: req.query.limit, offset: req.query.offset });
      return { total: r.total, entries: r.entries.map((e) => out(e, req.user!.roles)) };
    },
  );

  app.post(
    '/dnc',
    {
      schema: {
        tags,
        summary: 'Add a number (opt-out, complaint, manual …); expiresAt empty = for ever',
        body: Type.Object({ phone: Type.String({ minLength: 1, maxLength: 40 }), reason: Reason, note: Type.Optional(Type.String({ maxLength: 500 })), expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])) }, { additionalProperties: false }),
        response: { 200: EntryOut, ...campaignErrors },
      },
      preHandler: requireUser(...ADD),
    },
    async (req) => {
      const e = mod.dnc.add({ phone: req.body.phone, reason: req.body.reason, note: req.body.note ?? null, createdBy: req.user!.username, expiresAt: req.body.expiresAt ? new Date(req.body.expiresAt) : null, now: mod.now() });
      deps.audit.write({ userId: req.user!.id, username: req.user!.username, action: 'dnc.added', target: `dnc:${maskPhone(e.phone)}`, detail: { reason: e.reason, expiresAt: e.expiresAt }, ip: req.ip });
      return out(e, req.user!.roles);
    },
  );

  app.delete(
    '/dnc/:phone',
    { schema: { tags, summary: 'Remove a number from the list', params: Type.Object({ phone: Type.String({ minLength: 1, maxLength: 40 }) }), response: { 204: Type.Null(), ...campaignErrors } }, preHandler: requireUser(...REMOVE) },
    async (req, reply) => {
      const p = normalizePhone(req.params.phone);
      if (!p) throw new DncError('invalid_phone', `"${req.params.phone}" is not a phone number`, 400, 'phone');
      if (!mod.dnc.remove(p)) throw new DncError('not_found', 'number is not on the list', 404);
      deps.audit.write({ userId: req.user!.id, username: req.user!.username, action: 'dnc.removed', target: `dnc:${maskPhone(p)}`, ip: req.ip });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/dnc/import',
    {
      schema: {
        tags,
        summary: 'Import numbers (one per line or first CSV column); all or nothing: any invalid line refuses the import',
        body: Type.Object({ text: Type.String({ maxLength: 8 * 1024 * 1024 }), reason: Reason, note: Type.Optional(Type.String({ maxLength: 500 })), expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])), validOnly: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ added: Type.Integer(), invalid: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() })) }), ...campaignErrors },
      },
      preHandler: requireUser(...REMOVE),
    },
    async (req) => {
      const opts = { reason: req.body.reason, note: req.body.note ?? null, createdBy: req.user!.username, expiresAt: req.body.expiresAt ? new Date(req.body.expiresAt) : null, now: mod.now() };
      const dry = mod.dnc.check(req.body.text);
      if (dry.invalid.length && !req.body.validOnly) return { added: 0, invalid: dry.invalid };
      const r = mod.dnc.importText(req.body.text, opts);
      deps.audit.write({ userId: req.user!.id, username: req.user!.username, action: 'dnc.imported', target: 'dnc', detail: { added: r.added, invalid: r.invalid.length, reason: req.body.reason }, ip: req.ip });
      return r;
    },
  );

  app.get(
    '/dnc/check/:phone',
    { schema: { tags, summary: 'Is this number blocked now?', params: Type.Object({ phone: Type.String({ minLength: 1, maxLength: 40 }) }), response: { 200: Type.Object({ blocked: Type.Boolean(), entry: Type.Union([EntryOut, Type.Null()]) }), ...campaignErrors } }, preHandler: requireUser('manager', 'data_manager') },
    async (req) => {
      const p = normalizePhone(req.params.phone);
      if (!p) throw new DncError('invalid_phone', `"${req.params.phone}" is not a phone number`, 400, 'phone');
      const e = mod.dnc.active(p, mod.now());
      return { blocked: !!e, entry: e ? out(e, req.user!.roles) : null };
    },
  );
};
