// Client of /api/v1/training (firmware-agent/src/http/training-routes.ts).
import { request } from '../../api.js';

export type Missing = 'written' | 'oral' | 'recording';
export interface Retraining {
  id: number;
  agentId: number;
  reason: string;
  source: 'qa' | 'assessment' | 'manual';
  assignedBy: string | null;
  assignedAt: string;
  status: 'open' | 'completed' | 'cancelled';
}
export interface Qualification {
  agentId: number;
  agentNumber: string;
  agentName: string;
  trainee: boolean;
  writtenScore: number | null;
  oralScore: number | null;
  passMarkWritten: number;
  passMarkOral: number;
  recordingId: number | null;
  qualifiedAt: string | null;
  missing: Missing[];
  openRetraining: Retraining[];
  gated: boolean;
}
export interface Result {
  id: number;
  agentId: number;
  attempt: number;
  examAt: string;
  writtenScore: number | null;
  oralScore: number | null;
  passed: boolean;
  reexamAt: string | null;
  reexamOverdue: boolean;
}
export interface Plan {
  id: number;
  title: string;
  kind: 'initial' | 'retraining';
  startsAt: string;
  place: string;
  material: string;
  examWritten: boolean;
  examOral: boolean;
  passMarkWritten: number;
  passMarkOral: number;
  redesign: boolean;
  trainees: Array<{ agentId: number; number: string; name: string }>;
  results: Result[];
}
export interface AgentChoice {
  id: number;
  number: string;
  name: string;
}

export const trainingApi = {
  qualifications: () => request<{ qualifications: Qualification[] }>('GET', '/training/qualifications'),
  agents: () => request<{ agents: AgentChoice[] }>('GET', '/training/agents'),
  setTrainee: (id: number, trainee: boolean) => request<Qualification>('PUT', `/training/agents/${id}/trainee`, { trainee }),
  recordings: (id: number) => request<{ recordings: Array<{ id: number; startedAt: string; durationMs: number | null; seat: string | null }> }>('GET', `/training/agents/${id}/recordings`),
  approveRecording: (id: number, recordingId: number) => request<Qualification>('POST', `/training/agents/${id}/recording`, { recordingId }),
  plans: () => request<{ plans: Plan[] }>('GET', '/training/plans'),
  createPlan: (body: Record<string, unknown>) => request<Plan>('POST', '/training/plans', body),
  recordResult: (planId: number, body: { agentId: number; examAt: string; writtenScore?: number; oralScore?: number }) => request<Plan>('POST', `/training/plans/${planId}/results`, body),
  scheduleReexam: (planId: number, agentId: number, at: string) => request<Plan>('POST', `/training/plans/${planId}/reexams`, { agentId, at }),
  clearRedesign: (planId: number) => request<Plan>('DELETE', `/training/plans/${planId}/redesign`),
  retraining: () => request<{ retraining: Retraining[] }>('GET', '/training/retraining'),
  assignRetraining: (agentId: number, reason: string) => request<Retraining>('POST', '/training/retraining', { agentId, reason }),
  cancelRetraining: (id: number) => request<Retraining>('POST', `/training/retraining/${id}/cancel`),
};
