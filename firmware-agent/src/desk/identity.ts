// Customer identity check (issue 8): before sensitive lead fields show on the desk, the agent
// asks the caller's name and resident ID number and the server compares them with the record.
// Misses per call are limited (campaign setting identity.maxAttempts), then the check locks
// for that call. Every attempt is a row (never the typed values); misses also go to the audit
// log. Answers never contain the stored values: only which part did not match.
import type { AuditLog } from '../audit/audit-log.js';
import type { CampaignStore } from '../campaigns/campaign-store.js';
import { defaultIdentity, type IdentitySettings } from './form-settings.js';
import type { IdentityGate, IdentityStatus } from './contract.js';
import type { Db } from '../db/database.js';

export class DeskRecordsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly field?: string,
    readonly issues?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** Full-width → half-width, spaces out, upper-case X. */
export function normaliseIdNumber(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** The GB 11643-1999 check character of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/**
 * Why a resident ID number is not valid, or null: 18 characters (17 digits + check digit or X,
 * the checksum of GB 11643-1999 and a real birth date), or an old 15-digit number (taken as is).
 */
export function idNumberProblem(raw: string): string | null {
  const s = normaliseIdNumber(raw);
  if (/^\d{15}$/.test(s)) return null;
  if (s.length !== 18) return `an ID number has 18 characters (or 15 digits for an old one), this one has ${s.length}`;
  if (!/^\d{17}[\dX]$/.test(s)) return 'an ID number is 17 digits followed by a digit or X';
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return `the birth date ${s.slice(6, 14)} in the ID number is not a real date`;
  if (idCheckChar(s.slice(0, 17)) !== s[17]) return 'the check digit does not match (a digit was mistyped?)';
  return null;
}

/** Names as people type them: NFKC (full-width → half-width), spaces out, one middle dot, case-free. */
export function normaliseName(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s\u200b]+/g, '')
    .replace(/[·•・‧∙⋅]/g, '·')
    .toLowerCase();
}

export interface VerifyInput {
  linkedid: string;
  leadId: number;
  agentId: number | null;
  userId: number | null;
  username: string | null;
  name: string;
  idNumber: string;
  ip?: string | null;
}

export type Mismatch = 'name' | 'id' | 'both';

export interface VerifyResult {
  result: 'verified' | 'mismatch' | 'failed';
  /** which part did not match (never the stored value) */
  mismatch: Mismatch | null;
  status: IdentityStatus;
  /** the sensitive fields, once verified */
  revealed: Record<string, unknown> | null;
}

interface LeadBits {
  id: number;
  campaign_id: number;
  name: string | null;
  fields_json: string;
  destroyed_at: string | null;
}

export class IdentityChecks implements IdentityGate {
  constructor(
    private readonly db: Db,
    private readonly campaigns: CampaignStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  settings(campaignId: number | null): IdentitySettings {
    if (campaignId === null) return defaultIdentity();
    return this.campaigns.get(campaignId)?.settings.identity ?? defaultIdentity();
  }

  sensitiveFields(campaignId: number | null): string[] {
    if (campaignId === null) return [];
    return [...(this.campaigns.get(campaignId)?.settings.identity.sensitiveFields ?? [])];
  }

  private lead(leadId: number): LeadBits | undefined {
    return this.db.prepare<[number], LeadBits>('SELECT id, campaign_id, name, fields_json, destroyed_at FROM leads WHERE id = ?').get(leadId);
  }

  status(linkedid: string, leadId: number | null): IdentityStatus {
    const lead = leadId === null ? undefined : this.lead(leadId);
    const s = this.settings(lead?.campaign_id ?? null);
    if (!lead || !s.sensitiveFields.length) return { status: 'not_required', attempts: 0, maxAttempts: s.maxAttempts };
    const r = this.db
      .prepare<[string, number], { verified: number; misses: number }>(`SELECT coalesce(sum(result = 'verified'), 0) AS verified, coalesce(sum(result = 'mismatch'), 0) AS misses FROM identity_checks WHERE linkedid = ? AND lead_id = ?`)
      .get(linkedid, lead.id)!;
    if (r.verified > 0) return { status: 'verified', attempts: r.misses + 1, maxAttempts: s.maxAttempts };
    if (r.misses >= s.maxAttempts) return { status: 'failed', attempts: r.misses, maxAttempts: s.maxAttempts };
    return { status: 'unverified', attempts: r.misses, maxAttempts: s.maxAttempts };
  }

  /** The sensitive field values of a lead (only for a verified call; the caller checks). */
  revealed(leadId: number): Record<string, unknown> {
    const lead = this.lead(leadId);
    if (!lead) return {};
    const fields = parseFields(lead.fields_json);
    const out: Record<string, unknown> = {};
    for (const f of this.sensitiveFields(lead.campaign_id)) if (f in fields) out[f] = fields[f];
    return out;
  }

  verify(v: VerifyInput): VerifyResult {
    const lead = this.lead(v.leadId);
    if (!lead) throw new DeskRecordsError('not_found', `no lead ${v.leadId}`, 404, 'leadId');
    if (lead.destroyed_at) throw new DeskRecordsError('destroyed', `the personal data of lead ${v.leadId} was destroyed`, 409, 'leadId');
    if (!v.name.trim()) throw new DeskRecordsError('invalid_name', 'name: enter the name the caller gives', 400, 'name');
    const idProblem = idNumberProblem(v.idNumber);
    // A mistyped ID (bad format or checksum) is the agent's typo, not the caller's answer: no attempt is used.
    if (idProblem) throw new DeskRecordsError('invalid_id_number', `idNumber: ${idProblem}`, 400, 'idNumber');
    const s = this.settings(lead.campaign_id);
    const current = this.status(v.linkedid, lead.id);
    if (current.status === 'not_required') return { result: 'verified', mismatch: null, status: current, revealed: this.revealed(lead.id) };
    if (current.status === 'verified') return { result: 'verified', mismatch: null, status: current, revealed: this.revealed(lead.id) };
    const at = this.now().toISOString();
    const row = this.db.prepare('INSERT INTO identity_checks (at, linkedid, lead_id, campaign_id, agent_id, user_id, username, result, mismatch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const auditBase = { userId: v.userId, username: v.username, target: `lead:${lead.id}`, ip: v.ip ?? null };
    if (current.status === 'failed') {
      row.run(at, v.linkedid, lead.id, lead.campaign_id, v.agentId, v.userId, v.username, 'locked', null);
      this.audit.write({ ...auditBase, action: 'identity.locked_attempt', detail: { linkedid: v.linkedid, attempts: current.attempts } });
      return { result: 'failed', mismatch: null, status: current, revealed: null };
    }
    const fields = parseFields(lead.fields_json);
    const stored = fields[s.idField];
    if (stored === undefined || stored === null || String(stored).trim() === '') {
      throw new DeskRecordsError('no_reference', `the record has no "${s.idField}" to compare with; the identity cannot be checked`, 409, 'idNumber');
    }
    const nameOk = !!lead.name && normaliseName(lead.name) === normaliseName(v.name);
    const idOk = normaliseIdNumber(String(stored)) === normaliseIdNumber(v.idNumber);
    if (nameOk && idOk) {
      row.run(at, v.linkedid, lead.id, lead.campaign_id, v.agentId, v.userId, v.username, 'verified', null);
      this.audit.write({ ...auditBase, action: 'identity.verified', detail: { linkedid: v.linkedid, attempt: current.attempts + 1 } });
      return { result: 'verified', mismatch: null, status: this.status(v.linkedid, lead.id), revealed: this.revealed(lead.id) };
    }
    const mismatch: Mismatch = !nameOk && !idOk ? 'both' : !nameOk ? 'name' : 'id';
    row.run(at, v.linkedid, lead.id, lead.campaign_id, v.agentId, v.userId, v.username, 'mismatch', mismatch);
    const after = this.status(v.linkedid, lead.id);
    this.audit.write({ ...auditBase, action: after.status === 'failed' ? 'identity.failed' : 'identity.mismatch', detail: { linkedid: v.linkedid, mismatch, attempt: after.attempts, maxAttempts: after.maxAttempts } });
    return { result: after.status === 'failed' ? 'failed' : 'mismatch', mismatch, status: after, revealed: null };
  }

  /** The attempts of a call (or of a lead), newest first. */
  log(q: { linkedid?: string; leadId?: number; limit?: number }): Array<{ id: number; at: string; linkedid: string; leadId: number; agentId: number | null; username: string | null; result: string; mismatch: string | null }> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.linkedid) (where.push('linkedid = ?'), args.push(q.linkedid));
    if (q.leadId) (where.push('lead_id = ?'), args.push(q.leadId));
    return this.db
      .prepare(`SELECT id, at, linkedid, lead_id AS leadId, agent_id AS agentId, username, result, mismatch FROM identity_checks ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`)
      .all(...args, q.limit ?? 200) as never;
  }
}

export function parseFields(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
