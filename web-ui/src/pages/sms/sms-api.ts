// SMS API client (types from the server's SMS module and settings).
import type { ModemStatus } from '../../../../firmware-agent/src/sms/modem.js';
import type { BulkFilter, BulkPreview, SmsBatch, SmsInboxItem, SmsMessage, SmsTemplate } from '../../../../firmware-agent/src/sms/sms-module.js';
import type { SmsSettings } from '../../../../firmware-agent/src/sms/sms-settings.js';
import { request } from '../../api.js';

export type { BulkFilter, BulkPreview, ModemStatus, SmsBatch, SmsInboxItem, SmsMessage, SmsSettings, SmsTemplate };
export type Masked<T> = T & { masked: boolean };

export interface TemplateInput {
  name: string;
  body: string;
  trigger: 'manual' | 'after_call';
  dispositions: string[];
  enabled: boolean;
}

export const smsApi = {
  modem: () => request<{ modem: ModemStatus; queued: number; ratePerMinute: number; demo: boolean }>('GET', '/sms/modem'),
  settings: () => request<SmsSettings>('GET', '/sms/settings'),
  saveSettings: (s: SmsSettings) => request<SmsSettings>('PUT', '/sms/settings', s),
  templates: (campaignId: number) => request<{ templates: SmsTemplate[] }>('GET', `/sms/templates?campaignId=${campaignId}`),
  createTemplate: (campaignId: number, t: TemplateInput) => request<SmsTemplate>('POST', '/sms/templates', { campaignId, ...t }),
  updateTemplate: (id: number, t: TemplateInput) => request<SmsTemplate>('PUT', `/sms/templates/${id}`, t),
  deleteTemplate: (id: number) => request<{ ok: boolean }>('DELETE', `/sms/templates/${id}`),
  preview: (campaignId: number, templateId: number, filter: BulkFilter) => request<BulkPreview>('POST', '/sms/bulk/preview', { campaignId, templateId, filter }),
  send: (campaignId: number, templateId: number, filter: BulkFilter) => request<SmsBatch>('POST', '/sms/bulk', { campaignId, templateId, filter }),
  batches: () => request<{ batches: SmsBatch[] }>('GET', '/sms/batches'),
  cancelBatch: (id: number) => request<SmsBatch>('POST', `/sms/batches/${id}/cancel`, {}),
  outbox: (state: string) => request<{ total: number; items: Array<Masked<SmsMessage>> }>('GET', `/sms/outbox?limit=200${state ? `&state=${state}` : ''}`),
  inbox: (optOut: boolean) => request<{ total: number; items: Array<Masked<SmsInboxItem>> }>('GET', `/sms/inbox?limit=200${optOut ? '&optOut=true' : ''}`),
  demoIncoming: (from: string, text: string) => request<{ ok: boolean }>('POST', '/sms/demo/incoming', { from, text }),
};

export const canManageSms = (roles: readonly string[]): boolean => roles.some((r) => r === 'admin' || r === 'manager');
export const canSettings = (roles: readonly string[]): boolean => roles.some((r) => r === 'admin' || r === 'manager' || r === 'technician');
