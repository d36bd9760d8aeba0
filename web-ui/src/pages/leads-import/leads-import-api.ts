// Outbound → Import API client (types from the server's import service; type-only imports).
import { API_BASE, ApiRequestError, refreshCsrf, request } from '../../api.js';
import type { ImportMode, ImportReport, LeadsImportProgress, Preview, RefusedRow, UploadInfo } from '../../../../firmware-agent/src/leads/import/import-service.js';
import type { ColumnMapping, FieldTarget } from '../../../../firmware-agent/src/leads/import/parse.js';

export type { ColumnMapping, FieldTarget, ImportMode, ImportReport, LeadsImportProgress, Preview, RefusedRow, UploadInfo };

export const TARGETS: FieldTarget[] = ['phone', 'name', 'address', 'note', 'gender', 'company', 'field', 'ignore'];

export interface CampaignOption {
  id: number;
  name: string;
  status: string;
  leads: number;
}
export type JobSummary = Omit<ImportReport, 'refused'> & { refusedCount: number };

async function csrfToken(): Promise<string> {
  const r = await fetch(`${API_BASE}/auth/csrf`, { credentials: 'same-origin' });
  return ((await r.json()) as { token: string }).token;
}

export const leadsImportApi = {
  campaigns: async () => (await request<{ campaigns: CampaignOption[] }>('GET', '/leads/import/campaigns')).campaigns,
  sources: async () => (await request<{ sources: Array<{ source: string; defaultAreaCode: string | null }> }>('GET', '/leads/import/sources')).sources,
  preview: (id: number, body: { source?: string; campaignId?: number; mapping?: ColumnMapping; defaultAreaCode?: string | null }) => request<Preview>('POST', `/leads/import/uploads/${id}/preview`, body),
  importUpload: (id: number, body: { campaignId: number; source: string; mode: ImportMode; mapping?: ColumnMapping; defaultAreaCode?: string | null }) => request<ImportReport>('POST', `/leads/import/uploads/${id}/import`, body),
  discard: (id: number) => request<null>('DELETE', `/leads/import/uploads/${id}`),
  jobs: async (campaignId?: number) => (await request<{ jobs: JobSummary[] }>('GET', `/leads/import/jobs${campaignId ? `?campaignId=${campaignId}` : ''}`)).jobs,
  refusedCsvUrl: (jobId: number) => `${API_BASE}/leads/import/jobs/${jobId}/refused.csv`,
  sampleUrl: `${API_BASE}/leads/import/sample.csv`,
  /** Sends the file as the raw body (no multipart); onProgress(sent, total) while uploading. */
  async upload(file: File, onProgress: (sent: number, total: number) => void): Promise<UploadInfo> {
    const token = await csrfToken();
    return new Promise<UploadInfo>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${API_BASE}/leads/import/uploads?fileName=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('x-csrf-token', token);
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new ApiRequestError(0, 'network', 'upload failed'));
      xhr.onload = () => {
        let body: { error?: string; message?: string } & Partial<UploadInfo> = {};
        try {
          body = JSON.parse(xhr.responseText) as typeof body;
        } catch {
          /* not JSON */
        }
        if (xhr.status === 200) resolve(body as UploadInfo);
        else reject(new ApiRequestError(xhr.status, body.error ?? `http_${xhr.status}`, body.message ?? ''));
      };
      xhr.send(file);
    }).finally(() => void refreshCsrf().catch(() => undefined));
  },
};
