// System → Backup API.
import { request } from '../../../api.js';

// Types shared with the server (type-only: nothing server-side is bundled).
import type { BackupConfig, BackupInfo, BackupProgress } from '../../../../../firmware-agent/src/system/backup/backup-service.js';

export type { BackupConfig, BackupInfo, BackupProgress };

export const backupApi = {
  list: () => request<{ backups: BackupInfo[]; config: BackupConfig; progress: BackupProgress }>('GET', '/system/backups'),
  create: (includeRecordings: boolean) => request<BackupInfo>('POST', '/system/backups', { includeRecordings }),
  restore: (id: string, confirm: string) => request<{ id: string; restarting: boolean }>('POST', `/system/backups/${encodeURIComponent(id)}/restore`, { confirm }),
  saveConfig: (c: BackupConfig) => request<BackupConfig>('PUT', '/system/backups/config', c),
};
