// Leads API: chain of custody (receive, quality sample, hand-overs, history, fairness report
// with CSV/XLSX export, teams), lead lists with "why (not) due", the agent's "next lead for me",
// outcomes/dispositions and callbacks. Numbers are masked here per role (lead-view.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { CampaignError } from '../campaigns/campaign-store.js';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { renderScript } from '../campaigns/settings.js';
import type { FairnessRow } from '../leads/custody.js';
import type { Perspective, Why } from '../leads/lead-queue.js';
import { seesFullNumber, toView, type LeadRow, type Viewer } from '../leads/lead-view.js';
import { actorOf, campaignErrorHandler, campaignErrors, IdParams } from './campaigns-routes.js';
import type { Role } from './schemas.js';
import { csvCell } from './csv.js';
import { requireUser, type HttpDeps } from './server.js';

const N = Type.Union([Type.String(), Type.Null()]);
const WhyOut = Type.Object({ due: Type.Boolean(), code: Type.String(), params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])), message: Type.String(), dueAt: N });
const LeadOut = Type.Object({
  id: Type.Integer(),
  campaignId: Type.Integer(),
  listId: Type.Integer(),
  sourceLine: Type.Integer(),
  phone: N,
  masked: Type.Boolean(),
  phoneKind: N,
  extension: N,
  name: N,
  fields: Type.Record(Type.String(), Type.Unknown()),
  status: Type.String(),
  custody: Type.String(),
  team: N,
  agentId: Type.Union([Type.Integer(), Type.Null()]),
  claimedBy: N,
  attempts: Type.Integer(),
  lastOutcome: N,
  lastAttemptAt: N,
  nextDueAt: N,
  disposition: N,
  callbackAt: N,
  callbackScope: N,
  why: Type.Optional(WhyOut),
  script: Type.Optional(Type.Object({ text: Type.String(), missing: Type.Array(Type.String()) })),
});
const HandoverOut = Type.Object({ id: Type.Integer(), campaignId: Type.Integer(), at: Type.String(), byUsername: N, kind: Type.String(), fromRef: N, toRef: Type.String(), count: Type.Integer() });
const FairnessOut = Type.Object({
  agentId: Type.Integer(),
  agentNumber: Type.String(),
  agentName: Type.String(),
  team: N,
  received: Type.Integer(),
  held: Type.Integer(),
  worked: Type.Integer(),
  attempts: Type.Integer(),
  contacts: Type.Integer(),
  sales: Type.Integer(),
  conversion: Type.Number(),
});
const OUTCOMES = ['connected', 'busy', 'no_answer', 'unreachable', 'failed', 'machine', 'dropped'] as const;

const CUSTODY_READ: Role[] = ['manager', 'team_lead', 'data_manager'];
const DATA: Role[] = ['manager', 'data_manager'];
const LEADS_READ: Role[] = ['manager', 'team_lead', 'data_manager', 'qa', 'trainer', 'agent'];
const WORK: Role[] = ['agent', 'team_lead', 'manager'];

export const leadsRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const mod = deps.campaigns as CampaignsModule;
  const db = mod.db;
  const tags = ['leads'];
  app.setErrorHandler(campaignErrorHandler);

  const audit = (req: FastifyRequest, action: string, target: string, detail?: unknown) => deps.audit.write({ userId: req.user?.id, username: req.user?.username, action, target, detail, ip: req.ip });
  const isBoss = (req: FastifyRequest) => req.user!.roles.some((r) => r === 'admin' || r === 'manager');
  const has = (req: FastifyRequest, ...roles: Role[]) => req.user!.roles.some((r) => r === 'admin' || roles.includes(r));
  const myAgent = (req: FastifyRequest) => mod.custody.agentOfUser(req.user!.id);
  const viewer = (req: FastifyRequest): Viewer => ({ roles: req.user!.roles, agentId: myAgent(req)?.agentId ?? null });
  const requireAgent = (req: FastifyRequest) => {
    const a = myAgent(req);
    if (!a) throw new CampaignError('no_agent', 'your account is not linked to an active agent', 403);
    return a;
  };
  /** Masked per role; `why` from the viewer's perspective. */
  const present = (req: FastifyRequest, l: LeadRow, opts: { why?: boolean; script?: boolean; perspective?: Perspective } = {}) => {
    const c = mod.campaigns.require(l.campaign_id);
    const v = viewer(req);
    const full = seesFullNumber(v, l, c.dialMode);
    const view = toView(l, full);
    const out: ReturnType<typeof toView> & { why?: Why; script?: { text: string; missing: string[] } } = view;
    if (opts.why) out.why = mod.queue.explain(l, mod.now(), opts.perspective ?? { kind: 'overview' }, c);
    if (opts.script) out.script = renderScript(c.settings.script, { name: view.name, phone: view.phone, extension: view.extension, fields: view.fields });
    return out;
  };
  /** Full numbers are a sensitive read: audited (count only, never the numbers). */
  const auditFull = (req: FastifyRequest, target: string, leads: Array<{ masked: boolean }>) => {
    const n = leads.filter((l) => !l.masked).length;
    if (n) audit(req, 'leads.viewed_full', target, { leads: n });
  };
  /** Agents may only look at leads handed to them (or team callbacks of their team). */
  const canSee = (req: FastifyRequest, l: LeadRow) => {
    if (has(req, 'manager', 'team_lead', 'data_manager', 'qa', 'trainer')) return true;
    const a = myAgent(req);
    return !!a && (l.agent_id === a.agentId || l.claimed_by === `agent:${a.agentId}` || (l.callback_scope === 'team' && l.team === a.team));
  };
  /** Team leads act for the teams they lead; managers for all. */
  const requireTeam = (req: FastifyRequest, team: string) => {
    if (isBoss(req)) return;
    if (!mod.custody.teamsLedBy(req.user!.id).includes(team)) throw new CampaignError('not_your_team', `you do not lead team "${team}"`, 403, 'team');
  };

  // ---- teams ----
  app.get('/teams', { schema: { tags, summary: 'Teams (agents.team) and their team-lead users', response: { 200: Type.Object({ teams: Type.Array(Type.Object({ name: Type.String(), leadUserId: Type.Union([Type.Integer(), Type.Null()]), leadUsername: N, agents: Type.Integer() })) }), ...campaignErrors } }, preHandler: requireUser(...CUSTODY_READ) }, async () => ({
    teams: mod.custody.teams(),
  }));
  app.put(
    '/teams/:name',
    {
      schema: {
        tags,
        summary: 'Set the team-lead user of a team (by user id or username; null clears)',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object({ leadUserId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])), leadUsername: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...campaignErrors },
      },
      preHandler: requireUser('manager'),
    },
    async (req, reply) => {
      let leadUserId = req.body.leadUserId ?? null;
      if (req.body.leadUsername !== undefined) {
        const u = db.prepare('SELECT id FROM users WHERE username = ?').get(req.body.leadUsername) as { id: number } | undefined;
        if (!u) throw new CampaignError('unknown_user', `no user "${req.body.leadUsername}"`, 400, 'leadUsername');
        leadUserId = u.id;
      }
      mod.custody.setTeamLead(req.params.name, leadUserId);
      audit(req, 'team.lead_set', `team:${req.params.name}`, { leadUserId });
      return reply.code(204).send(null);
    },
  );

  // ---- custody ----
  app.get(
    '/campaigns/:id/custody',
    { schema: { tags, summary: 'Lists with receipt and sample, leads per custody stage, team and agent', params: IdParams, response: { 200: Type.Object({ lists: Type.Array(Type.Unknown()), summary: Type.Unknown(), myTeams: Type.Array(Type.String()), teams: Type.Array(Type.String()), agents: Type.Array(Type.Object({ id: Type.Integer(), number: Type.String(), name: Type.String(), team: N })) }), ...campaignErrors } }, preHandler: requireUser(...CUSTODY_READ) },
    async (req) => {
      const c = mod.campaigns.require(req.params.id);
      const teams = mod.custody.teams().map((t) => t.name);
      const myTeams = isBoss(req) ? teams : mod.custody.teamsLedBy(req.user!.id);
      // The agents a hand-over form may pick: those of the teams this user hands out for.
      const agents = (db.prepare('SELECT id, number, name, team FROM agents WHERE active = 1 AND team IS NOT NULL ORDER BY team, number').all() as Array<{ id: number; number: string; name: string; team: string | null }>).filter((a) => myTeams.includes(a.team ?? ''));
      return { lists: mod.custody.lists(c.id), summary: mod.custody.summary(c.id), myTeams, teams, agents };
    },
  );
  app.post('/lead-lists/:id/receive', { schema: { tags, summary: 'The data manager receives an imported list', params: IdParams, response: { 200: Type.Object({ received: Type.Integer(), handoverId: Type.Integer() }), ...campaignErrors } }, preHandler: requireUser(...DATA) }, async (req) => {
    const r = mod.custody.receive(req.params.id, actorOf(req), mod.now());
    audit(req, 'leads.received', `list:${req.params.id}`, r);
    return r;
  });
  app.post(
    '/lead-lists/:id/sample',
    { schema: { tags, summary: 'Draw a random quality sample of N leads (full numbers: data manager)', params: IdParams, body: Type.Object({ size: Type.Integer({ minimum: 1, maximum: 500 }) }), response: { 200: Type.Object({ leads: Type.Array(LeadOut) }), ...campaignErrors } }, preHandler: requireUser(...DATA) },
    async (req) => {
      const rows = mod.custody.drawSample(req.params.id, req.body.size, actorOf(req), mod.now());
      audit(req, 'leads.sample_drawn', `list:${req.params.id}`, { size: rows.length });
      return { leads: rows.map((l) => present(req, l)) };
    },
  );
  app.get('/lead-lists/:id/sample', { schema: { tags, params: IdParams, response: { 200: Type.Object({ leads: Type.Array(LeadOut) }), ...campaignErrors } }, preHandler: requireUser(...DATA) }, async (req) => ({
    leads: mod.custody.sample(req.params.id).map((l) => present(req, l)),
  }));
  app.post(
    '/lead-lists/:id/sample-result',
    { schema: { tags, summary: 'Record the quality check of the sample', params: IdParams, body: Type.Object({ ok: Type.Boolean(), bad: Type.Integer({ minimum: 0 }), note: Type.Optional(Type.String({ maxLength: 500 })) }), response: { 204: Type.Null(), ...campaignErrors } }, preHandler: requireUser(...DATA) },
    async (req, reply) => {
      mod.custody.recordSampleResult(req.params.id, req.body, actorOf(req), mod.now());
      audit(req, 'leads.sample_checked', `list:${req.params.id}`, req.body);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/campaigns/:id/handover/team',
    {
      schema: { tags, summary: 'Data manager → team lead: N received leads (or all of a list)', params: IdParams, body: Type.Object({ team: Type.String({ minLength: 1, maxLength: 64 }), count: Type.Optional(Type.Integer({ minimum: 1 })), listId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }), response: { 200: Type.Object({ handoverId: Type.Integer(), count: Type.Integer() }), ...campaignErrors } },
      preHandler: requireUser(...DATA),
    },
    async (req) => {
      const r = mod.custody.handToTeam(req.params.id, req.body, actorOf(req), mod.now());
      audit(req, 'leads.handover_team', `campaign:${req.params.id}`, { ...r, team: req.body.team });
      return r;
    },
  );
  app.post(
    '/campaigns/:id/handover/agents',
    {
      schema: {
        tags,
        summary: 'Team lead → agents: counts per agent or an even split',
        params: IdParams,
        body: Type.Object(
          {
            team: Type.String({ minLength: 1, maxLength: 64 }),
            assignments: Type.Optional(Type.Array(Type.Object({ agentId: Type.Integer({ minimum: 1 }), count: Type.Integer({ minimum: 0 }) }), { maxItems: 200 })),
            split: Type.Optional(Type.Object({ agentIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 200 }), total: Type.Optional(Type.Integer({ minimum: 1 })) })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ handovers: Type.Array(Type.Object({ agentId: Type.Integer(), count: Type.Integer(), handoverId: Type.Integer() })) }), ...campaignErrors },
      },
      preHandler: requireUser('team_lead', 'manager'),
    },
    async (req) => {
      requireTeam(req, req.body.team);
      const handovers = mod.custody.handToAgents(req.params.id, req.body.team, req.body, actorOf(req), mod.now());
      audit(req, 'leads.handover_agents', `campaign:${req.params.id}`, { team: req.body.team, handovers });
      return { handovers };
    },
  );
  app.post(
    '/campaigns/:id/handover/return',
    { schema: { tags, summary: "An agent's open leads back to the team pool", params: IdParams, body: Type.Object({ agentId: Type.Integer({ minimum: 1 }) }), response: { 200: Type.Object({ count: Type.Integer(), team: N }), ...campaignErrors } }, preHandler: requireUser('team_lead', 'manager') },
    async (req) => {
      const team = (db.prepare('SELECT team FROM agents WHERE id = ?').get(req.body.agentId) as { team: string | null } | undefined)?.team;
      if (team === undefined) throw new CampaignError('unknown_agent', `no agent ${req.body.agentId}`, 400, 'agentId');
      requireTeam(req, team ?? '');
      const r = mod.custody.returnToTeam(req.params.id, req.body.agentId, actorOf(req), mod.now());
      audit(req, 'leads.handover_return', `campaign:${req.params.id}`, { agentId: req.body.agentId, count: r.count });
      return r;
    },
  );
  app.get('/campaigns/:id/handovers', { schema: { tags, summary: 'Every hand-over: who, from, to, how many, when', params: IdParams, response: { 200: Type.Object({ handovers: Type.Array(HandoverOut) }), ...campaignErrors } }, preHandler: requireUser(...CUSTODY_READ) }, async (req) => ({
    handovers: mod.custody.history(mod.campaigns.require(req.params.id).id),
  }));
  app.get('/handovers/:id/leads', { schema: { tags, summary: 'The leads of one hand-over (masked per role)', params: IdParams, response: { 200: Type.Object({ leads: Type.Array(LeadOut) }), ...campaignErrors } }, preHandler: requireUser(...CUSTODY_READ) }, async (req) => {
    const ids = mod.custody.handoverLeadIds(req.params.id).slice(0, 2000);
    const leads = ids.map((id) => mod.queue.lead(id)).filter((l): l is LeadRow => !!l).map((l) => present(req, l));
    auditFull(req, `handover:${req.params.id}`, leads.filter((l) => l.phone !== null));
    return { leads };
  });

  // ---- fairness ----
  const FairQuery = Type.Object({ from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })), format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')])) });
  app.get(
    '/campaigns/:id/fairness',
    { schema: { tags, summary: 'Per agent: received, worked, contacts, sales/registrations, conversion (json, csv or xlsx)', params: IdParams, querystring: FairQuery, response: { 200: Type.Union([Type.Object({ rows: Type.Array(FairnessOut) }), Type.Any()]), ...campaignErrors } }, preHandler: requireUser(...CUSTODY_READ) },
    async (req, reply) => {
      const c = mod.campaigns.require(req.params.id);
      const to = req.query.to ? new Date(Date.parse(req.query.to) + 86400_000).toISOString().slice(0, 10) : undefined;
      let rows = mod.custody.fairness(c.id, { from: req.query.from, to });
      if (!isBoss(req) && !has(req, 'data_manager')) {
        const mine = mod.custody.teamsLedBy(req.user!.id);
        rows = rows.filter((r) => r.team !== null && mine.includes(r.team));
      }
      if (req.query.format === 'csv') {
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="fairness-${c.id}.csv"`).send('\uFEFF' + fairnessCsv(rows));
      }
      if (req.query.format === 'xlsx') {
        // Loaded on first export: exceljs costs ~28 MB of RSS the daemon need not carry.
        const { default: ExcelJS } = await import('exceljs');
        const wb = new ExcelJS.Workbook();
        const ws = wb.addWorksheet('fairness');
        ws.columns = FAIR_COLUMNS.map(([key, header]) => ({ key, header, width: 14 }));
        for (const r of rows) ws.addRow({ ...r, conversion: Math.round(r.conversion * 10000) / 100 });
        const buf = Buffer.from(await wb.xlsx.writeBuffer());
        return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="fairness-${c.id}.xlsx"`).send(buf);
      }
      return { rows };
    },
  );

  // ---- leads and the queue ----
  const ListQuery = Type.Object({
    status: Type.Optional(Type.String({ maxLength: 20 })),
    custody: Type.Optional(Type.String({ maxLength: 20 })),
    agentId: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  });
  app.get(
    '/campaigns/:id/leads',
    { schema: { tags, summary: 'Leads with why each is (not) due; agents see only their own; masked per role', params: IdParams, querystring: ListQuery, response: { 200: Type.Object({ total: Type.Integer(), leads: Type.Array(LeadOut) }), ...campaignErrors } }, preHandler: requireUser(...LEADS_READ) },
    async (req) => {
      const c = mod.campaigns.require(req.params.id);
      const where = ['campaign_id = @c'];
      const params: Record<string, unknown> = { c: c.id, limit: req.query.limit ?? 100, offset: req.query.offset ?? 0 };
      let perspective: Perspective = { kind: 'overview' };
      if (!has(req, 'manager', 'team_lead', 'data_manager', 'qa', 'trainer')) {
        const a = requireAgent(req);
        where.push(`(agent_id = @me OR claimed_by = @claim OR (callback_scope = 'team' AND team = @team))`);
        Object.assign(params, { me: a.agentId, claim: `agent:${a.agentId}`, team: a.team });
        perspective = { kind: 'agent', agentId: a.agentId, team: a.team };
      }
      if (req.query.status) (where.push('status = @status'), (params.status = req.query.status));
      if (req.query.custody) (where.push('custody = @custody'), (params.custody = req.query.custody));
      if (req.query.agentId) (where.push('agent_id = @agentId'), (params.agentId = req.query.agentId));
      const w = where.join(' AND ');
      const total = (db.prepare(`SELECT count(*) AS n FROM leads WHERE ${w}`).get(params) as { n: number }).n;
      const rows = db.prepare(`SELECT * FROM leads WHERE ${w} ORDER BY id LIMIT @limit OFFSET @offset`).all(params) as LeadRow[];
      const leads = rows.map((l) => present(req, l, { why: true, perspective }));
      auditFull(req, `campaign:${c.id}`, leads.filter((l) => l.phone !== null));
      return { total, leads };
    },
  );
  app.get(
    '/campaigns/:id/queue',
    { schema: { tags, summary: 'What to dial next (agents: their own queue; leads/managers: the dialer queue)', params: IdParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }), response: { 200: Type.Object({ notDialingReason: N, leads: Type.Array(LeadOut) }), ...campaignErrors } }, preHandler: requireUser(...LEADS_READ) },
    async (req) => {
      const c = mod.campaigns.require(req.params.id);
      const a = myAgent(req);
      const p: Perspective = has(req, 'manager', 'team_lead', 'data_manager', 'qa', 'trainer') || !a ? { kind: 'dialer' } : { kind: 'agent', agentId: a.agentId, team: a.team };
      if (p.kind === 'dialer' && !has(req, 'manager', 'team_lead', 'data_manager', 'qa', 'trainer')) requireAgent(req);
      const now = mod.now();
      return { notDialingReason: mod.queue.notDialingReason(c.id, now), leads: mod.queue.due(c.id, now, p, req.query.limit ?? 50).map((l) => present(req, l, { why: true, perspective: p })) };
    },
  );
  app.get('/leads/:id', { schema: { tags, summary: 'One lead with why it is (not) due and its script', params: IdParams, response: { 200: LeadOut, ...campaignErrors } }, preHandler: requireUser(...LEADS_READ) }, async (req) => {
    const l = mod.queue.requireLead(req.params.id);
    if (!canSee(req, l)) throw new CampaignError('forbidden', 'this lead is not yours', 403);
    const a = myAgent(req);
    const p: Perspective = has(req, 'manager', 'team_lead', 'data_manager', 'qa', 'trainer') || !a ? { kind: 'overview' } : { kind: 'agent', agentId: a.agentId, team: a.team };
    return present(req, l, { why: true, script: true, perspective: p });
  });
  app.post('/campaigns/:id/next', { schema: { tags, summary: 'Next lead for me (claims it atomically; returns the one I hold if any)', params: IdParams, response: { 200: Type.Object({ lead: Type.Union([LeadOut, Type.Null()]), notDialingReason: N }), ...campaignErrors } }, preHandler: requireUser('agent') }, async (req) => {
    const a = requireAgent(req);
    const now = mod.now();
    const l = mod.queue.claimNext(req.params.id, a, now);
    if (l) audit(req, 'lead.claimed', `lead:${l.id}`, { campaignId: l.campaign_id });
    return { lead: l ? present(req, l, { why: true, script: true, perspective: { kind: 'agent', ...a } }) : null, notDialingReason: l ? null : mod.queue.notDialingReason(req.params.id, now) };
  });
  app.post('/leads/:id/claim', { schema: { tags, summary: 'Claim one lead of mine (preview)', params: IdParams, response: { 200: Type.Object({ lead: Type.Union([LeadOut, Type.Null()]), why: WhyOut }), ...campaignErrors } }, preHandler: requireUser('agent') }, async (req) => {
    const a = requireAgent(req);
    const r = mod.queue.claim(req.params.id, a, mod.now());
    if (r.lead) audit(req, 'lead.claimed', `lead:${r.lead.id}`, { campaignId: r.lead.campaign_id });
    return { lead: r.lead ? present(req, r.lead, { why: true, script: true, perspective: { kind: 'agent', ...a } }) : null, why: r.why };
  });
  app.post('/leads/:id/release', { schema: { tags, summary: 'Give a held lead back unworked', params: IdParams, response: { 204: Type.Null(), ...campaignErrors } }, preHandler: requireUser(...WORK) }, async (req, reply) => {
    const l = mod.queue.requireLead(req.params.id);
    const a = myAgent(req);
    const mine = !!a && l.claimed_by === `agent:${a.agentId}`;
    if (!mine && !has(req, 'team_lead', 'manager')) throw new CampaignError('forbidden', 'you do not hold this lead', 403);
    if (!l.claimed_by) throw new CampaignError('not_claimed', `lead ${l.id} is not held`, 409);
    mod.queue.unclaim(l.id);
    audit(req, 'lead.released', `lead:${l.id}`, { holder: l.claimed_by });
    return reply.code(204).send(null);
  });
  app.post(
    '/leads/:id/outcome',
    {
      schema: {
        tags,
        summary: 'Record a dial outcome and/or disposition (schedules retry, callback, recontact; refusal → DNC)',
        params: IdParams,
        body: Type.Object(
          {
            outcome: Type.Union(OUTCOMES.map((o) => Type.Literal(o))),
            disposition: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,32}$' })),
            callbackAt: Type.Optional(Type.String({ format: 'date-time' })),
            callbackScope: Type.Optional(Type.Union([Type.Literal('personal'), Type.Literal('team')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: LeadOut, ...campaignErrors },
      },
      preHandler: requireUser(...WORK),
    },
    async (req) => {
      const l = mod.queue.requireLead(req.params.id);
      const a = myAgent(req);
      const mine = !!a && l.claimed_by === `agent:${a.agentId}`;
      if (!mine && !has(req, 'team_lead', 'manager')) throw new CampaignError('not_holder', 'claim the lead before recording its outcome', 409);
      const r = mod.queue.record(
        l.id,
        { outcome: req.body.outcome, disposition: req.body.disposition ?? null, callbackAt: req.body.callbackAt ? new Date(req.body.callbackAt) : null, callbackScope: req.body.callbackScope, agentId: a?.agentId ?? null, source: 'agent', actor: req.user!.username },
        mod.now(),
      );
      audit(req, 'lead.outcome', `lead:${l.id}`, { outcome: req.body.outcome, disposition: req.body.disposition ?? null, status: r.status });
      // Send-after-call SMS templates (docs/sms.md) follow every disposition, wherever it is recorded.
      if (req.body.disposition) deps.sms?.afterDisposition({ leadId: l.id, campaignId: l.campaign_id, disposition: req.body.disposition, agentId: a?.agentId ?? null, at: mod.now() });
      return present(req, r, { why: true, perspective: a ? { kind: 'agent', ...a } : { kind: 'overview' } });
    },
  );
  app.get('/me/callbacks', { schema: { tags, summary: 'My personal callbacks and my team\'s team callbacks', response: { 200: Type.Object({ leads: Type.Array(LeadOut) }), ...campaignErrors } }, preHandler: requireUser('agent', 'team_lead') }, async (req) => {
    const a = myAgent(req);
    const teams = a?.team ? [a.team] : mod.custody.teamsLedBy(req.user!.id);
    const rows = db
      .prepare(`SELECT * FROM leads WHERE status = 'callback' AND destroyed_at IS NULL AND ((callback_scope = 'personal' AND agent_id = ?) OR (callback_scope = 'team' AND team IN (SELECT value FROM json_each(?)))) ORDER BY callback_at LIMIT 200`)
      .all(a?.agentId ?? -1, JSON.stringify(teams)) as LeadRow[];
    return { leads: rows.map((l) => present(req, l, { why: true, perspective: a ? { kind: 'agent', ...a } : { kind: 'overview' } })) };
  });
};

const FAIR_COLUMNS: Array<[keyof FairnessRow, string]> = [
  ['agentNumber', 'agent'],
  ['agentName', 'name'],
  ['team', 'team'],
  ['received', 'received'],
  ['held', 'held'],
  ['worked', 'worked'],
  ['attempts', 'attempts'],
  ['contacts', 'contacts'],
  ['sales', 'sales'],
  ['conversion', 'conversion %'],
];

// Every value as text, as before: a count or a name alike gets the formula defence.
const cell = (v: unknown) => csvCell(v === null || v === undefined ? null : String(v));

export function fairnessCsv(rows: FairnessRow[]): string {
  const lines = [FAIR_COLUMNS.map(([, h]) => h).join(',')];
  for (const r of rows) lines.push(FAIR_COLUMNS.map(([k]) => cell(k === 'conversion' ? (Math.round(r.conversion * 10000) / 100).toFixed(2) : r[k])).join(','));
  return lines.join('\r\n') + '\r\n';
}
