// Lead rows and what each role may see of them. Full numbers only to roles that need them
// (see docs/leads.md "Masking"); enforced when the API builds its answer, not in the UI.
import type { Role } from '../http/schemas.js';

export interface LeadRow {
  id: number;
  campaign_id: number;
  list_id: number;
  source_line: number;
  phone: string | null;
  phone_kind: string | null;
  area_code: string | null;
  extension: string | null;
  name: string | null;
  fields_json: string;
  status: string;
  attempts: number;
  last_outcome: string | null;
  last_attempt_at: string | null;
  next_due_at: string | null;
  created_at: string;
  destroyed_at: string | null;
  custody: 'imported' | 'received' | 'team' | 'agent';
  team: string | null;
  agent_id: number | null;
  claimed_by: string | null;
  claimed_at: string | null;
  disposition: string | null;
  callback_at: string | null;
  callback_scope: 'personal' | 'team' | null;
  callback_reminded: number;
}

export interface LeadView {
  id: number;
  campaignId: number;
  listId: number;
  sourceLine: number;
  phone: string | null;
  masked: boolean;
  phoneKind: string | null;
  extension: string | null;
  name: string | null;
  fields: Record<string, unknown>;
  status: string;
  custody: string;
  team: string | null;
  agentId: number | null;
  claimedBy: string | null;
  attempts: number;
  lastOutcome: string | null;
  lastAttemptAt: string | null;
  nextDueAt: string | null;
  disposition: string | null;
  callbackAt: string | null;
  callbackScope: string | null;
}

/** 13812345678 → 138****5678; landlines keep area code and the last 2 digits. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  if (phone.length >= 11) return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  if (phone.length >= 7) return `${phone.slice(0, phone.startsWith('0') ? 3 : 2)}****${phone.slice(-2)}`;
  return '****';
}

/** 张伟 → 张*; Zhang Wei → Z*** */
export function maskName(name: string | null): string | null {
  if (!name) return name;
  const chars = [...name];
  return chars[0] + '*'.repeat(Math.min(3, Math.max(1, chars.length - 1)));
}

/** Roles that always see full numbers: they buy, check and administer the data. */
export const FULL_NUMBER_ROLES: Role[] = ['admin', 'manager', 'data_manager'];

export interface Viewer {
  roles: Role[];
  /** The viewer's agent id (agents.user_id), if any. */
  agentId: number | null;
}

/**
 * Full number or masked. An agent sees the full number only of the lead they hold (claimed)
 * in preview/manual mode, where they dial it themselves; in progressive/predictive mode the
 * dialer dials and the agent sees it masked. Team leads, QA and trainers see masked numbers.
 */
export function seesFullNumber(viewer: Viewer, lead: Pick<LeadRow, 'claimed_by'>, dialMode: string): boolean {
  if (viewer.roles.some((r) => FULL_NUMBER_ROLES.includes(r))) return true;
  if (viewer.roles.includes('agent') && viewer.agentId !== null && dialMode === 'preview' && lead.claimed_by === `agent:${viewer.agentId}`) return true;
  return false;
}

export function toView(r: LeadRow, full: boolean): LeadView {
  let fields: Record<string, unknown> = {};
  try {
    fields = JSON.parse(r.fields_json) as Record<string, unknown>;
  } catch {
    fields = {};
  }
  return {
    id: r.id,
    campaignId: r.campaign_id,
    listId: r.list_id,
    sourceLine: r.source_line,
    phone: full ? r.phone : maskPhone(r.phone),
    masked: !full,
    phoneKind: r.phone_kind,
    extension: full ? r.extension : r.extension ? '***' : null,
    name: full ? r.name : maskName(r.name),
    fields,
    status: r.status,
    custody: r.custody,
    team: r.team,
    agentId: r.agent_id,
    claimedBy: r.claimed_by,
    attempts: r.attempts,
    lastOutcome: r.last_outcome,
    lastAttemptAt: r.last_attempt_at,
    nextDueAt: r.next_due_at,
    disposition: r.disposition,
    callbackAt: r.callback_at,
    callbackScope: r.callback_scope,
  };
}
