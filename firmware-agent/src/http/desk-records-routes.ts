// Desk records API (docs/desk-records.md): identity check, threat calls, complaint tickets
// (with CSV/XLSX export), registrations / order entry (with export). Agents act on their own
// calls and leads only; team leads on their teams; managers on everything. Numbers are masked
// per role as for leads (lead-view.ts); every change is audited by the desk modules.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CampaignError } from '../campaigns/campaign-store.js';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { ThreatAlert } from '../desk/contract.js';
import type { DeskRecords } from '../desk/desk-records.js';
import { FormField } from '../desk/form-settings.js';
import { DeskRecordsError } from '../desk/identity.js';
import type { Registration } from '../desk/registrations.js';
import { TICKET_CATEGORIES, TICKET_SEVERITIES, TICKET_STATUSES, type Ticket } from '../desk/tickets.js';
import { FULL_NUMBER_ROLES, maskName, maskPhone } from '../leads/lead-view.js';
import type { Role } from './schemas.js';
import { csvCell } from './csv.js';
import { requireUser, type HttpDeps } from './server.js';

const N = Type.Union([Type.String(), Type.Null()]);
const NInt = Type.Union([Type.Integer(), Type.Null()]);
const errorRef = Type.Ref('ApiError');
const Invalid = Type.Object({ error: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), issues: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))) });
const errors = { 400: Invalid, 401: errorRef, 403: errorRef, 404: errorRef, 409: errorRef, 503: errorRef };
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Linkedid = Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z._-]+$' });
const lits = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));

const IdentityStatusOut = Type.Object({ status: Type.String(), attempts: Type.Integer(), maxAttempts: Type.Integer() });
const TicketOut = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  createdBy: N,
  createdByUserId: NInt,
  agentId: NInt,
  agentName: N,
  team: N,
  leadId: NInt,
  campaignId: NInt,
  linkedid: N,
  callerNumber: N,
  customerName: N,
  category: Type.String(),
  severity: Type.String(),
  description: Type.String(),
  request: N,
  status: Type.String(),
  assigneeUserId: NInt,
  assignee: N,
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  resolvedAt: N,
  closedAt: N,
  updatedAt: Type.String(),
  destroyed: Type.Boolean(),
});
const FollowUpOut = Type.Object({ id: Type.Integer(), at: Type.String(), username: N, note: Type.String(), contactMade: Type.Boolean(), fromStatus: Type.String(), toStatus: Type.String() });
const ThreatOut = Type.Composite([ThreatAlert, Type.Object({ team: N, reportedBy: N, notesLog: Type.Array(Type.Object({ id: Type.Integer(), at: Type.String(), username: N, note: Type.String() })) })]);
const RegistrationOut = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  campaignId: Type.Integer(),
  leadId: NInt,
  linkedid: N,
  agentId: NInt,
  agentName: N,
  username: N,
  values: Type.Record(Type.String(), Type.Unknown()),
  destroyed: Type.Boolean(),
});
const Format = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')]));

const LEADS: Role[] = ['team_lead', 'manager'];
const WORK: Role[] = ['agent', 'team_lead', 'manager'];

function errorHandler(err: Error & { statusCode?: number }, _req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof DeskRecordsError) return reply.code(err.status).send({ error: err.code, message: err.message, field: err.field, ...(err.issues ? { issues: err.issues } : {}) });
  if (err instanceof CampaignError) return reply.code(err.status).send({ error: err.code, message: err.message, field: err.field });
  throw err;
}

// Every value as text (booleans as yes/no), so the formula defence applies to all of them.
const cell = (v: unknown) => csvCell(v === null || v === undefined ? null : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

export function toCsv(columns: Array<[string, string]>, rows: Array<Record<string, unknown>>): string {
  const lines = [columns.map(([, h]) => cell(h)).join(',')];
  for (const r of rows) lines.push(columns.map(([k]) => cell(r[k])).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

async function sendTable(reply: FastifyReply, format: 'csv' | 'xlsx', name: string, columns: Array<[string, string]>, rows: Array<Record<string, unknown>>) {
  if (format === 'csv') return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(toCsv(columns, rows));
  // Loaded on first export: exceljs costs memory the daemon need not carry.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(name.slice(0, 31));
  ws.columns = columns.map(([key, header]) => ({ key, header, width: 16 }));
  for (const r of rows) ws.addRow(Object.fromEntries(columns.map(([k]) => [k, typeof r[k] === 'boolean' ? (r[k] ? 'yes' : 'no') : (r[k] ?? '')])));
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  return reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${name}.xlsx"`).send(buf);
}

const TICKET_COLUMNS: Array<[keyof Ticket, string]> = [
  ['id', 'id'],
  ['createdAt', 'created'],
  ['createdBy', 'created by'],
  ['agentName', 'agent'],
  ['team', 'team'],
  ['callerNumber', 'caller'],
  ['customerName', 'customer'],
  ['category', 'category'],
  ['severity', 'severity'],
  ['status', 'status'],
  ['assignee', 'assignee'],
  ['dueAt', 'due'],
  ['overdue', 'overdue'],
  ['description', 'description'],
  ['request', 'request'],
  ['resolvedAt', 'resolved'],
  ['closedAt', 'closed'],
];

export const deskRecordsRoutes: FastifyPluginAsyncTypebox<{ deps: HttpDeps }> = async (app, { deps }) => {
  const desk = deps.deskRecords as DeskRecords;
  const mod = deps.campaigns as CampaignsModule;
  const db = desk.db;
  const tags = ['desk-records'];
  app.setErrorHandler(errorHandler);

  const actor = (req: FastifyRequest) => ({ userId: req.user?.id ?? null, username: req.user?.username ?? null, ip: req.ip });
  const isBoss = (req: FastifyRequest) => req.user!.roles.some((r) => r === 'admin' || r === 'manager');
  const isLead = (req: FastifyRequest) => isBoss(req) || req.user!.roles.includes('team_lead');
  const fullNumbers = (req: FastifyRequest) => req.user!.roles.some((r) => FULL_NUMBER_ROLES.includes(r));
  const myAgent = (req: FastifyRequest) => mod.custody.agentOfUser(req.user!.id);
  const requireAgent = (req: FastifyRequest) => {
    const a = myAgent(req);
    if (!a) throw new DeskRecordsError('no_agent', 'your account is not linked to an active agent', 403);
    return a;
  };
  /** An agent acts on a lead they hold or were handed, or on a call they had. */
  const agentMayAct = (agentId: number, leadId: number | null, linkedid: string | null): boolean => {
    if (leadId !== null) {
      const l = db.prepare<[number], { agent_id: number | null; claimed_by: string | null }>('SELECT agent_id, claimed_by FROM leads WHERE id = ?').get(leadId);
      if (l && (l.agent_id === agentId || l.claimed_by === `agent:${agentId}`)) return true;
    }
    return linkedid !== null && desk.threats.agentHadCall(agentId, linkedid);
  };

  // ---- identity ----
  app.get(
    '/desk/identity',
    {
      schema: {
        tags,
        summary: 'Identity status of the customer on this call, the hidden field names and (once verified) their values',
        querystring: Type.Object({ linkedid: Linkedid, leadId: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ identity: IdentityStatusOut, hiddenFields: Type.Array(Type.String()), revealed: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]) }), ...errors },
      },
      preHandler: requireUser(...WORK),
    },
    async (req) => {
      const { linkedid, leadId } = req.query;
      if (!isLead(req) && !agentMayAct(requireAgent(req).agentId, leadId, linkedid)) throw new DeskRecordsError('forbidden', 'this call / lead is not yours', 403);
      const identity = desk.identity.status(linkedid, leadId);
      const campaignId = (db.prepare('SELECT campaign_id FROM leads WHERE id = ?').get(leadId) as { campaign_id: number } | undefined)?.campaign_id ?? null;
      const verified = identity.status === 'verified' || identity.status === 'not_required';
      return { identity, hiddenFields: verified ? [] : desk.identity.sensitiveFields(campaignId), revealed: identity.status === 'verified' ? desk.identity.revealed(leadId) : null };
    },
  );
  app.post(
    '/desk/identity/verify',
    {
      schema: {
        tags,
        summary: "Check the caller's name and resident ID number against the record (limited misses per call; never echoes the stored values)",
        body: Type.Object({ linkedid: Linkedid, leadId: Type.Integer({ minimum: 1 }), name: Type.String({ minLength: 1, maxLength: 64 }), idNumber: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ result: Type.String(), mismatch: N, identity: IdentityStatusOut, revealed: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]) }),
          ...errors,
        },
      },
      preHandler: requireUser(...WORK),
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    },
    async (req) => {
      const b = req.body;
      const a = myAgent(req);
      if (!isLead(req) && !agentMayAct(requireAgent(req).agentId, b.leadId, b.linkedid)) throw new DeskRecordsError('forbidden', 'only the agent of this call (or a team lead / manager) may check this identity', 403);
      const r = desk.identity.verify({ linkedid: b.linkedid, leadId: b.leadId, agentId: a?.agentId ?? null, userId: req.user!.id, username: req.user!.username, name: b.name, idNumber: b.idNumber, ip: req.ip });
      // The agent of the call (this agent, or the one a lead checked for) gets a fresh screen pop.
      const callAgent = a?.agentId ?? (db.prepare('SELECT agent_id FROM agent_state_history WHERE linkedid = ? ORDER BY id DESC LIMIT 1').get(b.linkedid) as { agent_id: number } | undefined)?.agent_id;
      if (callAgent !== undefined) {
        try {
          desk.onIdentityChanged?.(callAgent);
        } catch (err) {
          req.log.error({ err }, 'desk refresh after the identity check failed');
        }
      }
      return { result: r.result, mismatch: r.mismatch, identity: r.status, revealed: r.revealed };
    },
  );
  app.get(
    '/desk/identity/log',
    {
      schema: {
        tags,
        summary: 'Identity check attempts (who, when, result, which part mismatched)',
        querystring: Type.Object({ linkedid: Type.Optional(Linkedid), leadId: Type.Optional(Type.Integer({ minimum: 1 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Object({ attempts: Type.Array(Type.Object({ id: Type.Integer(), at: Type.String(), linkedid: Type.String(), leadId: Type.Integer(), agentId: NInt, username: N, result: Type.String(), mismatch: N })) }), ...errors },
      },
      preHandler: requireUser(...LEADS, 'qa'),
    },
    async (req) => ({ attempts: desk.identity.log(req.query) }),
  );

  // ---- threats ----
  const present = (req: FastifyRequest, t: ThreatAlert) => (fullNumbers(req) ? t : { ...t, callerNumber: maskPhone(t.callerNumber) });
  app.post(
    '/desk/threats',
    {
      schema: {
        tags,
        summary: 'Mark my current call as a threat: recording kept as evidence, duty lead alerted at once',
        body: Type.Object({ linkedid: Type.Optional(Linkedid), notes: Type.String({ maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: ThreatAlert, ...errors },
      },
      preHandler: requireUser('agent'),
    },
    async (req) => {
      const a = requireAgent(req);
      const t = desk.threats.report({ agentId: a.agentId, team: a.team, agentName: a.name, linkedid: req.body.linkedid ?? null, notes: req.body.notes }, actor(req));
      return present(req, t);
    },
  );
  app.get(
    '/threats',
    {
      schema: {
        tags,
        summary: 'Threat calls, newest first (agents: their own)',
        querystring: Type.Object({ unacknowledged: Type.Optional(Type.Boolean()), from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Object({ threats: Type.Array(ThreatOut) }), ...errors },
      },
      preHandler: requireUser(...WORK),
    },
    async (req) => {
      const to = req.query.to ? new Date(Date.parse(req.query.to) + 86400_000).toISOString().slice(0, 10) : undefined;
      const agentId = isLead(req) ? undefined : requireAgent(req).agentId;
      return { threats: desk.threats.list({ ...req.query, to, ...(agentId !== undefined ? { agentId } : {}) }).map((t) => ({ ...t, ...present(req, t) })) };
    },
  );
  app.post('/threats/:id/ack', { schema: { tags, summary: 'Acknowledge a threat alert (closes the pop-up for every lead)', params: IdParams, response: { 200: ThreatAlert, ...errors } }, preHandler: requireUser(...LEADS) }, async (req) =>
    present(req, desk.threats.acknowledge(req.params.id, actor(req))),
  );
  app.post(
    '/threats/:id/notes',
    { schema: { tags, summary: 'Add a note to a threat call (leads, managers, the reporting agent)', params: IdParams, body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }), response: { 200: Type.Object({ notes: Type.Array(Type.Object({ id: Type.Integer(), at: Type.String(), username: N, note: Type.String() })) }), ...errors } },
      preHandler: requireUser(...WORK),
    },
    async (req) => {
      if (!isLead(req) && desk.threats.reporter(req.params.id) !== req.user!.id) throw new DeskRecordsError('forbidden', 'you did not report this threat', 403);
      return { notes: desk.threats.addNote(req.params.id, req.body.note, actor(req)) };
    },
  );

  // ---- tickets ----
  const ticketView = (req: FastifyRequest, t: Ticket, full = false): Ticket => (full || fullNumbers(req) ? t : { ...t, callerNumber: maskPhone(t.callerNumber), customerName: maskName(t.customerName) });
  /** May this user read this ticket? Agents: their own; team leads: their teams' or assigned; managers: all. */
  const canRead = (req: FastifyRequest, t: Ticket) => {
    if (isBoss(req)) return true;
    if (req.user!.roles.includes('team_lead') && ((t.team !== null && mod.custody.teamsLedBy(req.user!.id).includes(t.team)) || t.assigneeUserId === req.user!.id)) return true;
    return t.createdByUserId === req.user!.id;
  };
  const canFollow = (req: FastifyRequest, t: Ticket) => isBoss(req) || (req.user!.roles.includes('team_lead') && ((t.team !== null && mod.custody.teamsLedBy(req.user!.id).includes(t.team)) || t.assigneeUserId === req.user!.id));

  app.post(
    '/tickets',
    {
      schema: {
        tags,
        summary: 'Open a complaint ticket (from the desk: lead and/or call; caller number from the call record)',
        body: Type.Object(
          {
            leadId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
            linkedid: Type.Optional(Type.Union([Linkedid, Type.Null()])),
            category: lits(TICKET_CATEGORIES),
            severity: lits(TICKET_SEVERITIES),
            description: Type.String({ minLength: 1, maxLength: 4000 }),
            request: Type.Optional(Type.String({ maxLength: 2000 })),
            /** only used when the server knows no number for the call / lead */
            callerNumber: Type.Optional(Type.String({ maxLength: 32 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TicketOut, ...errors },
      },
      preHandler: requireUser(...WORK),
    },
    async (req) => {
      const b = req.body;
      const a = myAgent(req);
      const leadId = b.leadId ?? null;
      const linkedid = b.linkedid ?? null;
      if (!isLead(req)) {
        const ag = requireAgent(req);
        if ((leadId !== null || linkedid !== null) && !agentMayAct(ag.agentId, leadId, linkedid)) throw new DeskRecordsError('forbidden', 'this call / lead is not yours', 403);
      }
      const t = desk.tickets.create({ agent: a ? { agentId: a.agentId, team: a.team } : null, leadId, linkedid, category: b.category, severity: b.severity, description: b.description, request: b.request ?? null, callerNumber: b.callerNumber ?? null }, actor(req));
      return ticketView(req, t);
    },
  );
  const TicketQuery = Type.Object({
    status: Type.Optional(lits(TICKET_STATUSES)),
    team: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    mine: Type.Optional(Type.Boolean()),
    overdue: Type.Optional(Type.Boolean()),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
    format: Format,
  });
  app.get(
    '/tickets',
    {
      schema: { tags, summary: 'Complaint tickets (filters: status, team, mine, overdue; csv/xlsx export). Agents see only their own.', querystring: TicketQuery, response: { 200: Type.Union([Type.Object({ total: Type.Integer(), tickets: Type.Array(TicketOut) }), Type.Any()]), ...errors } },
      preHandler: requireUser(...WORK),
    },
    async (req, reply) => {
      const q = req.query;
      const to = q.to ? new Date(Date.parse(q.to) + 86400_000).toISOString().slice(0, 10) : undefined;
      const base = { status: q.status, team: q.team, overdue: q.overdue, from: q.from, to, limit: q.format && q.format !== 'json' ? 5000 : q.limit, offset: q.offset };
      let scope: Record<string, unknown> = {};
      if (isBoss(req)) scope = q.mine ? { assignee: req.user!.id } : {};
      else if (req.user!.roles.includes('team_lead')) scope = q.mine ? { assignee: req.user!.id } : { teams: mod.custody.teamsLedBy(req.user!.id), orAssignee: req.user!.id };
      else scope = { createdBy: req.user!.id };
      const r = desk.tickets.list({ ...base, ...scope });
      const tickets = r.tickets.map((t) => ticketView(req, t));
      if (q.format === 'csv' || q.format === 'xlsx') {
        deps.audit.write({ userId: req.user!.id, username: req.user!.username, ip: req.ip, action: 'tickets.exported', detail: { format: q.format, rows: tickets.length } });
        return sendTable(reply, q.format, 'tickets', TICKET_COLUMNS, tickets as unknown as Array<Record<string, unknown>>);
      }
      return { total: r.total, tickets };
    },
  );
  app.get(
    '/tickets/:id',
    { schema: { tags, summary: 'One ticket with its follow-up timeline', params: IdParams, response: { 200: Type.Object({ ticket: TicketOut, followUps: Type.Array(FollowUpOut), canFollowUp: Type.Boolean() }), ...errors } }, preHandler: requireUser(...WORK) },
    async (req) => {
      const t = desk.tickets.require(req.params.id);
      if (!canRead(req, t)) throw new DeskRecordsError('forbidden', 'this ticket is not yours', 403);
      const follow = canFollow(req, t);
      // The lead who follows a complaint up calls the customer back: the full number, audited.
      if (follow && !fullNumbers(req) && t.callerNumber) deps.audit.write({ userId: req.user!.id, username: req.user!.username, ip: req.ip, action: 'ticket.viewed_full', target: `ticket:${t.id}` });
      return { ticket: ticketView(req, t, follow), followUps: desk.tickets.followUps(t.id), canFollowUp: follow };
    },
  );
  app.post(
    '/tickets/:id/follow-ups',
    {
      schema: {
        tags,
        summary: 'Follow a ticket up: note, contact made, new status (team lead of the team, assignee, manager)',
        params: IdParams,
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 4000 }), contactMade: Type.Boolean(), status: Type.Optional(lits(TICKET_STATUSES)) }, { additionalProperties: false }),
        response: { 200: Type.Object({ ticket: TicketOut, followUps: Type.Array(FollowUpOut) }), ...errors },
      },
      preHandler: requireUser(...LEADS),
    },
    async (req) => {
      const t = desk.tickets.require(req.params.id);
      if (!canFollow(req, t)) throw new DeskRecordsError('not_your_team', `ticket ${t.id} belongs to team ${t.team ?? '(none)'}, which you do not lead`, 403);
      const out = desk.tickets.followUp(t.id, req.body, actor(req));
      return { ticket: ticketView(req, out, true), followUps: desk.tickets.followUps(t.id) };
    },
  );
  app.put(
    '/tickets/:id/assignee',
    { schema: { tags, summary: 'Assign a ticket to a team lead / manager (manager)', params: IdParams, body: Type.Object({ assigneeUserId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]) }), response: { 200: TicketOut, ...errors } }, preHandler: requireUser('manager') },
    async (req) => ticketView(req, desk.tickets.assign(req.params.id, req.body.assigneeUserId, actor(req))),
  );
  const TicketSettingsT = Type.Object({ dueHoursNormal: Type.Integer({ minimum: 1, maximum: 720 }), dueHoursUrgent: Type.Integer({ minimum: 1, maximum: 720 }) }, { additionalProperties: false });
  app.get('/ticket-settings', { schema: { tags, summary: 'Ticket due times by severity (hours)', response: { 200: TicketSettingsT, ...errors } }, preHandler: requireUser(...WORK) }, async () => desk.tickets.settings());
  app.put('/ticket-settings', { schema: { tags, summary: 'Set ticket due times by severity (manager)', body: TicketSettingsT, response: { 200: TicketSettingsT, ...errors } }, preHandler: requireUser('manager') }, async (req) => desk.tickets.saveSettings(req.body, actor(req)));

  // ---- registrations ----
  app.get(
    '/campaigns/:id/registration-form',
    { schema: { tags, summary: "The campaign's registration / order form", params: IdParams, response: { 200: Type.Object({ campaignId: Type.Integer(), fields: Type.Array(FormField) }), ...errors } }, preHandler: requireUser(...WORK, 'qa', 'trainer') },
    async (req) => ({ campaignId: req.params.id, fields: desk.registrations.form(req.params.id) }),
  );
  app.post(
    '/registrations',
    {
      schema: {
        tags,
        summary: "Save a registration / order (validated against the campaign's form; errors by path, e.g. values.quantity)",
        body: Type.Object({ campaignId: Type.Integer({ minimum: 1 }), leadId: Type.Integer({ minimum: 1 }), linkedid: Type.Optional(Type.Union([Linkedid, Type.Null()])), values: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
        response: { 200: RegistrationOut, ...errors },
      },
      preHandler: requireUser(...WORK),
    },
    async (req) => {
      const b = req.body;
      const a = myAgent(req);
      if (!isLead(req) && !agentMayAct(requireAgent(req).agentId, b.leadId, b.linkedid ?? null)) throw new DeskRecordsError('forbidden', 'this lead is not yours', 403, 'leadId');
      return desk.registrations.create({ campaignId: b.campaignId, leadId: b.leadId, linkedid: b.linkedid ?? null, values: b.values, agentId: a?.agentId ?? null }, actor(req));
    },
  );
  app.get(
    '/registrations',
    {
      schema: {
        tags,
        summary: 'Registrations / orders (team leads: their teams; agents: their own; csv/xlsx export)',
        querystring: Type.Object({ campaignId: Type.Optional(Type.Integer({ minimum: 1 })), from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })), offset: Type.Optional(Type.Integer({ minimum: 0 })), format: Format }),
        response: { 200: Type.Union([Type.Object({ total: Type.Integer(), registrations: Type.Array(RegistrationOut) }), Type.Any()]), ...errors },
      },
      preHandler: requireUser(...WORK),
    },
    async (req, reply) => {
      const q = req.query;
      const to = q.to ? new Date(Date.parse(q.to) + 86400_000).toISOString().slice(0, 10) : undefined;
      const exporting = q.format === 'csv' || q.format === 'xlsx';
      if (exporting && !isLead(req)) throw new DeskRecordsError('forbidden', 'exports are for team leads and managers', 403);
      const scope = isBoss(req) ? {} : req.user!.roles.includes('team_lead') ? { teams: mod.custody.teamsLedBy(req.user!.id) } : { userId: req.user!.id };
      const r = desk.registrations.list({ campaignId: q.campaignId, from: q.from, to, limit: exporting ? 5000 : q.limit, offset: q.offset, ...scope });
      if (exporting) {
        const fields = q.campaignId ? desk.registrations.form(q.campaignId) : [];
        const keys = new Set(fields.map((f) => f.key));
        for (const reg of r.registrations) for (const k of Object.keys(reg.values)) keys.add(k);
        const columns: Array<[string, string]> = [
          ['id', 'id'],
          ['at', 'time'],
          ['campaignId', 'campaign'],
          ['agentName', 'agent'],
          ['username', 'user'],
          ['leadId', 'lead'],
          ['linkedid', 'call'],
          ...[...keys].map((k): [string, string] => {
            const f = fields.find((x) => x.key === k);
            return [`v.${k}`, f ? `${f.labelZh} / ${f.labelEn}` : k];
          }),
        ];
        const rows = r.registrations.map((reg: Registration) => ({ ...reg, ...Object.fromEntries(Object.entries(reg.values).map(([k, v]) => [`v.${k}`, v])) }));
        deps.audit.write({ userId: req.user!.id, username: req.user!.username, ip: req.ip, action: 'registrations.exported', detail: { format: q.format, rows: rows.length, campaignId: q.campaignId ?? null } });
        return sendTable(reply, q.format as 'csv' | 'xlsx', 'registrations', columns, rows);
      }
      return { total: r.total, registrations: r.registrations };
    },
  );
  app.get('/registrations/:id', { schema: { tags, summary: 'One registration (agents: their own)', params: IdParams, response: { 200: RegistrationOut, ...errors } }, preHandler: requireUser(...WORK) }, async (req) => {
    const reg = desk.registrations.get(req.params.id);
    if (!reg) throw new DeskRecordsError('not_found', `no registration ${req.params.id}`, 404);
    if (!isLead(req) && desk.registrations.ownerUserId(reg.id) !== req.user!.id) throw new DeskRecordsError('forbidden', 'this registration is not yours', 403);
    return reg;
  });
};
