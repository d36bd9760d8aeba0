// Fax API client (types from the server's fax store and settings).
import type { FaxInboxItem, FaxJob } from '../../../../firmware-agent/src/fax/fax-store.js';
import type { FaxSettings } from '../../../../firmware-agent/src/fax/fax-module.js';
import { API_BASE, request } from '../../api.js';

export type { FaxInboxItem, FaxJob, FaxSettings };

export interface NewFax {
  number: string;
  trunk: string;
  files: Array<{ name: string; data: string }>;
  cover: { from: string; to: string; note: string } | null;
}

export const faxApi = {
  inbox: () => request<{ items: FaxInboxItem[]; unread: number }>('GET', '/fax/inbox'),
  markRead: (id: number, read: boolean) => request<FaxInboxItem>('POST', `/fax/inbox/${id}/read`, { read }),
  pdfUrl: (id: number, download = false) => `${API_BASE}/fax/inbox/${id}/pdf${download ? '?download=true' : ''}`,
  outbox: () => request<{ jobs: FaxJob[]; trunks: string[]; channels: number; active: number }>('GET', '/fax/outbox'),
  send: (req: NewFax) => request<FaxJob>('POST', '/fax/outbox', req),
  cancel: (id: number) => request<FaxJob>('POST', `/fax/outbox/${id}/cancel`, {}),
  settings: () => request<FaxSettings>('GET', '/fax/settings'),
  saveSettings: (s: FaxSettings) => request<FaxSettings>('PUT', '/fax/settings', s),
  demoReceive: () => request<{ ok: boolean }>('POST', '/fax/demo/receive', {}),
};

/** Reads a File as base64 (no data: prefix). */
export function fileToBase64(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(f);
  });
}

/** Roles that read and send faxes (admin passes everything). */
export const canUseFax = (roles: readonly string[]): boolean => roles.some((r) => r === 'admin' || r === 'manager' || r === 'team_lead');
