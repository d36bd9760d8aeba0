// The disposition hold (issue 8): a desktop agent stays in wrap-up after a talked call until the
// disposition is saved. Rows live in desk_wrapups (migrations/0011_desk.sql), so the hold
// survives a restart; the agent engine asks `held()` (EngineOptions.wrapUpHold).
import type { Db } from '../db/database.js';

export type WrapKind = 'dialer' | 'manual' | 'inbound';

export interface WrapRow {
  id: number;
  agent_id: number;
  linkedid: string;
  kind: WrapKind;
  lead_id: number | null;
  campaign_id: number | null;
  number: string | null;
  answered_at: string;
  ended_at: string | null;
  ends_at: string | null;
  done_at: string | null;
  disposition: string | null;
}

export class WrapHolds {
  constructor(private readonly db: Db) {}

  /**
   * Any talked call of this agent still waiting for its disposition. Ended or not: the engine
   * asks at the very moment the call ends, before the desk has seen the end.
   */
  held(agentId: number): boolean {
    if (!this.db.open) return false;
    return !!this.db.prepare('SELECT 1 FROM desk_wrapups WHERE agent_id = ? AND done_at IS NULL LIMIT 1').get(agentId);
  }

  /** A talked desktop call began: its disposition will be required. */
  open(r: { agentId: number; linkedid: string; kind: WrapKind; leadId: number | null; campaignId: number | null; number: string | null; at: string }): void {
    this.db
      .prepare(
        `INSERT INTO desk_wrapups (agent_id, linkedid, kind, lead_id, campaign_id, number, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (agent_id, linkedid) DO UPDATE SET lead_id = coalesce(excluded.lead_id, lead_id), campaign_id = coalesce(excluded.campaign_id, campaign_id), number = coalesce(excluded.number, number)`,
      )
      .run(r.agentId, r.linkedid, r.kind, r.leadId, r.campaignId, r.number, r.at);
  }

  /** The call ended: the wrap-up (and its timer) starts. */
  ended(agentId: number, linkedid: string, at: string, endsAt: string): void {
    this.db.prepare('UPDATE desk_wrapups SET ended_at = ?, ends_at = ? WHERE agent_id = ? AND linkedid = ? AND ended_at IS NULL').run(at, endsAt, agentId, linkedid);
  }

  /** The oldest open wrap-up of an agent (the one the disposition is for; may be the call still going on). */
  pending(agentId: number): WrapRow | null {
    return (this.db.prepare('SELECT * FROM desk_wrapups WHERE agent_id = ? AND done_at IS NULL ORDER BY id LIMIT 1').get(agentId) as WrapRow | undefined) ?? null;
  }

  /** The open row of a call still going on. */
  ofCall(agentId: number, linkedid: string): WrapRow | null {
    return (this.db.prepare('SELECT * FROM desk_wrapups WHERE agent_id = ? AND linkedid = ?').get(agentId, linkedid) as WrapRow | undefined) ?? null;
  }

  done(id: number, at: string, disposition: string | null): void {
    this.db.prepare('UPDATE desk_wrapups SET done_at = ?, disposition = ? WHERE id = ?').run(at, disposition, id);
  }

  /** Open rows whose call is gone without an end seen (restart while talking): end them now. */
  endStale(agentId: number, keepLinkedid: string | null, at: string, endsAt: string): number {
    return this.db
      .prepare('UPDATE desk_wrapups SET ended_at = ?, ends_at = ? WHERE agent_id = ? AND ended_at IS NULL AND done_at IS NULL AND linkedid IS NOT ?')
      .run(at, endsAt, agentId, keepLinkedid).changes;
  }
}
