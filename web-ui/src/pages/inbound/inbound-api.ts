// Inbound hotline API client (types from the server's hotline documents).
import type { Callback, MonitorMode } from '../../../../firmware-agent/src/hotline/hotline-module.js';
import type { HotlineIssue } from '../../../../firmware-agent/src/hotline/validate.js';
import type { Destination, HotlineQueue, IvrDoc, IvrMenu, QueuesDoc } from '../../../../firmware-agent/src/hotline/types.js';
import type { Prompt } from '../../../../firmware-agent/src/prompts/prompt-store.js';
import { API_BASE, request } from '../../api.js';

export type { Callback, Destination, HotlineIssue, HotlineQueue, IvrDoc, IvrMenu, MonitorMode, Prompt, QueuesDoc };

export const inboundApi = {
  ivr: () => request<IvrDoc>('GET', '/hotline/ivr'),
  checkIvr: (doc: IvrDoc) => request<{ ok: boolean; issues: HotlineIssue[] }>('POST', '/hotline/ivr/check', doc),
  saveIvr: (doc: IvrDoc) => request<IvrDoc>('PUT', '/hotline/ivr', doc),
  queues: () => request<QueuesDoc>('GET', '/hotline/queues'),
  checkQueues: (doc: QueuesDoc) => request<{ ok: boolean; issues: HotlineIssue[] }>('POST', '/hotline/queues/check', doc),
  saveQueues: (doc: QueuesDoc) => request<QueuesDoc>('PUT', '/hotline/queues', doc),
  prompts: async () => (await request<{ prompts: Prompt[] }>('GET', '/hotline/prompts')).prompts,
  saveTts: (name: string, text: string, lang: 'zh' | 'en') => request<{ prompt: Prompt; regenerated: boolean }>('PUT', `/hotline/prompts/${encodeURIComponent(name)}/tts`, { text, lang }),
  upload: (name: string, filename: string, data: string) => request<Prompt>('POST', `/hotline/prompts/${encodeURIComponent(name)}/upload`, { filename, data }),
  removePrompt: (name: string) => request<null>('DELETE', `/hotline/prompts/${encodeURIComponent(name)}`),
  audioUrl: (name: string, v: string) => `${API_BASE}/hotline/prompts/${encodeURIComponent(name)}/audio?v=${encodeURIComponent(v)}`,
  callbacks: (status: 'open' | 'done' | 'all' = 'open') => request<{ callbacks: Callback[]; mySeat: string | null }>('GET', `/hotline/callbacks?status=${status}`),
  addCallback: (req: { number: string; requestedFor?: string | null; note?: string }) => request<Callback>('POST', '/hotline/callbacks', req),
  dial: (id: number, seat?: string) => request<Callback>('POST', `/hotline/callbacks/${id}/dial`, seat ? { seat } : {}),
  outcome: (id: number, outcome: string, note?: string) => request<Callback>('POST', `/hotline/callbacks/${id}/outcome`, note ? { outcome, note } : { outcome }),
  monitoring: () => request<{ supervisorSeats: string[] }>('GET', '/hotline/monitoring'),
  saveMonitoring: (supervisorSeats: string[]) => request<{ supervisorSeats: string[] }>('PUT', '/hotline/monitoring', { supervisorSeats }),
  monitor: (targetSeat: string, mode: MonitorMode, leadSeat?: string) => request<{ leadSeat: string }>('POST', '/hotline/monitor', leadSeat ? { targetSeat, mode, leadSeat } : { targetSeat, mode }),
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
