// Registrations / order entry (注册, issue 8): the agent fills the campaign's configurable form
// (settings.registrationForm) on the desk; the server validates every value against the form
// (required, type, options, min/max, length, phone normalised as in the lead import, resident
// ID checksum) and names each problem by path (`values.quantity`). Stored with agent, lead,
// call and time; cleared of personal data by the campaign's destruction.
import type { AuditLog } from '../audit/audit-log.js';
import type { CampaignStore } from '../campaigns/campaign-store.js';
import type { Db } from '../db/database.js';
import { normalisePhone } from '../leads/import/phone.js';
import type { FormField } from './form-settings.js';
import { DeskRecordsError, idNumberProblem, normaliseIdNumber, parseFields } from './identity.js';
import type { Actor } from './threats.js';

export interface Issue {
  path: string;
  message: string;
}

const TEXT_MAX = 200;
const TEXTAREA_MAX = 2000;

function empty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** Validates and normalises form values; returns the clean values or the problems. */
export function validateValues(fields: FormField[], values: Record<string, unknown>): { values: Record<string, string | number | boolean | null>; issues: Issue[] } {
  const issues: Issue[] = [];
  const out: Record<string, string | number | boolean | null> = {};
  const known = new Set(fields.map((f) => f.key));
  for (const k of Object.keys(values)) if (!known.has(k)) issues.push({ path: `values.${k}`, message: `unknown field "${k}" (not in this campaign's form)` });
  for (const f of fields) {
    const path = `values.${f.key}`;
    const v = values[f.key];
    if (f.type === 'checkbox') {
      if (v !== undefined && v !== null && typeof v !== 'boolean') {
        issues.push({ path, message: 'must be true or false' });
        continue;
      }
      if (f.required && v !== true) issues.push({ path, message: 'must be ticked' });
      out[f.key] = v === true;
      continue;
    }
    if (empty(v)) {
      if (f.required) issues.push({ path, message: 'required' });
      else out[f.key] = null;
      continue;
    }
    switch (f.type) {
      case 'text':
      case 'textarea': {
        if (typeof v !== 'string') {
          issues.push({ path, message: 'must be text' });
          break;
        }
        const max = f.maxLength ?? (f.type === 'text' ? TEXT_MAX : TEXTAREA_MAX);
        const s = v.trim();
        if ([...s].length > max) issues.push({ path, message: `at most ${max} characters (${[...s].length} given)` });
        else out[f.key] = s;
        break;
      }
      case 'number': {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v.normalize('NFKC')) ? Number(v.normalize('NFKC')) : NaN;
        if (!Number.isFinite(n)) issues.push({ path, message: 'must be a number' });
        else if (f.min !== undefined && n < f.min) issues.push({ path, message: `at least ${f.min}` });
        else if (f.max !== undefined && n > f.max) issues.push({ path, message: `at most ${f.max}` });
        else out[f.key] = n;
        break;
      }
      case 'phone': {
        const r = normalisePhone(typeof v === 'number' ? String(v) : typeof v === 'string' ? v : null);
        if (!r.ok) issues.push({ path, message: r.message });
        else out[f.key] = r.extension ? `${r.phone}-${r.extension}` : r.phone;
        break;
      }
      case 'id_number': {
        if (typeof v !== 'string') {
          issues.push({ path, message: 'must be text' });
          break;
        }
        const p = idNumberProblem(v);
        if (p) issues.push({ path, message: p });
        else out[f.key] = normaliseIdNumber(v);
        break;
      }
      case 'date': {
        const s = typeof v === 'string' ? v.trim() : '';
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
        const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
        if (!m || !d || d.toISOString().slice(0, 10) !== s) issues.push({ path, message: 'must be a date YYYY-MM-DD' });
        else out[f.key] = s;
        break;
      }
      case 'select': {
        const s = typeof v === 'string' ? v : String(v);
        if (!f.options?.some((o) => o.value === s)) issues.push({ path, message: `"${s}" is not one of: ${(f.options ?? []).map((o) => o.value).join(', ')}` });
        else out[f.key] = s;
        break;
      }
    }
  }
  return { values: out, issues };
}

export interface Registration {
  id: number;
  at: string;
  campaignId: number;
  leadId: number | null;
  linkedid: string | null;
  agentId: number | null;
  agentName: string | null;
  username: string | null;
  values: Record<string, unknown>;
  destroyed: boolean;
}

interface Row {
  id: number;
  at: string;
  campaign_id: number;
  lead_id: number | null;
  linkedid: string | null;
  agent_id: number | null;
  agent_name: string | null;
  username: string | null;
  user_id: number | null;
  values_json: string;
  destroyed_at: string | null;
}

const toReg = (r: Row): Registration => ({
  id: r.id,
  at: r.at,
  campaignId: r.campaign_id,
  leadId: r.lead_id,
  linkedid: r.linkedid,
  agentId: r.agent_id,
  agentName: r.agent_name,
  username: r.username,
  values: parseFields(r.values_json),
  destroyed: !!r.destroyed_at,
});

export class Registrations {
  constructor(
    private readonly d: {
      db: Db;
      audit: AuditLog;
      campaigns: CampaignStore;
      now: () => Date;
    },
  ) {}

  form(campaignId: number): FormField[] {
    return this.d.campaigns.require(campaignId).settings.registrationForm.fields;
  }

  create(input: { campaignId: number; leadId: number; linkedid: string | null; values: Record<string, unknown>; agentId: number | null }, actor: Actor): Registration {
    const c = this.d.campaigns.get(input.campaignId);
    if (!c) throw new DeskRecordsError('not_found', `no campaign ${input.campaignId}`, 404, 'campaignId');
    if (c.status === 'ended' || c.status === 'destroyed') throw new DeskRecordsError('campaign_closed', `campaign "${c.name}" is ${c.status}`, 409, 'campaignId');
    const lead = this.d.db.prepare<[number], { campaign_id: number; phone: string | null; destroyed_at: string | null }>('SELECT campaign_id, phone, destroyed_at FROM leads WHERE id = ?').get(input.leadId);
    if (!lead) throw new DeskRecordsError('not_found', `no lead ${input.leadId}`, 404, 'leadId');
    if (lead.destroyed_at) throw new DeskRecordsError('destroyed', `the personal data of lead ${input.leadId} was destroyed`, 409, 'leadId');
    if (lead.campaign_id !== c.id) throw new DeskRecordsError('other_campaign', `lead ${input.leadId} belongs to another campaign`, 400, 'leadId');
    const { values, issues } = validateValues(c.settings.registrationForm.fields, input.values);
    if (issues.length) throw new DeskRecordsError('invalid_registration', issues.map((i) => `${i.path}: ${i.message}`).join('; '), 400, issues[0]!.path, issues);
    const at = this.d.now().toISOString();
    const id = Number(
      this.d.db
        .prepare('INSERT INTO registrations (at, campaign_id, lead_id, linkedid, customer_phone, agent_id, user_id, username, values_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(at, c.id, input.leadId, input.linkedid, lead.phone, input.agentId, actor.userId, actor.username, JSON.stringify(values)).lastInsertRowid,
    );
    // The values are personal data: the audit keeps ids only.
    this.d.audit.write({ userId: actor.userId, username: actor.username, ip: actor.ip ?? null, action: 'registration.created', target: `registration:${id}`, detail: { campaignId: c.id, leadId: input.leadId, linkedid: input.linkedid } });
    return this.get(id)!;
  }

  get(id: number): Registration | null {
    const r = this.d.db.prepare<[number], Row>('SELECT r.*, a.name AS agent_name FROM registrations r LEFT JOIN agents a ON a.id = r.agent_id WHERE r.id = ?').get(id);
    return r ? toReg(r) : null;
  }

  ownerUserId(id: number): number | null {
    return this.d.db.prepare<[number], { user_id: number | null }>('SELECT user_id FROM registrations WHERE id = ?').get(id)?.user_id ?? null;
  }

  list(q: { campaignId?: number; from?: string; to?: string; userId?: number; teams?: string[]; limit?: number; offset?: number }): { total: number; registrations: Registration[] } {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.campaignId !== undefined) (where.push('r.campaign_id = ?'), args.push(q.campaignId));
    if (q.from) (where.push('r.at >= ?'), args.push(q.from));
    if (q.to) (where.push('r.at < ?'), args.push(q.to));
    if (q.userId !== undefined) (where.push('r.user_id = ?'), args.push(q.userId));
    if (q.teams) (where.push('a.team IN (SELECT value FROM json_each(?))'), args.push(JSON.stringify(q.teams)));
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.d.db.prepare(`SELECT count(*) AS n FROM registrations r LEFT JOIN agents a ON a.id = r.agent_id ${w}`).get(...args) as { n: number }).n;
    const rows = this.d.db.prepare(`SELECT r.*, a.name AS agent_name FROM registrations r LEFT JOIN agents a ON a.id = r.agent_id ${w} ORDER BY r.id DESC LIMIT ? OFFSET ?`).all(...args, q.limit ?? 200, q.offset ?? 0) as Row[];
    return { total, registrations: rows.map(toReg) };
  }
}
