// Complaint tickets (投诉, issue 8): an agent opens one from the desk (lead and/or call; the
// caller number taken from the server's call record); it goes to the team lead of the agent's
// team (else unassigned, for the managers) with a due time by severity; the team lead or a
// manager follows it up (note, contact made, new status), each follow-up a row. Status:
// open → in_progress → resolved → closed, reopen allowed. Live `ticket.updated` goes to team
// leads, managers and the creator only.
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import type { LiveFeed } from '../http/live.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { DeskRecordsError } from './identity.js';
import type { Actor } from './threats.js';

export const TICKET_CATEGORIES = ['service', 'product', 'billing', 'agent_conduct', 'other'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];
export const TICKET_SEVERITIES = ['normal', 'urgent'] as const;
export type TicketSeverity = (typeof TICKET_SEVERITIES)[number];
export const TICKET_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Allowed moves; the same status is a follow-up without a move. Reopen: resolved/closed → open. */
const MOVES: Record<TicketStatus, TicketStatus[]> = {
  open: ['in_progress', 'resolved'],
  in_progress: ['resolved', 'open'],
  resolved: ['closed', 'open', 'in_progress'],
  closed: ['open'],
};

export const TICKET_SETTINGS_KEY = 'desk.tickets';
export interface TicketSettings {
  dueHoursNormal: number;
  dueHoursUrgent: number;
}
export const DEFAULT_TICKET_SETTINGS: TicketSettings = { dueHoursNormal: 24, dueHoursUrgent: 4 };

export interface Ticket {
  id: number;
  createdAt: string;
  createdBy: string | null;
  createdByUserId: number | null;
  agentId: number | null;
  agentName: string | null;
  team: string | null;
  leadId: number | null;
  campaignId: number | null;
  linkedid: string | null;
  callerNumber: string | null;
  customerName: string | null;
  category: TicketCategory;
  severity: TicketSeverity;
  description: string;
  request: string | null;
  status: TicketStatus;
  assigneeUserId: number | null;
  assignee: string | null;
  dueAt: string;
  overdue: boolean;
  resolvedAt: string | null;
  closedAt: string | null;
  updatedAt: string;
  destroyed: boolean;
}

export interface FollowUp {
  id: number;
  at: string;
  username: string | null;
  note: string;
  contactMade: boolean;
  fromStatus: TicketStatus;
  toStatus: TicketStatus;
}

export interface TicketQuery {
  status?: TicketStatus;
  team?: string;
  /** only these teams (a team lead's) — combined with `orAssignee` */
  teams?: string[];
  /** tickets assigned to this user count as visible too */
  orAssignee?: number;
  createdBy?: number;
  assignee?: number;
  overdue?: boolean;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

interface Row {
  id: number;
  created_at: string;
  created_by_user_id: number | null;
  created_by: string | null;
  agent_id: number | null;
  agent_name: string | null;
  team: string | null;
  lead_id: number | null;
  campaign_id: number | null;
  linkedid: string | null;
  caller_number: string | null;
  customer_name: string | null;
  category: TicketCategory;
  severity: TicketSeverity;
  description: string;
  request: string | null;
  status: TicketStatus;
  assignee_user_id: number | null;
  assignee: string | null;
  due_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  updated_at: string;
  destroyed_at: string | null;
}

const SELECT = `SELECT t.*, a.name AS agent_name, u.username AS assignee FROM tickets t LEFT JOIN agents a ON a.id = t.agent_id LEFT JOIN users u ON u.id = t.assignee_user_id`;

export class Tickets {
  constructor(
    private readonly d: {
      db: Db;
      audit: AuditLog;
      live: LiveFeed;
      settings: SettingsStore | null;
      now: () => Date;
      callerNumber: (linkedid: string) => string | null;
    },
  ) {}

  settings(): TicketSettings {
    return { ...DEFAULT_TICKET_SETTINGS, ...(this.d.settings?.get<Partial<TicketSettings>>(TICKET_SETTINGS_KEY) ?? {}) };
  }

  saveSettings(s: TicketSettings, actor: Actor): TicketSettings {
    if (!this.d.settings) throw new DeskRecordsError('unavailable', 'settings are not available', 503);
    for (const k of ['dueHoursNormal', 'dueHoursUrgent'] as const) {
      if (!Number.isInteger(s[k]) || s[k] < 1 || s[k] > 24 * 30) throw new DeskRecordsError('invalid_settings', `${k}: whole hours between 1 and 720`, 400, k);
    }
    this.d.settings.set(TICKET_SETTINGS_KEY, s);
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'tickets.settings_changed', detail: s });
    return this.settings();
  }

  private dueFrom(at: Date, severity: TicketSeverity): string {
    const s = this.settings();
    return new Date(at.getTime() + (severity === 'urgent' ? s.dueHoursUrgent : s.dueHoursNormal) * 3600_000).toISOString();
  }

  private toTicket(r: Row, now: string): Ticket {
    return {
      id: r.id,
      createdAt: r.created_at,
      createdBy: r.created_by,
      createdByUserId: r.created_by_user_id,
      agentId: r.agent_id,
      agentName: r.agent_name,
      team: r.team,
      leadId: r.lead_id,
      campaignId: r.campaign_id,
      linkedid: r.linkedid,
      callerNumber: r.caller_number,
      customerName: r.customer_name,
      category: r.category,
      severity: r.severity,
      description: r.description,
      request: r.request,
      status: r.status,
      assigneeUserId: r.assignee_user_id,
      assignee: r.assignee,
      dueAt: r.due_at,
      overdue: (r.status === 'open' || r.status === 'in_progress') && r.due_at < now,
      resolvedAt: r.resolved_at,
      closedAt: r.closed_at,
      updatedAt: r.updated_at,
      destroyed: !!r.destroyed_at,
    };
  }

  get(id: number): Ticket | null {
    const r = this.d.db.prepare<[number], Row>(`${SELECT} WHERE t.id = ?`).get(id);
    return r ? this.toTicket(r, this.d.now().toISOString()) : null;
  }

  require(id: number): Ticket {
    const t = this.get(id);
    if (!t) throw new DeskRecordsError('not_found', `no ticket ${id}`, 404);
    return t;
  }

  create(
    input: { agent: { agentId: number; team: string | null } | null; leadId: number | null; linkedid: string | null; category: TicketCategory; severity: TicketSeverity; description: string; request: string | null; customerName?: string | null; callerNumber?: string | null },
    actor: Actor,
  ): Ticket {
    if (!input.description.trim()) throw new DeskRecordsError('invalid_description', 'description: say what the customer complains about', 400, 'description');
    const now = this.d.now();
    let campaignId: number | null = null;
    let name = input.customerName ?? null;
    let caller = input.linkedid ? this.d.callerNumber(input.linkedid) : null;
    if (input.leadId !== null) {
      const l = this.d.db.prepare<[number], { campaign_id: number; name: string | null; phone: string | null }>('SELECT campaign_id, name, phone FROM leads WHERE id = ?').get(input.leadId);
      if (!l) throw new DeskRecordsError('not_found', `no lead ${input.leadId}`, 404, 'leadId');
      campaignId = l.campaign_id;
      name = name ?? l.name;
      caller = caller ?? l.phone;
    }
    // A number typed by the agent only when the server knows none (e.g. a complaint by letter).
    caller = caller ?? input.callerNumber ?? null;
    const team = input.agent?.team ?? null;
    const assignee = team ? (this.d.db.prepare<[string], { lead_user_id: number | null }>('SELECT lead_user_id FROM teams WHERE name = ?').get(team)?.lead_user_id ?? null) : null;
    const at = now.toISOString();
    const id = Number(
      this.d.db
        .prepare(
          `INSERT INTO tickets (created_at, created_by_user_id, created_by, agent_id, team, lead_id, campaign_id, linkedid, caller_number, customer_name, category, severity, description, request, status, assignee_user_id, due_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
        )
        .run(at, actor.userId, actor.username, input.agent?.agentId ?? null, team, input.leadId, campaignId, input.linkedid, caller, name, input.category, input.severity, input.description.trim(), input.request?.trim() || null, assignee, this.dueFrom(now, input.severity), at).lastInsertRowid,
    );
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'ticket.created', target: `ticket:${id}`, detail: { category: input.category, severity: input.severity, team, assigneeUserId: assignee, leadId: input.leadId, linkedid: input.linkedid } });
    const t = this.require(id);
    this.publish(t);
    return t;
  }

  followUps(id: number): FollowUp[] {
    return (
      this.d.db.prepare('SELECT id, at, username, note, contact_made, from_status, to_status FROM ticket_followups WHERE ticket_id = ? ORDER BY id').all(id) as Array<{
        id: number;
        at: string;
        username: string | null;
        note: string;
        contact_made: number;
        from_status: TicketStatus;
        to_status: TicketStatus;
      }>
    ).map((r) => ({ id: r.id, at: r.at, username: r.username, note: r.note, contactMade: r.contact_made === 1, fromStatus: r.from_status, toStatus: r.to_status }));
  }

  followUp(id: number, input: { note: string; contactMade: boolean; status?: TicketStatus }, actor: Actor): Ticket {
    const t = this.require(id);
    if (t.destroyed) throw new DeskRecordsError('destroyed', `ticket ${id} belongs to a destroyed campaign`, 409);
    if (!input.note.trim()) throw new DeskRecordsError('invalid_note', 'note: write what was done', 400, 'note');
    const to = input.status ?? t.status;
    if (to !== t.status && !MOVES[t.status].includes(to)) throw new DeskRecordsError('invalid_status', `a ${t.status} ticket cannot become ${to} (allowed: ${MOVES[t.status].join(', ')})`, 409, 'status');
    if (t.status === 'closed' && to === 'closed') throw new DeskRecordsError('closed', 'the ticket is closed: reopen it to add follow-ups', 409, 'status');
    const now = this.d.now();
    const at = now.toISOString();
    this.d.db.transaction(() => {
      this.d.db.prepare('INSERT INTO ticket_followups (ticket_id, at, user_id, username, note, contact_made, from_status, to_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(id, at, actor.userId, actor.username, input.note.trim(), input.contactMade ? 1 : 0, t.status, to);
      const reopened = to === 'open' && t.status !== 'open';
      this.d.db
        .prepare(
          `UPDATE tickets SET status = ?, updated_at = ?,
             resolved_at = CASE WHEN ? = 'resolved' THEN ? WHEN ? IN ('open', 'in_progress') THEN NULL ELSE resolved_at END,
             closed_at = CASE WHEN ? = 'closed' THEN ? ELSE NULL END,
             due_at = CASE WHEN ? THEN ? ELSE due_at END
           WHERE id = ?`,
        )
        .run(to, at, to, at, to, to, at, reopened ? 1 : 0, this.dueFrom(now, t.severity), id);
    })();
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: to !== t.status ? 'ticket.status_changed' : 'ticket.followed_up', target: `ticket:${id}`, detail: { from: t.status, to, contactMade: input.contactMade } });
    const out = this.require(id);
    this.publish(out);
    return out;
  }

  assign(id: number, userId: number | null, actor: Actor): Ticket {
    this.require(id);
    if (userId !== null && !this.d.db.prepare(`SELECT 1 FROM user_roles WHERE user_id = ? AND role IN ('team_lead', 'manager', 'admin')`).get(userId)) {
      throw new DeskRecordsError('not_team_lead', `user ${userId} is no team lead or manager`, 400, 'assigneeUserId');
    }
    this.d.db.prepare('UPDATE tickets SET assignee_user_id = ?, updated_at = ? WHERE id = ?').run(userId, this.d.now().toISOString(), id);
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'ticket.assigned', target: `ticket:${id}`, detail: { assigneeUserId: userId } });
    const out = this.require(id);
    this.publish(out);
    return out;
  }

  list(q: TicketQuery): { total: number; tickets: Ticket[] } {
    const now = this.d.now().toISOString();
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.status) (where.push('t.status = ?'), args.push(q.status));
    if (q.team) (where.push('t.team = ?'), args.push(q.team));
    if (q.teams) {
      const ors = [`t.team IN (SELECT value FROM json_each(?))`];
      args.push(JSON.stringify(q.teams));
      if (q.orAssignee !== undefined) (ors.push('t.assignee_user_id = ?'), args.push(q.orAssignee));
      where.push(`(${ors.join(' OR ')})`);
    }
    if (q.createdBy !== undefined) (where.push('t.created_by_user_id = ?'), args.push(q.createdBy));
    if (q.assignee !== undefined) (where.push('t.assignee_user_id = ?'), args.push(q.assignee));
    if (q.overdue) (where.push(`t.status IN ('open', 'in_progress') AND t.due_at < ?`), args.push(now));
    if (q.from) (where.push('t.created_at >= ?'), args.push(q.from));
    if (q.to) (where.push('t.created_at < ?'), args.push(q.to));
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.d.db.prepare(`SELECT count(*) AS n FROM tickets t ${w}`).get(...args) as { n: number }).n;
    const rows = this.d.db.prepare(`${SELECT} ${w} ORDER BY (t.status IN ('open', 'in_progress') AND t.due_at < ?) DESC, t.due_at, t.id LIMIT ? OFFSET ?`).all(...args, now, q.limit ?? 100, q.offset ?? 0) as Row[];
    return { total, tickets: rows.map((r) => this.toTicket(r, now)) };
  }

  /** team leads, managers, admins and the creator. */
  private publish(t: Ticket): void {
    this.d.live.publish(
      { type: 'ticket.updated', data: { id: t.id, status: t.status, team: t.team, assigneeUserId: t.assigneeUserId, createdByUserId: t.createdByUserId, overdue: t.overdue, updatedAt: t.updatedAt } },
      { roles: ['team_lead', 'manager', 'admin'], ...(t.createdByUserId !== null ? { userIds: [t.createdByUserId] } : {}) },
    );
  }
}
