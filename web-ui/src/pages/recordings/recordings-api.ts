// Recordings API client (types from the server's schemas).
import type { RecordingView } from '../../../../firmware-agent/src/recording/recording-store.js';
import type { RecordingJobProgress, RecordingStorage } from '../../../../firmware-agent/src/recording/schemas.js';
import { API_BASE, request } from '../../api.js';

export type Recording = RecordingView;
export type { RecordingJobProgress, RecordingStorage };

export interface RecordingFilter {
  from?: string;
  to?: string;
  number?: string;
  seat?: string;
  agent?: string;
  evidence?: boolean;
  limit: number;
  offset: number;
}

const qs = (f: RecordingFilter): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
};

export const recordingsApi = {
  list: (f: RecordingFilter) => request<{ total: number; items: Recording[] }>('GET', `/recordings?${qs(f)}`),
  evidence: (id: number, evidence: boolean, reason: string) => request<Recording>('POST', `/recordings/${id}/evidence`, { evidence, reason }),
  storage: () => request<RecordingStorage>('GET', '/recordings/storage'),
  runNow: () => request<{ started: boolean; alreadyRunning: boolean }>('POST', '/recordings/storage/run'),
  audioUrl: (id: number) => `${API_BASE}/recordings/${id}/audio`,
  downloadUrl: (id: number) => `${API_BASE}/recordings/${id}/download`,
};
