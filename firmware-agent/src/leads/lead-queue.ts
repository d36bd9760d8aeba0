// The lead queue: which lead to dial next, and why any lead is or is not due. Honours campaign
// status, custody, the work lock (no customer worked by two at once), do-not-call, the consent
// gate, the daily cap, callbacks (first), retry waits and calling hours. Also the LeadSource the
// dialer uses (reserve/release/recordOutcome/notDialingReason), and agents' outcomes.
// Every function takes `now`: tests run it on a fixed clock.
import type { Db } from '../db/database.js';
import { CampaignError, type Campaign, type CampaignStore } from '../campaigns/campaign-store.js';
import { hoursState, localDateTime, localDay, localTime } from '../campaigns/calling-hours.js';
import { RETRY_OUTCOMES, type RetryOutcome } from '../campaigns/settings.js';
import { addMonths, type DncStore } from '../dnc/dnc-store.js';
import type { DialableLead, DialOutcome, LeadSource, NotDialingReason } from './lead-source.js';
import type { LeadRow } from './lead-view.js';

export type WhyCode =
  | 'due'
  | 'callback_due'
  | 'destroyed'
  | 'campaign_not_active'
  | 'final'
  | 'exhausted'
  | 'dnc_status'
  | 'not_handed_over'
  | 'other_agent'
  | 'other_team'
  | 'claimed'
  | 'dnc'
  | 'no_consent'
  | 'daily_cap'
  | 'callback_scheduled'
  | 'retry_wait'
  | 'recontact_wait'
  | 'outside_hours';

/** Why a lead is (not) due: a code + parameters for the UI's translation, and English text. */
export interface Why {
  due: boolean;
  code: WhyCode;
  params: Record<string, string | number>;
  message: string;
  /** When it becomes due (if known). */
  dueAt: string | null;
}

/** Whose queue: an agent (preview "next lead for me") or the dialer (all handed-down leads). */
export type Perspective = { kind: 'agent'; agentId: number; team: string | null } | { kind: 'dialer' } | { kind: 'overview' };

export const OPEN_STATUSES = ['new', 'retry', 'callback', 'recontact'] as const;
const CLAIM_DIALER = 'dialer';
const claimOf = (agentId: number) => `agent:${agentId}`;

export interface OutcomeInput {
  outcome: DialOutcome;
  disposition?: string | null;
  callbackAt?: Date | null;
  callbackScope?: 'personal' | 'team';
  agentId?: number | null;
  linkedid?: string | null;
  source: 'agent' | 'dialer';
  actor?: string | null;
}

export class LeadQueue implements LeadSource {
  constructor(
    private readonly db: Db,
    private readonly campaigns: CampaignStore,
    private readonly dnc: DncStore,
    /** Called after a refusal put a number on the DNC list (for the audit log; no number in it). */
    private readonly onDnc: (leadId: number, campaignId: number, until: string) => void = () => undefined,
  ) {}

  lead(id: number): LeadRow | null {
    return this.db.prepare<[number], LeadRow>('SELECT * FROM leads WHERE id = ?').get(id) ?? null;
  }

  requireLead(id: number): LeadRow {
    const l = this.lead(id);
    if (!l) throw new CampaignError('not_found', `no lead ${id}`, 404);
    return l;
  }

  attemptsToday(leadId: number, day: string): number {
    return (this.db.prepare('SELECT count(*) AS n FROM lead_attempts WHERE lead_id = ? AND local_day = ? AND counts = 1').get(leadId, day) as { n: number }).n;
  }

  /** Why this lead is or is not due now, from the given perspective. */
  explain(lead: LeadRow, now: Date, p: Perspective = { kind: 'overview' }, campaign: Campaign = this.campaigns.require(lead.campaign_id)): Why {
    const s = campaign.settings;
    const tz = s.hours.timezone;
    const t = (d: string | Date) => localTime(typeof d === 'string' ? new Date(d) : d, tz);
    const dt = (d: string | Date) => localDateTime(typeof d === 'string' ? new Date(d) : d, tz);
    const no = (code: WhyCode, message: string, params: Why['params'] = {}, dueAt: string | null = null): Why => ({ due: false, code, params, message, dueAt });
    if (lead.destroyed_at || !lead.phone) return no('destroyed', 'personal data destroyed');
    if (campaign.status !== 'active') return no('campaign_not_active', `campaign is ${campaign.status}`, { status: campaign.status });
    if (lead.status === 'done') return no('final', `finished (${lead.disposition ?? 'final disposition'})`, { disposition: lead.disposition ?? '' });
    if (lead.status === 'exhausted') return no('exhausted', `no attempts left (${lead.attempts} made, last ${lead.last_outcome ?? '-'})`, { attempts: lead.attempts, outcome: lead.last_outcome ?? '' });
    if (lead.status === 'dnc') return no('dnc_status', 'customer refused: do not call', {});
    if (lead.custody === 'imported' || lead.custody === 'received') return no('not_handed_over', lead.custody === 'imported' ? 'not yet received by the data manager' : 'not yet handed to a team', { custody: lead.custody });
    const teamCallback = lead.status === 'callback' && lead.callback_scope === 'team';
    if (p.kind === 'agent') {
      if (teamCallback) {
        if (lead.team !== p.team) return no('other_team', `team ${lead.team ?? '-'}'s lead`, { team: lead.team ?? '' });
      } else if (lead.custody !== 'agent') return no('not_handed_over', 'in the team pool: not yet handed to an agent', { custody: lead.custody });
      else if (lead.agent_id !== p.agentId) return no('other_agent', `handed to agent ${lead.agent_id}`, { agentId: lead.agent_id ?? 0 });
    }
    if (lead.claimed_by && !(p.kind === 'agent' && lead.claimed_by === claimOf(p.agentId))) {
      return no('claimed', lead.claimed_by === CLAIM_DIALER ? 'being dialled' : `being worked by ${lead.claimed_by.replace('agent:', 'agent ')}`, { by: lead.claimed_by, since: lead.claimed_at ? t(lead.claimed_at) : '' });
    }
    const block = this.dnc.active(lead.phone, now);
    if (block) {
      const until = block.expiresAt ? dt(block.expiresAt).slice(0, 10) : '';
      return no('dnc', block.expiresAt ? `on do-not-call list until ${until} (${block.reason})` : `on do-not-call list (${block.reason})`, { until, reason: block.reason }, block.expiresAt);
    }
    if (s.consentGate && !this.db.prepare('SELECT 1 FROM campaign_consent WHERE campaign_id = ? AND phone = ?').get(campaign.id, lead.phone)) {
      return no('no_consent', 'not on the campaign\'s consent list', {});
    }
    const today = localDay(now, tz);
    const made = this.attemptsToday(lead.id, today);
    if (made >= s.dailyAttemptCap) {
      const opens = this.nextDayOpening(campaign, now);
      return no('daily_cap', `daily cap reached (${made} of ${s.dailyAttemptCap} attempts today); next ${opens ? dt(opens) : 'day'}`, { made, cap: s.dailyAttemptCap, next: opens ? dt(opens) : '' }, opens?.toISOString() ?? null);
    }
    if (lead.status === 'callback' && lead.callback_at && lead.callback_at > now.toISOString()) {
      return no('callback_scheduled', `${lead.callback_scope ?? 'personal'} callback at ${dt(lead.callback_at)}`, { at: dt(lead.callback_at), scope: lead.callback_scope ?? 'personal' }, lead.callback_at);
    }
    if (lead.next_due_at && lead.next_due_at > now.toISOString()) {
      if (lead.status === 'retry' && lead.last_outcome && (RETRY_OUTCOMES as readonly string[]).includes(lead.last_outcome)) {
        const rule = s.retries[lead.last_outcome as RetryOutcome];
        return no(
          'retry_wait',
          `next attempt after ${t(lead.next_due_at)} (${lead.last_outcome}, retry in ${rule.afterMinutes} min, attempt ${lead.attempts + 1} of ${rule.maxAttempts})`,
          { at: t(lead.next_due_at), outcome: lead.last_outcome, after: rule.afterMinutes, attempt: lead.attempts + 1, max: rule.maxAttempts },
          lead.next_due_at,
        );
      }
      return no('recontact_wait', `call again after ${dt(lead.next_due_at)} (${lead.disposition ?? lead.last_outcome ?? ''})`, { at: dt(lead.next_due_at), disposition: lead.disposition ?? '' }, lead.next_due_at);
    }
    const hours = hoursState(s.hours, now);
    if (!hours.open) {
      const opens = hours.opensAt;
      const sameDay = opens && localDay(opens, tz) === today;
      return no('outside_hours', opens ? `outside calling hours: opens ${sameDay ? t(opens) : dt(opens)}${hours.holiday ? ' (holiday)' : ''}` : 'outside calling hours: no window configured', { opens: opens ? (sameDay ? t(opens) : dt(opens)) : '', holiday: hours.holiday ? 1 : 0 }, opens?.toISOString() ?? null);
    }
    if (lead.status === 'callback') return { due: true, code: 'callback_due', params: { at: lead.callback_at ? dt(lead.callback_at) : '', scope: lead.callback_scope ?? 'personal' }, message: `callback due since ${lead.callback_at ? dt(lead.callback_at) : 'now'}`, dueAt: now.toISOString() };
    return { due: true, code: 'due', params: { attempt: lead.attempts + 1 }, message: lead.attempts === 0 ? 'due now (first attempt)' : `due now (attempt ${lead.attempts + 1})`, dueAt: now.toISOString() };
  }

  /** First opening on a later local day (daily cap resets at local midnight). */
  private nextDayOpening(c: Campaign, now: Date): Date | null {
    const tz = c.settings.hours.timezone;
    const today = localDay(now, tz);
    // Step an hour at a time to the next local day, then ask for the next window from there.
    let probe = new Date(now.getTime());
    for (let i = 0; i < 26 && localDay(probe, tz) === today; i++) probe = new Date(probe.getTime() + 3600_000);
    probe = new Date(probe.getTime() - (probe.getTime() % 3600_000));
    while (localDay(new Date(probe.getTime() - 60_000), tz) !== today && probe.getTime() > now.getTime()) probe = new Date(probe.getTime() - 60_000);
    const s = hoursState(c.settings.hours, probe);
    return s.open ? probe : s.opensAt;
  }

  /**
   * Candidate leads (due by the SQL-checkable rules), in queue order: callbacks due first, then
   * retries/recontacts due, then new leads. One query per phase, each walking an index in queue
   * order and stopping at the limit (110,000-lead campaigns stay fast).
   */
  private candidates(c: Campaign, now: Date, p: Perspective, limit: number): LeadRow[] {
    const s = c.settings;
    const common: string[] = [
      'l.campaign_id = @c',
      'l.phone IS NOT NULL',
      'l.claimed_by IS NULL',
      'NOT EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.phone = l.phone AND (d.expires_at IS NULL OR d.expires_at > @now))',
      '(SELECT count(*) FROM lead_attempts a WHERE a.lead_id = l.id AND a.local_day = @day AND a.counts = 1) < @cap',
      // One customer is never worked twice at once, even across campaigns.
      'NOT EXISTS (SELECT 1 FROM leads o WHERE o.phone = l.phone AND o.claimed_by IS NOT NULL)',
    ];
    if (s.consentGate) common.push('EXISTS (SELECT 1 FROM campaign_consent k WHERE k.campaign_id = l.campaign_id AND k.phone = l.phone)');
    const params: Record<string, unknown> = { c: c.id, now: now.toISOString(), day: localDay(now, s.hours.timezone), cap: s.dailyAttemptCap };
    let mine = `l.custody IN ('team', 'agent')`;
    let callbacks = mine;
    if (p.kind === 'agent') {
      mine = `l.custody = 'agent' AND l.agent_id = @agent`;
      callbacks = `((l.callback_scope = 'team' AND l.team = @team) OR (l.callback_scope IS NOT 'team' AND l.custody = 'agent' AND l.agent_id = @agent))`;
      params.agent = p.agentId;
      params.team = p.team;
    }
    // The planner tends to pick leads_custody (one agent's leads among 110,000) and sort; the
    // queue indexes walk exactly the phase's rows in order.
    const byIndex = p.kind === 'agent' ? 'INDEXED BY leads_agent_queue' : 'INDEXED BY leads_due';
    const phases: Array<[string, string]> = [
      ['INDEXED BY leads_callbacks', `l.status = 'callback' AND l.callback_at <= @now AND ${callbacks} ORDER BY l.callback_at, l.id`],
      [byIndex, `l.status IN ('retry', 'recontact') AND l.next_due_at <= @now AND ${mine} ORDER BY l.next_due_at, l.id`],
      // New leads have no next_due_at: equality on the index's columns keeps rowid order (no sort).
      [byIndex, `l.status = 'new' AND l.next_due_at IS NULL AND ${mine} ORDER BY l.id`],
    ];
    const out: LeadRow[] = [];
    for (const [hint, phase] of phases) {
      if (out.length >= limit) break;
      const [cond, order] = phase.split(' ORDER BY ') as [string, string];
      out.push(...(this.db.prepare(`SELECT l.* FROM leads l ${hint} WHERE ${common.join(' AND ')} AND ${cond} ORDER BY ${order} LIMIT @n`).all({ ...params, n: limit - out.length }) as LeadRow[]));
    }
    return out;
  }

  /** The queue as a list (for the UI): the next `limit` due leads. */
  due(campaignId: number, now: Date, p: Perspective, limit = 50): LeadRow[] {
    const c = this.campaigns.require(campaignId);
    if (c.status !== 'active' || !hoursState(c.settings.hours, now).open) return [];
    return this.candidates(c, now, p, limit);
  }

  /**
   * Claims the next due lead for an agent, atomically (BEGIN IMMEDIATE: one writer at a time,
   * across processes; the UPDATE re-checks the lock). An agent who already holds a lead gets it back.
   */
  claimNext(campaignId: number, agent: { agentId: number; team: string | null }, now: Date): LeadRow | null {
    const tx = this.db.transaction((): LeadRow | null => {
      const held = this.db.prepare<[number, string], LeadRow>('SELECT * FROM leads WHERE campaign_id = ? AND claimed_by = ?').get(campaignId, claimOf(agent.agentId));
      if (held) return held;
      const c = this.campaigns.require(campaignId);
      if (c.status !== 'active' || !hoursState(c.settings.hours, now).open) return null;
      for (const l of this.candidates(c, now, { kind: 'agent', ...agent }, 5)) {
        if (this.lock(l.id, claimOf(agent.agentId), now)) return this.lead(l.id);
      }
      return null;
    });
    return tx.immediate();
  }

  /** Claims one given lead (preview: the agent picks it from their list). */
  claim(leadId: number, agent: { agentId: number; team: string | null }, now: Date): { lead: LeadRow | null; why: Why } {
    const tx = this.db.transaction(() => {
      const l = this.requireLead(leadId);
      const why = this.explain(l, now, { kind: 'agent', ...agent });
      if (!why.due) return { lead: null, why };
      if (this.db.prepare('SELECT 1 FROM leads WHERE claimed_by = ? AND campaign_id = ?').get(claimOf(agent.agentId), l.campaign_id)) {
        return { lead: null, why: { ...why, due: false, code: 'claimed' as const, message: 'finish your current lead first', params: { by: claimOf(agent.agentId) } } };
      }
      return this.lock(l.id, claimOf(agent.agentId), now) ? { lead: this.lead(l.id), why } : { lead: null, why: this.explain(this.requireLead(leadId), now, { kind: 'agent', ...agent }) };
    });
    return tx.immediate();
  }

  private lock(leadId: number, holder: string, now: Date): boolean {
    return (
      this.db
        .prepare(
          `UPDATE leads SET claimed_by = ?, claimed_at = ? WHERE id = ? AND claimed_by IS NULL
           AND NOT EXISTS (SELECT 1 FROM leads o WHERE o.phone = leads.phone AND o.claimed_by IS NOT NULL)`,
        )
        .run(holder, now.toISOString(), leadId).changes === 1
    );
  }

  /**
   * Gives a held lead back unworked. A connected call whose disposition never came (the agent
   * left, the call dropped) goes back as a recontact due at once, so it is not lost.
   */
  unclaim(leadId: number, holder?: string): boolean {
    const sql = `UPDATE leads SET claimed_by = NULL, claimed_at = NULL,
      next_due_at = CASE WHEN status = 'connected' THEN last_attempt_at ELSE next_due_at END,
      status = CASE WHEN status = 'connected' THEN 'recontact' ELSE status END
      WHERE id = ?${holder ? ' AND claimed_by = ?' : ''}`;
    return this.db.prepare(sql).run(...(holder ? [leadId, holder] : [leadId])).changes === 1;
  }

  /**
   * Records a dial outcome and/or a disposition; schedules the retry, callback or recontact,
   * applies DNC on a refusal, releases the lock (a connected dialer call passes it to the agent).
   */
  record(leadId: number, input: OutcomeInput, at: Date): LeadRow {
    return this.db.transaction(() => {
      const l = this.requireLead(leadId);
      if (l.destroyed_at) throw new CampaignError('destroyed', `lead ${leadId}: personal data destroyed`, 409);
      const c = this.campaigns.require(l.campaign_id);
      const s = c.settings;
      const day = localDay(at, s.hours.timezone);
      const iso = at.toISOString();
      const disp = input.disposition ? s.dispositions.find((d) => d.code === input.disposition) : undefined;
      if (input.disposition && !disp) throw new CampaignError('unknown_disposition', `disposition "${input.disposition}" is not configured for campaign "${c.name}"`, 400, 'disposition');
      if (disp && input.outcome !== 'connected') throw new CampaignError('bad_outcome', 'a disposition needs outcome "connected"', 400, 'outcome');
      // A disposition after the dialer's counted "connected" attempt does not count again.
      const counted = !(disp && l.status === 'connected');
      this.db
        .prepare('INSERT INTO lead_attempts (lead_id, campaign_id, agent_id, at, local_day, outcome, disposition, counts, source, linkedid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(l.id, l.campaign_id, input.agentId ?? null, iso, day, input.outcome, disp?.code ?? null, counted ? 1 : 0, input.source, input.linkedid ?? null);
      const attempts = l.attempts + (counted ? 1 : 0);
      let status = l.status;
      let next: string | null = null;
      let callbackAt: string | null = null;
      let callbackScope: 'personal' | 'team' | null = null;
      let claimedBy: string | null = null;
      let agentId = l.agent_id;
      let custody = l.custody;
      if (input.outcome === 'connected' && !disp) {
        // Connected, disposition to follow: the agent now holds the lead.
        status = 'connected';
        claimedBy = input.agentId ? claimOf(input.agentId) : l.claimed_by;
      } else if (disp) {
        if (disp.dnc) {
          const until = addMonths(at, s.dnc.refusalMonths);
          this.dnc.add({ phone: l.phone!, reason: 'refusal', campaignId: c.id, createdBy: input.actor ?? null, expiresAt: until, now: at });
          this.onDnc(l.id, c.id, until.toISOString());
          status = 'dnc';
        } else if (disp.callback) {
          const when = input.callbackAt ?? new Date(at.getTime() + s.recontactAfterMinutes * 60_000);
          if (when.getTime() <= at.getTime()) throw new CampaignError('bad_callback', 'callback time must lie in the future', 400, 'callbackAt');
          status = 'callback';
          callbackAt = when.toISOString();
          callbackScope = input.callbackScope ?? 'personal';
          // A personal callback stays with the agent who promised it.
          if (callbackScope === 'personal' && input.agentId) {
            agentId = input.agentId;
            custody = 'agent';
          }
        } else if (disp.final) status = 'done';
        else {
          status = 'recontact';
          next = new Date(at.getTime() + s.recontactAfterMinutes * 60_000).toISOString();
        }
      } else {
        const key = (input.outcome === 'connected' ? 'no_answer' : input.outcome) as RetryOutcome;
        const rule = s.retries[key];
        if (attempts >= rule.maxAttempts) status = 'exhausted';
        else {
          status = 'retry';
          next = new Date(at.getTime() + rule.afterMinutes * 60_000).toISOString();
        }
      }
      this.db
        .prepare(
          `UPDATE leads SET status = ?, attempts = ?, last_outcome = ?, last_attempt_at = CASE WHEN ? THEN ? ELSE last_attempt_at END, next_due_at = ?,
             disposition = COALESCE(?, disposition), callback_at = ?, callback_scope = ?, callback_reminded = 0, claimed_by = ?, claimed_at = CASE WHEN ? IS NULL THEN NULL ELSE claimed_at END,
             agent_id = ?, custody = ? WHERE id = ?`,
        )
        .run(status, attempts, input.outcome, counted ? 1 : 0, iso, next, disp?.code ?? null, callbackAt, callbackScope, claimedBy, claimedBy, agentId, custody, l.id);
      return this.requireLead(l.id);
    }).immediate();
  }

  // ---- LeadSource (the dialer's contract) ----

  reserve(campaignId: number, n: number, now: Date): DialableLead[] {
    if (n <= 0) return [];
    return this.db
      .transaction(() => {
        const c = this.campaigns.require(campaignId);
        if (c.status !== 'active' || !hoursState(c.settings.hours, now).open) return [];
        const out: DialableLead[] = [];
        for (const l of this.candidates(c, now, { kind: 'dialer' }, n * 2)) {
          if (out.length >= n) break;
          if (this.lock(l.id, CLAIM_DIALER, now)) out.push({ leadId: l.id, campaignId, phone: l.phone!, extension: l.extension, attempt: l.attempts + 1 });
        }
        return out;
      })
      .immediate();
  }

  release(leadId: number): void {
    this.unclaim(leadId, CLAIM_DIALER);
  }

  recordOutcome(leadId: number, outcome: DialOutcome, at: Date, detail?: { agentId?: number; linkedid?: string }): void {
    this.record(leadId, { outcome, agentId: detail?.agentId ?? null, linkedid: detail?.linkedid ?? null, source: 'dialer' }, at);
  }

  notDialingReason(campaignId: number, now: Date): NotDialingReason | null {
    const c = this.campaigns.get(campaignId);
    if (!c || c.status !== 'active') return 'campaign_not_active';
    if (!hoursState(c.settings.hours, now).open) return 'outside_calling_hours';
    return this.candidates(c, now, { kind: 'dialer' }, 1).length ? null : 'no_leads_due';
  }

  /** Callbacks whose time has come and that were not yet announced (for the reminder frame). */
  takeDueCallbacks(now: Date): LeadRow[] {
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT * FROM leads WHERE status = 'callback' AND callback_at <= ? AND callback_reminded = 0 AND destroyed_at IS NULL`).all(now.toISOString()) as LeadRow[];
      const mark = this.db.prepare('UPDATE leads SET callback_reminded = 1 WHERE id = ?');
      for (const r of rows) mark.run(r.id);
      return rows;
    })();
  }
}
