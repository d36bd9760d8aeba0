// Agent desktop API client (types from the server's contract; nothing server-side is bundled).
import type { DeskCall, DeskCustomer, DeskHistoryItem, DeskState, DeskStats, DeskWrapUp } from '../../../../firmware-agent/src/desk/contract.js';
import type { Campaign } from '../../../../firmware-agent/src/campaigns/campaign-store.js';
import type { Disposition } from '../../../../firmware-agent/src/campaigns/settings.js';
import { request } from '../../api.js';

export type { DeskCall, DeskCustomer, DeskHistoryItem, DeskState, DeskStats, DeskWrapUp, Disposition };
export type DeskCampaign = Campaign;

export interface DispositionRequest {
  disposition: string;
  notes?: string;
  callbackAt?: string;
  callbackScope?: 'personal' | 'team';
}

const post = <T = unknown>(path: string, body: unknown = {}) => request<T>('POST', `/desk${path}`, body);

export const deskApi = {
  state: () => request<DeskState>('GET', '/desk/state'),
  stats: () => request<DeskStats>('GET', '/desk/stats'),
  login: (seat: string) => post('/login', { seat }),
  logout: () => post('/logout'),
  ready: () => post('/ready'),
  pause: (reasonCode: string | null) => post('/pause', { reasonCode }),
  campaign: (campaignId: number | null) => post('/campaign', { campaignId }),
  previewNext: () => post('/preview/next'),
  previewSkip: () => post('/preview/skip'),
  dialLead: (leadId: number) => post('/dial', { leadId }),
  dialNumber: (number: string) => post('/dial', { number }),
  hangup: () => post('/hangup'),
  hold: () => post('/hold'),
  unhold: () => post('/unhold'),
  transfer: (target: string, mode: 'blind' | 'attended') => post('/transfer', { target, mode }),
  transferComplete: () => post('/transfer/complete'),
  transferCancel: () => post('/transfer/cancel'),
  /** With a target: call it (consultation); without: join the consulted party into a three-way call. */
  conference: (target?: string) => post('/conference', target === undefined ? {} : { target }),
  disposition: (req: DispositionRequest) => post('/disposition', req),
  campaigns: async () => (await request<{ campaigns: DeskCampaign[] }>('GET', '/campaigns')).campaigns,
  campaignById: (id: number) => request<DeskCampaign>('GET', `/campaigns/${id}`),
};

/** The registration form of a campaign, when it has one (setting added by the desk records). */
export function hasRegistrationForm(c: DeskCampaign | undefined): boolean {
  const form = (c?.settings as unknown as { registrationForm?: unknown } | undefined)?.registrationForm;
  if (!form || typeof form !== 'object') return false;
  const fields = (form as { fields?: unknown }).fields;
  return Array.isArray(fields) ? fields.length > 0 : true;
}
