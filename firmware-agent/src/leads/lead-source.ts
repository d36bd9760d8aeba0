// The contract between the lead queue (leads/, campaigns/) and the dialer (dialer/): the dialer
// asks for numbers to dial and reports what happened; every calling rule (hours, retries, DNC,
// caps, custody) stays on the lead side, so the dialer never has to know them.
// Implemented by LeadQueue (leads/lead-queue.ts), available as `agent.campaigns.queue`; see
// docs/leads.md "Dialer contract". A 'connected' outcome with detail.agentId hands the lead to
// that agent, who records the disposition (POST /leads/:id/outcome).

/** A lead handed to the dialer: reserved for it until an outcome is recorded or it is released. */
export interface DialableLead {
  leadId: number;
  campaignId: number;
  /** Normalised national number (digits only), as dialled. */
  phone: string;
  extension: string | null;
  /** 1 for the first attempt. */
  attempt: number;
}

/** What became of one dial (AMD-suspected answers are 'machine'). */
export type DialOutcome = 'connected' | 'dropped' | 'busy' | 'no_answer' | 'unreachable' | 'failed' | 'machine';

/** Why a campaign places no calls right now (shown on the campaign page). */
export type NotDialingReason =
  | 'campaign_not_active'
  | 'outside_calling_hours'
  | 'no_leads_due'
  | 'no_ready_agents'
  | 'drop_cap_reached'
  | 'trunks_full';

export interface LeadSource {
  /** Up to `n` leads due now, each reserved for the dialer (no agent or other dial gets it). */
  reserve(campaignId: number, n: number, now: Date): DialableLead[];
  /** Give a reserved lead back undialled. */
  release(leadId: number): void;
  /** The dial's result: attempts, retry scheduling, DNC and caps are applied by the lead side. */
  recordOutcome(leadId: number, outcome: DialOutcome, at: Date, detail?: { agentId?: number; linkedid?: string }): void;
  /** Lead-side reason not to dial (hours, nothing due, campaign state), or null when leads are due. */
  notDialingReason(campaignId: number, now: Date): NotDialingReason | null;
}
