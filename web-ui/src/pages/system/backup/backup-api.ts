// System → Backup API.
import { request } from '../../../api.js';

export interface BackupInfo {
  id: string;
  createdAt: string;
  agentVersion: string;
  schemaVersion: number;
  trigger: string;
  includesRecordings: boolean;
  sizeBytes: number;
  tables: number;
  rows: number;
}
export interface BackupConfig {
  target: string;
  keep: number;
  schedule: string;
  includeRecordings: boolean;
}
export interface BackupProgress {
  op: 'backup' | 'restore';
  phase: string;
  done: number;
  total: number;
  id: string | null;
  error: string | null;
}

export const backupApi = {
  list: () => request<{ backups: BackupInfo[]; config: BackupConfig; progress: BackupProgress }>('GET', '/system/backups'),
  create: (includeRecordings: boolean) => request<BackupInfo>('POST', '/system/backups', { includeRecordings }),
  restore: (id: string, confirm: string) => request<{ id: string; restarting: boolean }>('POST', `/system/backups/${encodeURIComponent(id)}/restore`, { confirm }),
  saveConfig: (c: BackupConfig) => request<BackupConfig>('PUT', '/system/backups/config', c),
};
