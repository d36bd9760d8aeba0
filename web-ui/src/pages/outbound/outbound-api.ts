// Outbound API client: campaigns, custody, lead queue, DNC (types from the server modules).
import type { Campaign } from '../../../../firmware-agent/src/campaigns/campaign-store.js';
import type { CampaignSettings, Disposition } from '../../../../firmware-agent/src/campaigns/settings.js';
import type { DncEntry } from '../../../../firmware-agent/src/dnc/dnc-store.js';
import type { FairnessRow, Handover, ListCustody } from '../../../../firmware-agent/src/leads/custody.js';
import type { Why } from '../../../../firmware-agent/src/leads/lead-queue.js';
import type { LeadView } from '../../../../firmware-agent/src/leads/lead-view.js';
import { API_BASE, request } from '../../api.js';

export type { CampaignSettings, Disposition, FairnessRow, Handover, ListCustody, Why };
export type CampaignInfo = Campaign & { leads?: { total: number; open: number; done: number }; notDialingReason?: string | null };
export type Lead = LeadView & { why?: Why; script?: { text: string; missing: string[] } };
export type Dnc = DncEntry & { masked: boolean };
export interface CustodyInfo {
  lists: ListCustody[];
  summary: { byCustody: Record<string, number>; byTeam: Array<{ team: string; pool: number; withAgents: number }>; byAgent: Array<{ agentId: number; leads: number; open: number }> };
  myTeams: string[];
  teams: string[];
  agents: Array<{ id: number; number: string; name: string; team: string | null }>;
}
export interface Issue {
  path: string;
  message: string;
}

export const outboundApi = {
  campaigns: async () => (await request<{ campaigns: CampaignInfo[] }>('GET', '/campaigns')).campaigns,
  defaults: () => request<CampaignSettings>('GET', '/campaigns/defaults'),
  create: (name: string, dialMode: string, settings?: CampaignSettings) => request<CampaignInfo>('POST', '/campaigns', { name, dialMode, ...(settings ? { settings } : {}) }),
  update: (id: number, body: { name?: string; dialMode?: string; settings?: CampaignSettings }) => request<CampaignInfo>('PUT', `/campaigns/${id}`, body),
  check: (id: number, settings: CampaignSettings) => request<{ ok: boolean; issues: Issue[] }>('POST', `/campaigns/${id}/check`, { settings }),
  setStatus: (id: number, status: 'active' | 'paused' | 'ended') => request<CampaignInfo>('POST', `/campaigns/${id}/status`, { status }),
  destroy: (id: number, confirm: string) => request<{ leads: number; verified: boolean; remaining: number }>('POST', `/campaigns/${id}/destroy`, { confirm }),
  leads: (id: number, q = '') => request<{ total: number; leads: Lead[] }>('GET', `/campaigns/${id}/leads${q}`),
  queue: (id: number) => request<{ notDialingReason: string | null; leads: Lead[] }>('GET', `/campaigns/${id}/queue`),
  next: (id: number) => request<{ lead: Lead | null; notDialingReason: string | null }>('POST', `/campaigns/${id}/next`),
  outcome: (leadId: number, body: { outcome: string; disposition?: string; callbackAt?: string; callbackScope?: 'personal' | 'team' }) => request<Lead>('POST', `/leads/${leadId}/outcome`, body),
  release: (leadId: number) => request<null>('POST', `/leads/${leadId}/release`),
  myCallbacks: async () => (await request<{ leads: Lead[] }>('GET', '/me/callbacks')).leads,
  teams: async () => (await request<{ teams: Array<{ name: string; leadUserId: number | null; leadUsername: string | null; agents: number }> }>('GET', '/teams')).teams,
  setTeamLead: (team: string, leadUsername: string | null) => request<null>('PUT', `/teams/${encodeURIComponent(team)}`, leadUsername ? { leadUsername } : { leadUserId: null }),
  custody: (id: number) => request<CustodyInfo>('GET', `/campaigns/${id}/custody`),
  receive: (listId: number) => request<{ received: number }>('POST', `/lead-lists/${listId}/receive`),
  sample: (listId: number, size: number) => request<{ leads: Lead[] }>('POST', `/lead-lists/${listId}/sample`, { size }),
  sampleResult: (listId: number, ok: boolean, bad: number, note?: string) => request<null>('POST', `/lead-lists/${listId}/sample-result`, { ok, bad, ...(note ? { note } : {}) }),
  toTeam: (id: number, team: string, count?: number) => request<{ count: number }>('POST', `/campaigns/${id}/handover/team`, { team, ...(count ? { count } : {}) }),
  toAgents: (id: number, team: string, body: { assignments?: Array<{ agentId: number; count: number }>; split?: { agentIds: number[]; total?: number } }) =>
    request<{ handovers: Array<{ agentId: number; count: number }> }>('POST', `/campaigns/${id}/handover/agents`, { team, ...body }),
  handovers: async (id: number) => (await request<{ handovers: Handover[] }>('GET', `/campaigns/${id}/handovers`)).handovers,
  handoverLeads: async (id: number) => (await request<{ leads: Lead[] }>('GET', `/handovers/${id}/leads`)).leads,
  fairness: async (id: number) => (await request<{ rows: FairnessRow[] }>('GET', `/campaigns/${id}/fairness`)).rows,
  fairnessUrl: (id: number, format: 'csv' | 'xlsx') => `${API_BASE}/campaigns/${id}/fairness?format=${format}`,
  dnc: (q = '') => request<{ total: number; entries: Dnc[] }>('GET', `/dnc${q}`),
  addDnc: (body: { phone: string; reason: string; note?: string; expiresAt?: string | null }) => request<Dnc>('POST', '/dnc', body),
  removeDnc: (phone: string) => request<null>('DELETE', `/dnc/${encodeURIComponent(phone)}`),
  importDnc: (text: string, reason: string, validOnly: boolean) => request<{ added: number; invalid: Array<{ line: number; reason: string }> }>('POST', '/dnc/import', { text, reason, validOnly }),
};
