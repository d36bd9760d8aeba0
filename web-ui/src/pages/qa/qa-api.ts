// QA API client (types from the server's schemas, docs/qa.md).
import type { AppealView, DecideBody, RecheckBody } from '../../../../firmware-agent/src/qa/appeals.js';
import type { CalibrationSummary, CalibrationView, CreateCalibrationBody } from '../../../../firmware-agent/src/qa/calibration.js';
import type { FormDefinition, FormSummary, FormVersion } from '../../../../firmware-agent/src/qa/forms.js';
import type { EvaluationDetail, EvaluationSummary, QueueItem, SubmitBody } from '../../../../firmware-agent/src/qa/scoring.js';
import { API_BASE, request } from '../../api.js';

export type { AppealView, CalibrationSummary, CalibrationView, EvaluationDetail, EvaluationSummary, FormDefinition, FormSummary, FormVersion, QueueItem };

export const qaApi = {
  forms: () => request<FormSummary[]>('GET', '/qa/forms'),
  form: (id: number) => request<{ active: boolean; latest: FormVersion; versions: { id: number; version: number; createdAt: string; used: boolean }[] }>('GET', `/qa/forms/${id}`),
  createForm: (def: FormDefinition) => request<FormVersion>('POST', '/qa/forms', def),
  saveForm: (id: number, def: FormDefinition) => request<{ newVersion: boolean; version: FormVersion }>('PUT', `/qa/forms/${id}`, def),
  setFormActive: (id: number, active: boolean) => request<{ ok: boolean }>('POST', `/qa/forms/${id}/active`, { active }),
  version: (id: number) => request<FormVersion>('GET', `/qa/form-versions/${id}`),
  queue: () => request<QueueItem[]>('GET', '/qa/queue'),
  reviewers: () => request<{ id: number; name: string; roles: string[] }[]>('GET', '/qa/reviewers'),
  submit: (body: Omit<SubmitBody, 'comments'> & { comments: SubmitBody['comments'] }) => request<EvaluationSummary>('POST', '/qa/evaluations', body),
  evaluations: (q: Record<string, string | number | boolean | undefined> = {}) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
    return request<EvaluationSummary[]>('GET', `/qa/evaluations?${p.toString()}`);
  },
  mine: () => request<EvaluationSummary[]>('GET', '/qa/evaluations/mine'),
  evaluation: (id: number) => request<EvaluationDetail>('GET', `/qa/evaluations/${id}`),
  acknowledge: (id: number) => request<EvaluationSummary>('POST', `/qa/evaluations/${id}/acknowledge`),
  appeal: (id: number, reason: string) => request<AppealView>('POST', `/qa/evaluations/${id}/appeal`, { reason }),
  recheck: (id: number, body: RecheckBody) => request<EvaluationSummary>('POST', `/qa/evaluations/${id}/recheck`, body),
  appeals: (status?: 'open' | 'upheld' | 'rejected') => request<AppealView[]>('GET', `/qa/appeals${status ? `?status=${status}` : ''}`),
  decide: (id: number, body: DecideBody) => request<AppealView>('POST', `/qa/appeals/${id}/decide`, body),
  calibrations: () => request<CalibrationSummary[]>('GET', '/qa/calibrations'),
  calibration: (id: number) => request<CalibrationView>('GET', `/qa/calibrations/${id}`),
  createCalibration: (body: CreateCalibrationBody) => request<CalibrationView>('POST', '/qa/calibrations', body),
  closeCalibration: (id: number) => request<CalibrationView>('POST', `/qa/calibrations/${id}/close`),
  /** Staff listen through the recordings API; the agent of the call through the evaluation. */
  recordingAudioUrl: (recordingId: number) => `${API_BASE}/recordings/${recordingId}/audio`,
  evaluationAudioUrl: (evaluationId: number) => `${API_BASE}/qa/evaluations/${evaluationId}/audio`,
};

/** mm:ss of a playback position. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
