// The agent desktop's core (issue 8, docs/agent-desktop.md): one DeskState per agent, pushed as
// `desk.state` to that agent's user only on every change (agent state, the seat's call, dialer
// connects, click-to-dial, hold/transfer, wrap-up, preview). Screen pop with the lead or caller,
// contact history and the campaign script; sensitive fields withheld until the identity check;
// the disposition hold after a talked call; preview and click-to-dial; personal day statistics.
import type { AgentsModule } from '../agents/agents-module.js';
import type { Actor } from '../agents/agents-module.js';
import { systemClock, type Clock } from '../agents/clock.js';
import type { AsteriskAmiClient } from '../ami/client.js';
import type { AmiMessage } from '../ami/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import { hoursState, localDateTime } from '../campaigns/calling-hours.js';
import type { Campaign } from '../campaigns/campaign-store.js';
import { CampaignError } from '../campaigns/campaign-store.js';
import type { CampaignsModule } from '../campaigns/campaigns-module.js';
import { renderScript } from '../campaigns/settings.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import { normalizePhone } from '../dnc/dnc-store.js';
import type { LiveFeed } from '../http/live.js';
import type { LiveCall, LiveMessage, Role, SeatLive } from '../http/schemas.js';
import { maskPhone, seesFullNumber, type LeadRow } from '../leads/lead-view.js';
import type { Logger } from '../logging.js';
import { CallControl, DeskCallError, type CallLegs } from './call-control.js';
import type { AfterCallSms, DeskCall, DeskCustomer, DeskHistoryItem, DeskState, DeskStats, DeskWrapUp, IdentityGate, IdentityStatus } from './contract.js';
import { dayStats, DEFAULT_STATS_TZ, type DayTargets } from './desk-stats.js';
import { DESK_CONTEXTS, DESK_EVENT } from './dialplan.js';
import type { WrapHolds, WrapKind, WrapRow } from './wrap-holds.js';

export { DeskCallError };

const iso = (ms: number) => new Date(ms).toISOString();

export interface DeskModuleDeps {
  db: Db;
  ami: AsteriskAmiClient;
  agents: AgentsModule;
  campaigns: CampaignsModule;
  live: LiveFeed;
  audit: AuditLog;
  logger: Logger;
  holds: WrapHolds;
  identity?: IdentityGate;
  sms?: AfterCallSms;
  clock?: Clock;
  /** The calls model's live calls (number and direction of inbound calls). */
  calls?: () => LiveCall[];
  /** Where a customer number is dialled: the number as the context expects it, and the context. */
  destination: (phone: string, trunk: string | null) => { number: string; context: string };
  /** Dial string (<exten>@<context>) of a seat, for transfers and conferences. */
  seatDestination?: (seat: string) => string;
  /** Wrap-up timer seconds of an agent (default: the agents module's setting). */
  wrapUpSeconds?: (agentId: number) => number;
}

/** A call at an agent's desk as the desk follows it. */
interface Ctx {
  linkedid: string;
  kind: DeskCall['kind'];
  leadId: number | null;
  campaignId: number | null;
  /** the customer's number, unmasked (masked when built into the state) */
  number: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  seatAnswered: boolean;
  held: boolean;
  conference: boolean;
  consult: { target: string; state: 'ringing' | 'talking' } | null;
  agentChannel: string | null;
  customerChannel: string | null;
  customerUniqueid: string | null;
  deskCallId: number | null;
}

interface Desk {
  agentId: number;
  version: number;
  seat: string | null;
  call: Ctx | null;
  overdueTimer?: unknown;
  overdueAlarmed?: number;
}

export class DeskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 409,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DeskError';
  }
}

export interface DispositionInput {
  disposition: string;
  notes?: string;
  callbackAt?: string;
  callbackScope?: 'personal' | 'team';
}

/** Asks again for up to 1.5 s: Dial's answer gosub runs before the legs are bridged. */
async function settle<T>(fn: () => Promise<T | null | undefined>): Promise<T | null> {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (v || i >= 10) return v ?? null;
    await new Promise((r) => setTimeout(r, 150));
  }
}

const NOT_REQUIRED: IdentityStatus = { status: 'not_required', attempts: 0, maxAttempts: 0 };

export class DeskModule implements Module {
  readonly name = 'desk';
  readonly control: CallControl;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly desks = new Map<number, Desk>();
  private identity?: IdentityGate;
  private sms?: AfterCallSms;
  private readonly onLive = (msg: LiveMessage): void => {
    try {
      if (msg.type === 'seat.updated') this.onSeat(msg.data);
      else if (msg.type === 'call.updated' || msg.type === 'call.ended') this.onCall(msg.data);
      // A threat marked on a call: the agent's own screen shows the badge at once.
      else if (msg.type === 'desk.threat' && msg.data.agentId !== null) this.refreshAgent(msg.data.agentId);
    } catch (err) {
      this.log.error({ err }, 'desk update failed');
    }
  };
  private readonly onAmi = (msg: AmiMessage): void => {
    if (msg.event !== 'UserEvent' || msg.get('UserEvent') !== DESK_EVENT) return;
    try {
      this.onDeskEvent(msg);
    } catch (err) {
      this.log.error({ err }, 'desk event failed');
    }
  };

  constructor(private readonly deps: DeskModuleDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger;
    this.identity = deps.identity;
    this.sms = deps.sms;
    this.control = new CallControl(deps.ami);
  }

  /** The identity checks (desk/identity.ts) once they exist (wired after construction). */
  setIdentity(identity: IdentityGate | undefined): void {
    this.identity = identity;
  }

  setSms(sms: AfterCallSms | undefined): void {
    this.sms = sms;
  }

  async start(): Promise<void> {
    this.deps.live.on('message', this.onLive);
    this.deps.ami.on('event', this.onAmi);
    // Agents logged in (restored) and open wrap-ups: pick them up, re-arm overdue timers.
    for (const a of this.deps.agents.engine.agents()) this.refreshAgent(a.agent.id);
  }

  private seedTimer?: NodeJS.Timeout;

  /**
   * Demo: creates the demo agent's account once the first admin exists (before that the box is
   * in first-run setup, which needs an empty user table). Retried every 10 s until done.
   */
  seedDemoAccount(seed: () => Promise<unknown>): void {
    const attempt = async (): Promise<void> => {
      if (!this.deps.db.open) return;
      const admin = this.deps.db.prepare("SELECT 1 FROM user_roles WHERE role = 'admin' LIMIT 1").get();
      if (!admin) return;
      clearInterval(this.seedTimer);
      await seed().catch((err: unknown) => this.log.error({ err }, 'demo agent account seed failed'));
    };
    this.seedTimer = setInterval(() => void attempt(), 10_000);
    this.seedTimer.unref();
    void attempt();
  }

  async stop(): Promise<void> {
    clearInterval(this.seedTimer);
    this.deps.live.off('message', this.onLive);
    this.deps.ami.off('event', this.onAmi as never);
    for (const d of this.desks.values()) if (d.overdueTimer !== undefined) this.clock.clearTimeout(d.overdueTimer);
  }

  private now(): number {
    return this.clock.now();
  }

  private desk(agentId: number): Desk {
    let d = this.desks.get(agentId);
    if (!d) {
      // Versions start at the clock (ms), so snapshots after a restart still count as newer.
      d = { agentId, version: this.now(), seat: null, call: null };
      this.desks.set(agentId, d);
    }
    return d;
  }

  // ---- who --------------------------------------------------------------------------------

  /** The active agent linked to a user, or null. */
  agentOfUser(userId: number): { id: number; number: string; name: string; team: string | null } | null {
    return (this.deps.db.prepare('SELECT id, number, name, team FROM agents WHERE user_id = ? AND active = 1').get(userId) as { id: number; number: string; name: string; team: string | null } | undefined) ?? null;
  }

  requireAgent(userId: number): { id: number; number: string; name: string; team: string | null } {
    const a = this.agentOfUser(userId);
    if (!a) throw new DeskError('no_agent', 'your account is not linked to an active agent; ask an administrator to link it (Agents page)', 403);
    return a;
  }

  private userOf(agentId: number): { id: number; roles: Role[] } | null {
    const r = this.deps.db.prepare('SELECT user_id FROM agents WHERE id = ?').get(agentId) as { user_id: number | null } | undefined;
    if (!r?.user_id) return null;
    const roles = (this.deps.db.prepare('SELECT role FROM user_roles WHERE user_id = ?').all(r.user_id) as Array<{ role: Role }>).map((x) => x.role);
    return { id: r.user_id, roles };
  }

  /** The agent's current session was started at the desktop (POST /desk/login). */
  atDesk(agentId: number): boolean {
    const live = this.deps.agents.liveOf(agentId);
    if (!live) return false;
    return !!this.deps.db.prepare('SELECT 1 FROM desk_sessions WHERE session_id = ?').get(live.sessionId);
  }

  /** Marks the agent's current session as a desktop session (after the desk's login). */
  markDeskSession(agentId: number): void {
    const live = this.deps.agents.liveOf(agentId);
    if (!live) return;
    this.deps.db.prepare('INSERT OR IGNORE INTO desk_sessions (session_id, agent_id, at) VALUES (?, ?, ?)').run(live.sessionId, agentId, iso(this.now()));
  }

  // ---- following the agent and the seat ---------------------------------------------------

  private onSeat(s: SeatLive): void {
    if (s.agent) {
      this.follow(s.agent.id);
      return;
    }
    // Logged out: tell the agent that was there.
    for (const d of this.desks.values()) if (d.seat === s.extension) this.follow(d.agentId);
  }

  private onCall(c: LiveCall): void {
    for (const d of this.desks.values()) {
      if (d.call?.linkedid !== c.linkedid) continue;
      if (d.call.kind === 'inbound' && !d.call.number && c.from) d.call.number = c.from;
      this.push(d.agentId);
    }
  }

  /** Re-reads the agent's state, follows its call, pushes. */
  private follow(agentId: number): void {
    const d = this.desk(agentId);
    const live = this.deps.agents.liveOf(agentId);
    const now = this.now();
    if (!live) {
      d.seat = null;
      if (d.call && d.call.endedAt === null) d.call.endedAt = now;
      this.push(agentId);
      return;
    }
    d.seat = live.seat;
    if ((live.state === 'ringing' || live.state === 'talking') && live.linkedid) {
      if (!d.call || d.call.linkedid !== live.linkedid || d.call.endedAt !== null) d.call = this.newCtx(agentId, live.seat, live.linkedid, now);
      const c = d.call;
      if (live.state === 'talking' && !c.seatAnswered) {
        c.seatAnswered = true;
        // A click-to-dial call is answered when the customer answers (desk event), not the seat.
        if (c.kind !== 'manual') this.answered(agentId, c, now);
      }
    } else if (d.call && d.call.endedAt === null) {
      this.callEnded(agentId, d.call, now);
    } else {
      // A call that ended while the desk was not running (restart): its wrap-up starts now.
      if (this.deps.holds.endStale(agentId, null, iso(now), iso(now + this.wrapSeconds(agentId) * 1000)) > 0) this.armOverdue(agentId);
    }
    this.push(agentId);
  }

  private newCtx(agentId: number, seat: string, linkedid: string, now: number): Ctx {
    const ctx: Ctx = {
      linkedid,
      kind: 'internal',
      leadId: null,
      campaignId: null,
      number: null,
      startedAt: now,
      answeredAt: null,
      endedAt: null,
      seatAnswered: false,
      held: false,
      conference: false,
      consult: null,
      agentChannel: null,
      customerChannel: null,
      customerUniqueid: null,
      deskCallId: null,
    };
    const db = this.deps.db;
    // Click-to-dial placed by this agent a moment ago.
    const manual = db
      .prepare('SELECT id, lead_id, campaign_id, number FROM desk_calls WHERE agent_id = ? AND (linkedid = ? OR (linkedid IS NULL AND ended_at IS NULL AND started_at >= ?)) ORDER BY id DESC LIMIT 1')
      .get(agentId, linkedid, iso(now - 60_000)) as { id: number; lead_id: number | null; campaign_id: number | null; number: string } | undefined;
    if (manual) {
      db.prepare('UPDATE desk_calls SET linkedid = ? WHERE id = ?').run(linkedid, manual.id);
      return { ...ctx, kind: 'manual', leadId: manual.lead_id, campaignId: manual.campaign_id, number: manual.number, deskCallId: manual.id };
    }
    // A dialer call connected to this seat (the dialer stored the connect before the seat rang).
    const dial = db
      .prepare('SELECT d.lead_id, d.campaign_id, l.phone FROM dialer_calls d LEFT JOIN leads l ON l.id = d.lead_id WHERE d.seat = ? AND d.connected_at IS NOT NULL AND d.ended_at IS NULL AND d.connected_at >= ? ORDER BY d.id DESC LIMIT 1')
      .get(seat, iso(now - 30_000)) as { lead_id: number | null; campaign_id: number; phone: string | null } | undefined;
    if (dial) return { ...ctx, kind: 'dialer', leadId: dial.lead_id, campaignId: dial.campaign_id, number: dial.phone };
    // A call another desk had (transfer, conference): the screen pop travels with it.
    for (const other of this.desks.values()) {
      if (other.agentId !== agentId && other.call?.linkedid === linkedid && (other.call.leadId !== null || other.call.number)) {
        return { ...ctx, kind: other.call.kind === 'internal' ? 'internal' : 'inbound', leadId: other.call.leadId, campaignId: other.call.campaignId, number: other.call.number };
      }
    }
    const call = this.deps.calls?.().find((c) => c.linkedid === linkedid);
    if (call && call.direction === 'inbound') {
      const number = call.from;
      const lead = number ? this.leadByPhone(number) : null;
      return { ...ctx, kind: 'inbound', number, leadId: lead?.id ?? null, campaignId: lead?.campaign_id ?? null };
    }
    return ctx;
  }

  /** The talk began: from now on a disposition is required (desktop logins only). */
  private answered(agentId: number, c: Ctx, now: number): void {
    c.answeredAt ??= now;
    if (c.kind === 'internal') return;
    // Only agents working from the desktop: the Agents page, phone logins, simulated agents are not held.
    if (!this.atDesk(agentId)) return;
    this.deps.holds.open({ agentId, linkedid: c.linkedid, kind: c.kind as WrapKind, leadId: c.leadId, campaignId: c.campaignId, number: c.number, at: iso(now) });
  }

  private callEnded(agentId: number, c: Ctx, now: number): void {
    c.endedAt = now;
    c.held = false;
    c.conference = false;
    c.consult = null;
    if (c.deskCallId !== null) {
      // The seat never answered: the customer was not dialled (a preview lead stays held for a retry).
      this.deps.db.prepare(`UPDATE desk_calls SET ended_at = coalesce(ended_at, ?), status = coalesce(status, CASE WHEN ? THEN NULL ELSE 'seat_unanswered' END) WHERE id = ?`).run(iso(now), c.seatAnswered ? 1 : 0, c.deskCallId);
    }
    const row = this.deps.holds.ofCall(agentId, c.linkedid);
    if (row && row.ended_at === null && row.done_at === null) {
      const endsAt = now + this.wrapSeconds(agentId) * 1000;
      this.deps.holds.ended(agentId, c.linkedid, iso(now), iso(endsAt));
    }
    this.armOverdue(agentId);
  }

  private wrapSeconds(agentId: number): number {
    return this.deps.wrapUpSeconds?.(agentId) ?? this.deps.agents.store.wrapUpSecondsFor(agentId);
  }

  /** A timer for the moment the open wrap-up becomes overdue (push + alarm for team leads). */
  private armOverdue(agentId: number): void {
    const d = this.desk(agentId);
    if (d.overdueTimer !== undefined) this.clock.clearTimeout(d.overdueTimer);
    d.overdueTimer = undefined;
    const w = this.deps.holds.pending(agentId);
    if (!w || !w.ends_at || w.ended_at === null) return;
    const due = Date.parse(w.ends_at) - this.now();
    if (due <= 0) {
      this.overdue(agentId, w);
      return;
    }
    d.overdueTimer = this.clock.setTimeout(() => {
      d.overdueTimer = undefined;
      const cur = this.deps.holds.pending(agentId);
      if (cur) this.overdue(agentId, cur);
    }, due + 20);
  }

  private overdue(agentId: number, w: WrapRow): void {
    const d = this.desk(agentId);
    if (d.overdueAlarmed !== w.id) {
      d.overdueAlarmed = w.id;
      const a = this.deps.agents.store.get(agentId);
      // Team leads see it on the seat board (wrap-up past its end) and as an alarm.
      this.deps.live.publish(
        { type: 'alarm', data: { source: 'desk', severity: 'warning', message: `agent ${a?.number ?? agentId} (${a?.name ?? ''}) at seat ${d.seat ?? '?'}: wrap-up overdue, disposition missing`, at: iso(this.now()) } },
        { roles: ['team_lead', 'manager', 'admin'] },
      );
      // The seat board shows it too (SeatLive.dispositionOverdue).
      if (d.seat) this.deps.agents.publishSeat(d.seat);
    }
    this.push(agentId);
  }

  // ---- desk events from the dialplan ------------------------------------------------------

  private onDeskEvent(msg: AmiMessage): void {
    const op = msg.get('Op') ?? '';
    const callId = Number(msg.get('Call') ?? '');
    const linkedid = msg.get('Linkedid') ?? '';
    const now = this.now();
    const byLinkedid = [...this.desks.values()].find((d) => d.call?.linkedid === linkedid && d.call.endedAt === null);
    if (op === 'answered' && Number.isInteger(callId) && callId > 0) {
      this.deps.db.prepare('UPDATE desk_calls SET answered_at = coalesce(answered_at, ?) WHERE id = ?').run(iso(now), callId);
      const d = [...this.desks.values()].find((x) => x.call?.deskCallId === callId);
      if (d?.call) {
        this.answered(d.agentId, d.call, now);
        this.push(d.agentId);
      }
      return;
    }
    if (op === 'result' && Number.isInteger(callId) && callId > 0) {
      const status = msg.get('Status') ?? '';
      const row = this.deps.db.prepare('SELECT * FROM desk_calls WHERE id = ?').get(callId) as { id: number; agent_id: number; lead_id: number | null; answered_at: string | null; status: string | null } | undefined;
      if (!row) return;
      this.deps.db.prepare('UPDATE desk_calls SET status = coalesce(status, ?) WHERE id = ?').run(status || 'UNKNOWN', callId);
      if (!row.answered_at && row.lead_id !== null) {
        // Unanswered click-to-dial: the lead's outcome is recorded at once (no disposition).
        const outcome = status === 'BUSY' ? 'busy' : status === 'CONGESTION' || status === 'CHANUNAVAIL' ? 'unreachable' : 'no_answer';
        try {
          this.deps.campaigns.queue.record(row.lead_id, { outcome, agentId: row.agent_id, linkedid: linkedid || null, source: 'agent', actor: `desk:agent:${row.agent_id}` }, new Date(now));
        } catch (err) {
          this.log.warn({ err, leadId: row.lead_id }, 'click-to-dial outcome not recorded');
        }
      }
      this.push(row.agent_id);
      return;
    }
    if (op === 'consult_answered' && byLinkedid?.call?.consult) {
      byLinkedid.call.consult.state = 'talking';
      this.push(byLinkedid.agentId);
      return;
    }
    if (op === 'consult_end' && byLinkedid?.call?.consult) {
      byLinkedid.call.consult = null;
      if (!byLinkedid.call.conference) byLinkedid.call.held = true;
      this.push(byLinkedid.agentId);
    }
  }

  // ---- state ------------------------------------------------------------------------------

  /** Re-sends an agent's desk (after an identity check, a restart, a setting change). */
  refreshAgent(agentId: number): void {
    this.follow(agentId);
    this.armOverdue(agentId);
  }

  stateFor(userId: number): DeskState {
    const a = this.requireAgent(userId);
    return this.build(a.id);
  }

  private push(agentId: number): void {
    const user = this.userOf(agentId);
    const d = this.desk(agentId);
    d.version++;
    if (!user) return;
    this.deps.live.publish({ type: 'desk.state', data: this.build(agentId, user) }, { userIds: [user.id] });
  }

  build(agentId: number, user = this.userOf(agentId)): DeskState {
    const d = this.desk(agentId);
    const rec = this.deps.agents.store.get(agentId);
    const live = this.deps.agents.liveOf(agentId);
    const now = this.now();
    const roles = user?.roles ?? ['agent'];
    const campaignId = this.chosenCampaign(agentId);
    const pending = this.deps.holds.pending(agentId);
    let call: DeskCall | null = null;
    const c = d.call;
    // The ended call stays on screen while its disposition is missing.
    if (c && (c.endedAt === null || (pending && pending.linkedid === c.linkedid))) {
      call = {
        linkedid: c.linkedid,
        kind: c.kind,
        state: c.endedAt !== null ? 'ended' : c.conference ? 'conference' : c.held ? 'held' : c.answeredAt !== null ? 'talking' : c.kind === 'manual' && c.seatAnswered ? 'dialing' : 'ringing',
        number: this.maskedNumber(c.number, c.leadId, roles, agentId),
        startedAt: iso(c.startedAt),
        answeredAt: c.answeredAt !== null ? iso(c.answeredAt) : null,
        endedAt: c.endedAt !== null ? iso(c.endedAt) : null,
        consult: c.consult,
        threat: this.threatOf(c.linkedid),
        recordingId: this.recordingOf(c.linkedid),
        customer: c.leadId !== null || c.number ? this.customer({ leadId: c.leadId, number: c.number, campaignId: c.campaignId, linkedid: c.linkedid }, roles, agentId) : null,
      };
    }
    let wrapUp: DeskWrapUp | null = null;
    if (pending && pending.ended_at) {
      wrapUp = {
        linkedid: pending.linkedid,
        leadId: pending.lead_id,
        campaignId: pending.campaign_id,
        startedAt: pending.ended_at,
        endsAt: pending.ends_at,
        overdue: pending.ends_at !== null && Date.parse(pending.ends_at) <= now,
        dispositionRequired: true,
      };
    }
    const previewLead = this.previewLead(agentId, c && c.endedAt === null ? c.leadId : (pending?.lead_id ?? null));
    return {
      agent: rec ? { id: rec.id, number: rec.number, name: rec.name, team: rec.team } : null,
      seat: live?.seat ?? null,
      state: live?.state ?? 'logged_out',
      since: live ? iso(live.since) : null,
      pauseReason: live?.state === 'paused' ? live.reason : null,
      pendingPause: !!live && live.afterCall === 'paused' && live.state !== 'paused',
      campaignId,
      call,
      wrapUp,
      preview: previewLead ? this.customer({ leadId: previewLead.id, number: previewLead.phone, campaignId: previewLead.campaign_id, linkedid: '' }, roles, agentId) : null,
      serverTime: iso(now),
      version: d.version,
    };
  }

  private maskedNumber(number: string | null, leadId: number | null, roles: Role[], agentId: number): string | null {
    if (!number) return null;
    const lead = leadId !== null ? this.deps.campaigns.queue.lead(leadId) : null;
    const c = lead ? this.deps.campaigns.campaigns.get(lead.campaign_id) : undefined;
    const full = lead && c ? seesFullNumber({ roles, agentId }, lead, c.dialMode) : roles.some((r) => r === 'admin' || r === 'manager' || r === 'data_manager');
    return full ? number : maskPhone(number);
  }

  /** The customer of a screen pop: lead (or just the number), history, script, identity gate. */
  customer(p: { leadId: number | null; number: string | null; campaignId: number | null; linkedid: string }, roles: Role[], agentId: number): DeskCustomer {
    const q = this.deps.campaigns.queue;
    const lead = p.leadId !== null ? q.lead(p.leadId) : null;
    const campaignId = lead?.campaign_id ?? p.campaignId;
    const campaign = campaignId !== null ? (this.deps.campaigns.campaigns.get(campaignId) ?? null) : null;
    const phone = lead?.phone ?? p.number;
    const identity = this.identity ? this.identity.status(p.linkedid, lead?.id ?? null) : NOT_REQUIRED;
    const sensitive = this.identity ? this.identity.sensitiveFields(campaignId) : [];
    const open = identity.status === 'verified' || identity.status === 'not_required';
    let all: Record<string, unknown> = {};
    if (lead) {
      try {
        all = JSON.parse(lead.fields_json) as Record<string, unknown>;
      } catch {
        all = {};
      }
    }
    const fields: Record<string, unknown> = {};
    const hiddenFields: string[] = [];
    for (const [k, v] of Object.entries(all)) {
      if (!open && sensitive.includes(k)) hiddenFields.push(k);
      else fields[k] = v;
    }
    // Sensitive names not in this lead's fields are not listed (nothing to reveal).
    const masked = this.maskedNumber(phone, lead?.id ?? null, roles, agentId);
    const script = campaign ? renderScript(campaign.settings.script, { name: lead?.name ?? null, phone: masked, extension: lead?.extension ?? null, fields }) : { text: '', missing: [] };
    return {
      leadId: lead?.id ?? null,
      campaignId: campaign?.id ?? null,
      campaignName: campaign?.name ?? null,
      // The agent talks to this person on their own call: the name is shown in full.
      name: lead?.name ?? null,
      phone: masked,
      fields,
      hiddenFields,
      attempts: lead?.attempts ?? 0,
      script,
      history: phone ? this.history(phone, p.linkedid) : [],
      identity: sensitive.length === 0 && identity.status === 'unverified' ? NOT_REQUIRED : identity,
    };
  }

  /** The most recent lead with this number (normalised like the lead import). */
  leadByPhone(number: string): LeadRow | null {
    const phone = normalizePhone(number) ?? number;
    return (
      (this.deps.db.prepare('SELECT * FROM leads WHERE phone = ? AND destroyed_at IS NULL ORDER BY coalesce(last_attempt_at, created_at) DESC, id DESC LIMIT 1').get(phone) as LeadRow | undefined) ?? null
    );
  }

  /** Earlier contacts with this number, newest first: attempts (with desk notes), calls, tickets, registrations. */
  history(number: string, linkedid: string): DeskHistoryItem[] {
    const db = this.deps.db;
    const phone = normalizePhone(number) ?? number;
    const items: DeskHistoryItem[] = [];
    const attempts = db
      .prepare(
        `SELECT a.at, a.outcome, a.disposition, a.linkedid, c.name AS campaign, g.name AS agent,
                (SELECT n.notes FROM desk_notes n WHERE n.lead_id = a.lead_id AND n.linkedid IS a.linkedid AND n.notes <> '' ORDER BY n.id DESC LIMIT 1) AS note
         FROM lead_attempts a JOIN leads l ON l.id = a.lead_id LEFT JOIN campaigns c ON c.id = a.campaign_id LEFT JOIN agents g ON g.id = a.agent_id
         WHERE l.phone = ? ORDER BY a.at DESC, a.id DESC LIMIT 30`,
      )
      .all(phone) as Array<{ at: string; outcome: string; disposition: string | null; linkedid: string | null; campaign: string | null; agent: string | null; note: string | null }>;
    const seen = new Set<string>();
    for (const a of attempts) {
      if (a.linkedid) seen.add(a.linkedid);
      items.push({ at: a.at, kind: 'attempt', campaignName: a.campaign, agentName: a.agent, outcome: a.outcome, disposition: a.disposition, note: a.note });
    }
    const calls = db
      .prepare(`SELECT linkedid, created_at, direction, state, end_reason FROM calls WHERE (from_num IN (?, ?) OR to_num IN (?, ?)) AND linkedid <> ? ORDER BY created_at DESC LIMIT 20`)
      .all(phone, number, phone, number, linkedid) as Array<{ linkedid: string; created_at: string; direction: string; state: string; end_reason: string | null }>;
    for (const c of calls) {
      if (seen.has(c.linkedid)) continue;
      items.push({ at: c.created_at, kind: 'call', campaignName: null, agentName: null, outcome: c.direction, disposition: null, note: null });
    }
    items.push(...this.recordsHistory(phone));
    return items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, 50);
  }

  /**
   * Tickets, registrations (desk records, migrations/0012) and SMS (0013) with this number:
   * read defensively (a table missing or changed must not break the screen pop).
   */
  private recordsHistory(phone: string): DeskHistoryItem[] {
    const out: DeskHistoryItem[] = [];
    const db = this.deps.db;
    const queries: Array<{ kind: DeskHistoryItem['kind']; sql: string }> = [
      {
        kind: 'ticket',
        sql: `SELECT t.created_at AS at, t.status AS outcome, t.category AS disposition, t.description AS note, c.name AS campaign, g.name AS agent
              FROM tickets t LEFT JOIN campaigns c ON c.id = t.campaign_id LEFT JOIN agents g ON g.id = t.agent_id
              WHERE t.destroyed_at IS NULL AND (t.caller_number = @phone OR t.lead_id IN (SELECT id FROM leads WHERE phone = @phone)) ORDER BY t.created_at DESC LIMIT 10`,
      },
      {
        kind: 'registration',
        sql: `SELECT r.at AS at, NULL AS outcome, NULL AS disposition, NULL AS note, c.name AS campaign, g.name AS agent
              FROM registrations r LEFT JOIN campaigns c ON c.id = r.campaign_id LEFT JOIN agents g ON g.id = r.agent_id
              WHERE r.destroyed_at IS NULL AND (r.customer_phone = @phone OR r.lead_id IN (SELECT id FROM leads WHERE phone = @phone)) ORDER BY r.at DESC LIMIT 10`,
      },
      {
        kind: 'sms',
        sql: `SELECT m.created_at AS at, m.state AS outcome, NULL AS disposition, m.body AS note, c.name AS campaign, NULL AS agent
              FROM sms_messages m LEFT JOIN campaigns c ON c.id = m.campaign_id WHERE m.phone = @phone ORDER BY m.created_at DESC LIMIT 10`,
      },
    ];
    for (const q of queries) {
      try {
        const rows = db.prepare(q.sql).all({ phone }) as Array<{ at: string; outcome: string | null; disposition: string | null; note: string | null; campaign: string | null; agent: string | null }>;
        for (const r of rows) out.push({ at: r.at, kind: q.kind, campaignName: r.campaign, agentName: r.agent, outcome: r.outcome, disposition: r.disposition, note: r.note === null ? null : String(r.note).slice(0, 200) });
      } catch (err) {
        this.log.debug({ err, kind: q.kind }, 'desk history: records table not readable');
      }
    }
    return out;
  }

  private threatOf(linkedid: string): boolean {
    try {
      const t = this.deps.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'desk_threats'").get();
      if (!t) return false;
      return !!this.deps.db.prepare('SELECT 1 FROM desk_threats WHERE linkedid = ? LIMIT 1').get(linkedid);
    } catch {
      return false;
    }
  }

  private recordingOf(linkedid: string): number | null {
    try {
      const r = this.deps.db.prepare('SELECT id FROM recordings WHERE linkedid = ? ORDER BY id LIMIT 1').get(linkedid) as { id: number } | undefined;
      return r?.id ?? null;
    } catch {
      return null;
    }
  }

  // ---- campaign, preview ------------------------------------------------------------------

  chosenCampaign(agentId: number): number | null {
    const r = this.deps.db.prepare('SELECT campaign_id FROM desk_agent_campaign WHERE agent_id = ?').get(agentId) as { campaign_id: number | null } | undefined;
    return r?.campaign_id ?? null;
  }

  setCampaign(agentId: number, campaignId: number | null, actor: Actor): DeskState {
    if (campaignId !== null) {
      const c = this.deps.campaigns.campaigns.get(campaignId);
      if (!c || c.status === 'destroyed' || c.status === 'ended') throw new DeskError('unknown_campaign', `no running campaign ${campaignId}`, 400, 'campaignId');
    }
    const held = this.previewLead(agentId, null);
    if (held && held.campaign_id !== campaignId) this.deps.campaigns.queue.unclaim(held.id, `agent:${agentId}`);
    this.deps.db
      .prepare('INSERT INTO desk_agent_campaign (agent_id, campaign_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (agent_id) DO UPDATE SET campaign_id = excluded.campaign_id, updated_at = excluded.updated_at')
      .run(agentId, campaignId, iso(this.now()));
    this.deps.audit.write({ ...actor, action: 'desk.campaign_chosen', target: `agent:${agentId}`, detail: { campaignId } });
    this.push(agentId);
    return this.build(agentId);
  }

  /** The lead held for this agent, not on a call (preview). */
  private previewLead(agentId: number, exceptLeadId: number | null): LeadRow | null {
    return (
      (this.deps.db
        .prepare(`SELECT * FROM leads WHERE claimed_by = ? AND status <> 'connected' AND id IS NOT ? AND destroyed_at IS NULL ORDER BY claimed_at DESC LIMIT 1`)
        .get(`agent:${agentId}`, exceptLeadId) as LeadRow | undefined) ?? null
    );
  }

  previewNext(agentId: number, actor: Actor): DeskState {
    const campaignId = this.chosenCampaign(agentId);
    if (campaignId === null) throw new DeskError('no_campaign', 'choose a campaign first (POST /desk/campaign)', 409, 'campaignId');
    const a = this.deps.agents.store.mustGet(agentId);
    const now = new Date(this.now());
    const l = this.deps.campaigns.queue.claimNext(campaignId, { agentId, team: a.team }, now);
    if (!l) {
      const reason = this.deps.campaigns.queue.notDialingReason(campaignId, now);
      throw new DeskError('no_lead', `no lead due for you in this campaign${reason ? ` (${reason})` : ''}`, 404);
    }
    this.deps.audit.write({ ...actor, action: 'desk.preview_claimed', target: `lead:${l.id}`, detail: { campaignId } });
    this.push(agentId);
    return this.build(agentId);
  }

  previewSkip(agentId: number, actor: Actor): DeskState {
    const l = this.previewLead(agentId, null);
    if (!l) throw new DeskError('no_preview', 'no lead is held for preview', 409);
    this.deps.campaigns.queue.unclaim(l.id, `agent:${agentId}`);
    this.deps.audit.write({ ...actor, action: 'desk.preview_skipped', target: `lead:${l.id}` });
    this.push(agentId);
    return this.build(agentId);
  }

  // ---- click-to-dial ----------------------------------------------------------------------

  async dial(agentId: number, input: { leadId?: number; number?: string }, actor: Actor): Promise<DeskState> {
    const live = this.deps.agents.liveOf(agentId);
    if (!live) throw new DeskError('not_logged_in', 'log in to a seat first', 409);
    if (live.state === 'ringing' || live.state === 'talking') throw new DeskError('busy', 'finish the current call first', 409);
    if (this.deps.holds.pending(agentId)) throw new DeskError('disposition_required', 'save the disposition of the last call first', 409, 'disposition');
    const now = new Date(this.now());
    const a = this.deps.agents.store.mustGet(agentId);
    let lead: LeadRow | null = null;
    let campaign: Campaign | null = null;
    let phone: string;
    if (input.leadId !== undefined) {
      lead = this.deps.campaigns.queue.lead(input.leadId);
      if (!lead || lead.destroyed_at) throw new DeskError('unknown_lead', `no lead ${input.leadId}`, 404, 'leadId');
      if (lead.claimed_by !== `agent:${agentId}`) {
        const r = this.deps.campaigns.queue.claim(lead.id, { agentId, team: a.team }, now);
        if (!r.lead) throw new DeskError('lead_not_due', `lead ${lead.id} cannot be dialled now: ${r.why.message}`, 409, 'leadId');
        lead = r.lead;
      }
      if (!lead.phone) throw new DeskError('no_number', `lead ${lead.id} has no number`, 400, 'leadId');
      phone = lead.phone;
      campaign = this.deps.campaigns.campaigns.get(lead.campaign_id) ?? null;
    } else if (input.number !== undefined) {
      const n = normalizePhone(input.number);
      if (!n) throw new DeskError('bad_number', `"${input.number}" is not a phone number (5-20 digits)`, 400, 'number');
      phone = n;
      const cid = this.chosenCampaign(agentId);
      campaign = cid !== null ? (this.deps.campaigns.campaigns.get(cid) ?? null) : null;
    } else throw new DeskError('validation', 'give leadId or number', 400, 'leadId');
    const field = input.leadId !== undefined ? 'leadId' : 'number';
    const dnc = this.deps.campaigns.dnc.active(phone, now);
    if (dnc) throw new DeskError('dnc', `the number is on the do-not-call list (${dnc.reason}${dnc.expiresAt ? ` until ${dnc.expiresAt.slice(0, 10)}` : ''})`, 409, field);
    if (campaign) {
      const h = hoursState(campaign.settings.hours, now);
      if (!h.open) throw new DeskError('outside_hours', `outside the calling hours of campaign "${campaign.name}"${h.opensAt ? `; they open ${localDateTime(h.opensAt, campaign.settings.hours.timezone)}` : ''}`, 409, field);
    }
    const dest = this.deps.destination(phone, campaign?.settings.trunk ?? null);
    const id = Number(
      this.deps.db.prepare('INSERT INTO desk_calls (agent_id, seat, lead_id, campaign_id, number, started_at) VALUES (?, ?, ?, ?, ?, ?)').run(agentId, live.seat, lead?.id ?? null, campaign?.id ?? null, phone, iso(now.getTime())).lastInsertRowid,
    );
    const vars = [`__SEATBOX_DESK_CALL=${id}`, `SEATBOX_DESK_NUMBER=${dest.number}`, `SEATBOX_DESK_CONTEXT=${dest.context}`, `SEATBOX_DESK_CID=${campaign?.settings.callerId ?? ''}`];
    const res = await this.deps.ami.action('Originate', {
      Channel: `Local/${live.seat}@seatbox-dialer-seat`,
      Context: DESK_CONTEXTS.dial,
      Exten: 's',
      Priority: '1',
      Timeout: '30000',
      // The campaign's caller ID (as the dialer sends it); the seat's phone shows it too, never the customer's number.
      ...(campaign?.settings.callerId ? { CallerID: campaign.settings.callerId } : {}),
      Variable: vars.join(','),
      Account: `desk-${agentId}`,
      Async: 'true',
    });
    if (res.response !== 'Success') {
      this.deps.db.prepare("UPDATE desk_calls SET status = 'originate_failed', ended_at = ? WHERE id = ?").run(iso(this.now()), id);
      throw new DeskError('dial_failed', `the call could not be placed: ${res.get('Message') ?? res.response}`, 502);
    }
    this.deps.audit.write({ ...actor, action: 'desk.dial', target: lead ? `lead:${lead.id}` : `agent:${agentId}`, detail: { deskCallId: id, campaignId: campaign?.id ?? null, seat: live.seat } });
    return this.build(agentId);
  }

  // ---- call control -----------------------------------------------------------------------

  private current(agentId: number): { seat: string; c: Ctx } {
    const live = this.deps.agents.liveOf(agentId);
    const c = this.desk(agentId).call;
    if (!live || !c || c.endedAt !== null) throw new DeskError('no_call', 'you have no call', 409);
    return { seat: live.seat, c };
  }

  private async legsOf(seat: string, c: Ctx): Promise<CallLegs> {
    const known = { ...(c.agentChannel ? { agent: c.agentChannel } : {}), ...(c.customerChannel ? { customer: c.customerChannel } : {}) };
    let legs = await this.control.legs(seat, known);
    // Just answered: Dial's answer gosub runs before the two legs are bridged.
    for (let i = 0; i < 10 && !legs.customer; i++) {
      await new Promise((r) => setTimeout(r, 150));
      legs = await this.control.legs(seat, known);
    }
    c.agentChannel = legs.agent.channel;
    if (legs.customer) {
      c.customerChannel = legs.customer.channel;
      c.customerUniqueid = legs.customer.uniqueid;
    }
    return legs;
  }

  async hangup(agentId: number, actor: Actor): Promise<DeskState> {
    const { seat, c } = this.current(agentId);
    const chans = (await this.control.channels()).filter((x) => x.linkedid === c.linkedid && (x.seat === seat || x.channel === c.agentChannel || (c.held && x.channel === c.customerChannel)));
    if (chans.length === 0) throw new DeskError('no_call', 'the call is gone already', 409);
    for (const ch of chans) await this.control.hangup(ch.channel).catch(() => undefined);
    this.deps.audit.write({ ...actor, action: 'desk.hangup', target: `agent:${agentId}`, detail: { linkedid: c.linkedid } });
    return this.build(agentId);
  }

  async hold(agentId: number, actor: Actor): Promise<DeskState> {
    const { seat, c } = this.current(agentId);
    if (c.held) throw new DeskError('already_held', 'the call is on hold already', 409);
    if (c.consult || c.conference) throw new DeskError('busy', 'end the consultation or conference first', 409);
    const legs = await this.legsOf(seat, c);
    await this.control.hold(legs);
    c.held = true;
    this.deps.audit.write({ ...actor, action: 'desk.hold', target: `agent:${agentId}`, detail: { linkedid: c.linkedid } });
    this.push(agentId);
    return this.build(agentId);
  }

  async unhold(agentId: number, actor: Actor): Promise<DeskState> {
    const { c } = this.current(agentId);
    if (!c.held || !c.agentChannel || !c.customerUniqueid) throw new DeskError('not_held', 'the call is not on hold', 409);
    if (c.consult) throw new DeskError('consulting', 'complete or cancel the consultation first', 409);
    await this.control.unhold(c.agentChannel, c.customerUniqueid);
    c.held = false;
    this.deps.audit.write({ ...actor, action: 'desk.unhold', target: `agent:${agentId}`, detail: { linkedid: c.linkedid } });
    this.push(agentId);
    return this.build(agentId);
  }

  /** A transfer / conference target: a seat extension or an outside number. */
  private target(t: string): string {
    const s = t.trim();
    if (this.deps.agents.knownSeat(s)) return this.deps.seatDestination ? this.deps.seatDestination(s) : `${s}@seatbox-dialer-seat`;
    const n = normalizePhone(s);
    if (!n) throw new DeskError('bad_target', `"${t}" is neither a seat nor a phone number`, 400, 'target');
    const now = new Date(this.now());
    if (this.deps.campaigns.dnc.active(n, now)) throw new DeskError('dnc', 'the number is on the do-not-call list', 409, 'target');
    const d = this.deps.destination(n, null);
    return `${d.number}@${d.context}`;
  }

  async transfer(agentId: number, target: string, mode: 'blind' | 'attended', actor: Actor): Promise<DeskState> {
    const { seat, c } = this.current(agentId);
    if (c.consult || c.conference) throw new DeskError('busy', 'end the consultation or conference first', 409);
    const dest = this.target(target);
    if (mode === 'blind') {
      const legs = c.held && c.customerChannel ? await this.control.legs(seat, { agent: c.agentChannel ?? undefined, customer: c.customerChannel }) : await this.legsOf(seat, c);
      await this.control.blindTransfer(legs, dest);
    } else {
      if (c.held) {
        // Customer already held: the parked agent leg dials the target.
        const legs = await this.control.legs(seat, { agent: c.agentChannel ?? undefined, customer: c.customerChannel ?? undefined });
        await this.control.consult({ ...legs, customer: legs.customer }, dest);
      } else await this.control.consult(await this.legsOf(seat, c), dest);
      c.held = true;
      c.consult = { target: target.trim(), state: 'ringing' };
    }
    this.deps.audit.write({ ...actor, action: mode === 'blind' ? 'desk.transfer_blind' : 'desk.consult', target: `agent:${agentId}`, detail: { linkedid: c.linkedid, to: target.trim() } });
    this.push(agentId);
    return this.build(agentId);
  }

  async completeTransfer(agentId: number, actor: Actor): Promise<DeskState> {
    const { c } = this.current(agentId);
    if (!c.consult || !c.agentChannel || !c.customerChannel) throw new DeskError('no_consult', 'there is no consultation call to complete', 409);
    const to = c.consult.target;
    const agentChannel = c.agentChannel;
    const target = await settle(() => this.control.consultTarget(agentChannel));
    if (!target) throw new DeskError('consult_not_answered', 'the consultation call is not answered yet', 409);
    // The agent's consultation Dial ends as the target is taken over (consult_end may arrive meanwhile).
    await this.control.completeTransfer(c.agentChannel, c.customerChannel, target.uniqueid);
    this.deps.audit.write({ ...actor, action: 'desk.transfer_attended', target: `agent:${agentId}`, detail: { linkedid: c.linkedid, to } });
    return this.build(agentId);
  }

  async cancelTransfer(agentId: number, actor: Actor): Promise<DeskState> {
    const { c } = this.current(agentId);
    if (!c.consult || !c.agentChannel || !c.customerUniqueid) throw new DeskError('no_consult', 'there is no consultation call to cancel', 409);
    await this.control.unhold(c.agentChannel, c.customerUniqueid);
    c.consult = null;
    c.held = false;
    this.deps.audit.write({ ...actor, action: 'desk.consult_cancelled', target: `agent:${agentId}`, detail: { linkedid: c.linkedid } });
    this.push(agentId);
    return this.build(agentId);
  }

  /**
   * Conference: with a consultation under way the held customer joins it (three parties);
   * without one, the target is called first (the UI then calls conference again to join).
   */
  async conference(agentId: number, target: string | undefined, actor: Actor): Promise<DeskState> {
    const { seat, c } = this.current(agentId);
    if (c.conference) throw new DeskError('already_conference', 'the conference is on already', 409);
    if (!c.consult) {
      if (!target) throw new DeskError('validation', 'give the target to call into the conference', 400, 'target');
      await this.transfer(agentId, target, 'attended', actor);
      return this.build(agentId);
    }
    if (!c.agentChannel || !c.customerChannel) throw new DeskError('no_call', 'the call legs are unknown', 409);
    const agentChannel = c.agentChannel;
    const agentLeg = await settle(async () => (await this.control.channels()).find((x) => x.channel === agentChannel && x.bridgeId !== ''));
    if (!agentLeg?.bridgeId) throw new DeskError('consult_not_answered', 'the consultation call is not answered yet', 409);
    await this.control.joinConference(c.customerChannel, agentLeg.uniqueid);
    c.conference = true;
    c.held = false;
    c.consult = null;
    this.deps.audit.write({ ...actor, action: 'desk.conference', target: `agent:${agentId}`, detail: { linkedid: c.linkedid, seat } });
    this.push(agentId);
    return this.build(agentId);
  }

  // ---- disposition ------------------------------------------------------------------------

  /**
   * Saves the disposition of the agent's open wrap-up (or the call under way): lead outcome
   * (callback scheduled), notes, SMS hook; ends the hold.
   */
  dispose(agentId: number, input: DispositionInput, actor: Actor): DeskState {
    const w = this.deps.holds.pending(agentId);
    if (!w) throw new DeskError('nothing_to_dispose', 'there is no call waiting for a disposition', 409);
    const now = new Date(this.now());
    const lead = w.lead_id !== null ? this.deps.campaigns.queue.lead(w.lead_id) : null;
    const campaign = (lead ? this.deps.campaigns.campaigns.get(lead.campaign_id) : w.campaign_id !== null ? this.deps.campaigns.campaigns.get(w.campaign_id) : this.chosenCampaign(agentId) !== null ? this.deps.campaigns.campaigns.get(this.chosenCampaign(agentId)!) : undefined) ?? null;
    const disp = checkDisposition(campaign, input, now);
    const callbackAt = disp.callback ? new Date(input.callbackAt!) : null;
    if (lead) {
      try {
        this.deps.campaigns.queue.record(
          lead.id,
          { outcome: 'connected', disposition: input.disposition, callbackAt, callbackScope: input.callbackScope ?? 'personal', agentId, linkedid: w.linkedid, source: 'agent', actor: actor.username ?? null },
          now,
        );
      } catch (err) {
        if (err instanceof CampaignError) throw new DeskError(err.code, err.message, err.status, err.field);
        throw err;
      }
    }
    this.deps.db
      .prepare('INSERT INTO desk_notes (at, agent_id, user_id, linkedid, lead_id, campaign_id, number, disposition, notes, callback_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(now.toISOString(), agentId, actor.userId ?? null, w.linkedid, lead?.id ?? null, campaign?.id ?? null, w.number, input.disposition, input.notes ?? '', callbackAt?.toISOString() ?? null);
    this.deps.holds.done(w.id, now.toISOString(), input.disposition);
    if (lead && campaign && this.sms) {
      try {
        this.sms.afterDisposition({ leadId: lead.id, campaignId: campaign.id, disposition: input.disposition, agentId, at: now });
      } catch (err) {
        this.log.warn({ err, leadId: lead.id }, 'after-call SMS hook failed');
      }
    }
    this.deps.audit.write({ ...actor, action: 'desk.disposition', target: lead ? `lead:${lead.id}` : `agent:${agentId}`, detail: { linkedid: w.linkedid, disposition: input.disposition, callbackAt: callbackAt?.toISOString() ?? null, notes: (input.notes ?? '').length > 0 } });
    const d = this.desk(agentId);
    if (d.call && d.call.linkedid === w.linkedid && d.call.endedAt !== null) d.call = null;
    this.deps.agents.engine.releaseWrapUp(agentId);
    this.armOverdue(agentId);
    this.push(agentId);
    return this.build(agentId);
  }

  // ---- statistics -------------------------------------------------------------------------

  stats(agentId: number): DeskStats {
    const cid = this.chosenCampaign(agentId);
    const c = cid !== null ? this.deps.campaigns.campaigns.get(cid) : undefined;
    const targets: DayTargets | null = c?.settings.targets ?? null;
    return dayStats(this.deps.db, agentId, new Date(this.now()), { tz: c?.settings.hours.timezone ?? DEFAULT_STATS_TZ, targets });
  }
}

/**
 * The disposition rules: the code must be one of the campaign's; a callback disposition needs
 * callbackAt in the future and within the campaign's calling hours. Returns the disposition's flags.
 */
export function checkDisposition(campaign: Campaign | null, input: DispositionInput, now: Date): { callback: boolean } {
  if (!campaign) {
    if (input.callbackAt) throw new DeskError('no_campaign', 'a callback needs a lead of a campaign', 400, 'callbackAt');
    return { callback: false };
  }
  const d = campaign.settings.dispositions.find((x) => x.code === input.disposition);
  if (!d) throw new DeskError('unknown_disposition', `disposition "${input.disposition}" is not configured for campaign "${campaign.name}" (use one of: ${campaign.settings.dispositions.map((x) => x.code).join(', ')})`, 400, 'disposition');
  if (!d.callback) {
    if (input.callbackAt) throw new DeskError('callback_not_allowed', `disposition "${d.code}" does not schedule a callback; leave callbackAt out or pick a callback disposition`, 400, 'callbackAt');
    return { callback: false };
  }
  if (!input.callbackAt) throw new DeskError('callback_required', `disposition "${d.code}" schedules a callback: callbackAt (date and time) is required`, 400, 'callbackAt');
  const at = new Date(input.callbackAt);
  if (Number.isNaN(at.getTime())) throw new DeskError('bad_callback', `callbackAt "${input.callbackAt}" is not a date and time`, 400, 'callbackAt');
  if (at.getTime() <= now.getTime()) throw new DeskError('callback_in_past', 'callbackAt must lie in the future', 400, 'callbackAt');
  const h = hoursState(campaign.settings.hours, at);
  if (!h.open) {
    const tz = campaign.settings.hours.timezone;
    throw new DeskError('callback_outside_hours', `callbackAt ${localDateTime(at, tz)} (${tz}) is outside the calling hours of campaign "${campaign.name}"${h.opensAt ? `; next opening ${localDateTime(h.opensAt, tz)}` : ''}`, 400, 'callbackAt');
  }
  return { callback: true };
}
