// System → Update API: status, bundle upload (XHR for upload progress), install.
import { API_BASE, ApiRequestError, refreshCsrf, request } from '../../../api.js';

// Types shared with the server (type-only: nothing server-side is bundled).
import type { UpdateState, UpdateStatus } from '../../../../../firmware-agent/src/system/update/update-service.js';

export type { UpdateState, UpdateStatus };

export interface UploadResult {
  version: string;
  imageBytes: number;
  payloadSha256: string;
}

async function csrfToken(): Promise<string> {
  const r = await fetch(`${API_BASE}/auth/csrf`, { credentials: 'same-origin' });
  return ((await r.json()) as { token: string }).token;
}

export const updateApi = {
  status: () => request<UpdateStatus>('GET', '/system/update'),
  install: (reboot: boolean) => request<UpdateState>('POST', '/system/update/install', { reboot }),
  cancel: () => request<UpdateStatus>('POST', '/system/update/cancel', {}),
  /** Streams the file; onProgress(sent, total) while uploading. */
  async upload(file: File, onProgress: (sent: number, total: number) => void): Promise<UploadResult> {
    const token = await csrfToken();
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${API_BASE}/system/update/bundle`);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('x-csrf-token', token);
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new ApiRequestError(0, 'network', 'upload failed'));
      xhr.onload = () => {
        let body: { error?: string; message?: string } & Partial<UploadResult> = {};
        try {
          body = JSON.parse(xhr.responseText) as typeof body;
        } catch {
          /* not JSON */
        }
        if (xhr.status === 200) resolve(body as UploadResult);
        else reject(new ApiRequestError(xhr.status, body.error ?? `http_${xhr.status}`, body.message ?? ''));
      };
      xhr.send(file);
    }).finally(() => void refreshCsrf().catch(() => undefined)) as Promise<UploadResult>;
  },
};
