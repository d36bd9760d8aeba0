// Desk records API client: identity check, threat calls, complaint tickets, registrations.
// Types come from the server's modules; registration errors keep their per-field issues.
import type { IdentityStatus, ThreatAlert } from '../../../../../firmware-agent/src/desk/contract.js';
import type { FormField } from '../../../../../firmware-agent/src/desk/form-settings.js';
import type { Registration } from '../../../../../firmware-agent/src/desk/registrations.js';
import type { FollowUp, Ticket, TicketCategory, TicketSeverity, TicketStatus } from '../../../../../firmware-agent/src/desk/tickets.js';
import { API_BASE, ApiRequestError, request } from '../../../api.js';

export type { FollowUp, FormField, IdentityStatus, Registration, ThreatAlert, Ticket, TicketCategory, TicketSeverity, TicketStatus };

export const TICKET_CATEGORIES: TicketCategory[] = ['service', 'product', 'billing', 'agent_conduct', 'other'];
export const TICKET_STATUSES: TicketStatus[] = ['open', 'in_progress', 'resolved', 'closed'];

export interface VerifyAnswer {
  result: 'verified' | 'mismatch' | 'failed';
  mismatch: 'name' | 'id' | 'both' | null;
  identity: IdentityStatus;
  revealed: Record<string, unknown> | null;
}

export type ThreatItem = ThreatAlert & { team: string | null; reportedBy: string | null; notesLog: Array<{ id: number; at: string; username: string | null; note: string }> };

/** A 400 with per-field problems (registration form). */
export class FieldErrors extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

/** POST that keeps the `issues` list of a validation error (request() drops it). */
async function postWithIssues<T>(path: string, body: unknown): Promise<T> {
  try {
    return await request<T>('POST', path, body);
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 400 && e.code === 'invalid_registration') {
      // The message lists "values.key: reason; …" — split it back into issues.
      const issues = e.message.split('; ').map((p) => {
        const i = p.indexOf(': ');
        return i > 0 ? { path: p.slice(0, i), message: p.slice(i + 2) } : { path: '', message: p };
      });
      throw new FieldErrors(e.message, issues);
    }
    throw e;
  }
}

const qs = (q: Record<string, string | number | boolean | undefined | null>) => {
  const p = Object.entries(q).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false);
  return p.length ? '?' + p.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&') : '';
};

export interface TicketFilter {
  status?: TicketStatus | '';
  team?: string;
  mine?: boolean;
  overdue?: boolean;
}

export const recordsApi = {
  identity: (linkedid: string, leadId: number) => request<{ identity: IdentityStatus; hiddenFields: string[]; revealed: Record<string, unknown> | null }>('GET', `/desk/identity${qs({ linkedid, leadId })}`),
  verify: (b: { linkedid: string; leadId: number; name: string; idNumber: string }) => request<VerifyAnswer>('POST', '/desk/identity/verify', b),
  reportThreat: (b: { linkedid?: string; notes: string }) => request<ThreatAlert>('POST', '/desk/threats', b),
  threats: (q: { unacknowledged?: boolean } = {}) => request<{ threats: ThreatItem[] }>('GET', `/threats${qs(q)}`),
  ackThreat: (id: number) => request<ThreatAlert>('POST', `/threats/${id}/ack`, {}),
  threatNote: (id: number, note: string) => request<{ notes: ThreatItem['notesLog'] }>('POST', `/threats/${id}/notes`, { note }),
  createTicket: (b: { leadId: number | null; linkedid: string | null; category: TicketCategory; severity: TicketSeverity; description: string; request?: string }) => request<Ticket>('POST', '/tickets', b),
  tickets: (f: TicketFilter) => request<{ total: number; tickets: Ticket[] }>('GET', `/tickets${qs({ ...f })}`),
  ticketsExportUrl: (f: TicketFilter, format: 'csv' | 'xlsx') => `${API_BASE}/tickets${qs({ ...f, format })}`,
  ticket: (id: number) => request<{ ticket: Ticket; followUps: FollowUp[]; canFollowUp: boolean }>('GET', `/tickets/${id}`),
  followUp: (id: number, b: { note: string; contactMade: boolean; status?: TicketStatus }) => request<{ ticket: Ticket; followUps: FollowUp[] }>('POST', `/tickets/${id}/follow-ups`, b),
  form: (campaignId: number) => request<{ campaignId: number; fields: FormField[] }>('GET', `/campaigns/${campaignId}/registration-form`),
  register: (b: { campaignId: number; leadId: number; linkedid: string | null; values: Record<string, unknown> }) => postWithIssues<Registration>('/registrations', b),
  registrations: (q: { campaignId?: number; from?: string; to?: string }) => request<{ total: number; registrations: Registration[] }>('GET', `/registrations${qs(q)}`),
  registrationsExportUrl: (q: { campaignId?: number; from?: string; to?: string }, format: 'csv' | 'xlsx') => `${API_BASE}/registrations${qs({ ...q, format })}`,
};
