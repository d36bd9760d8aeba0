// Client of the people API (firmware-agent/src/http/people-routes.ts; docs/people.md).
import { request } from '../../api.js';

export const ROLE_LIST = ['admin', 'manager', 'team_lead', 'qa', 'trainer', 'agent', 'technician', 'data_manager'] as const;
export type RoleName = (typeof ROLE_LIST)[number];
export const STAGE_LIST = ['trainee', 'agent', 'senior', 'supervisor', 'team_lead', 'manager', 'qa', 'trainer'] as const;
export type Stage = (typeof STAGE_LIST)[number];
export type Grade = 'junior' | 'intermediate' | 'senior';
export type Line = 'service' | 'telesales';
/** The career path, as the agent enforces it (shown to pick a move; the server decides). */
export const MOVES: Record<Stage, Stage[]> = {
  trainee: ['agent'],
  agent: ['senior', 'supervisor'],
  senior: ['team_lead'],
  supervisor: ['team_lead'],
  team_lead: ['manager'],
  manager: [],
  qa: ['trainer'],
  trainer: ['qa'],
};

export interface ManagedUser {
  id: number;
  username: string;
  displayName: string;
  roles: RoleName[];
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
  stage: Stage | null;
}
export interface Person {
  agentId: number;
  number: string;
  name: string;
  userId: number | null;
  team: string | null;
  grade: Grade;
  line: Line;
  joinedAt: string | null;
  active: boolean;
  stage: Stage | null;
}
export interface Promotion {
  id: number;
  userId: number;
  from: string;
  to: string;
  at: string;
  byUsername: string | null;
  note: string | null;
}
export interface Ratio {
  key: 'leadToService' | 'leadToTelesales' | 'qaToLeads' | 'trainerToLeads';
  per: number;
  counted: number;
  limit: number;
  actual: number | null;
  warning: boolean;
}
export type RatioLimits = Record<Ratio['key'], number>;

export const peopleApi = {
  users: () => request<{ users: ManagedUser[] }>('GET', '/users'),
  createUser: (u: { username: string; displayName?: string; roles: RoleName[]; password: string }) => request<{ user: ManagedUser }>('POST', '/users', u),
  setRoles: (id: number, roles: RoleName[]) => request<{ user: ManagedUser }>('PUT', `/users/${id}/roles`, { roles }),
  setDisabled: (id: number, disabled: boolean) => request<{ user: ManagedUser }>('PUT', `/users/${id}/disabled`, { disabled }),
  resetPassword: (id: number) => request<{ user: ManagedUser; password: string }>('POST', `/users/${id}/reset-password`),
  deleteUser: (id: number) => request<{ ok: boolean }>('DELETE', `/users/${id}`),
  setStage: (id: number, stage: Stage) => request<{ user: ManagedUser }>('PUT', `/users/${id}/stage`, { stage }),
  promotions: (id: number) => request<{ promotions: Promotion[] }>('GET', `/users/${id}/promotions`),
  promote: (id: number, body: { to: Stage; at?: string; note?: string }) => request<{ promotion: Promotion }>('POST', `/users/${id}/promotions`, body),
  people: () => request<{ people: Person[] }>('GET', '/people'),
  updatePerson: (agentId: number, change: { grade?: Grade; line?: Line; joinedAt?: string }) => request<{ person: Person }>('PATCH', `/people/${agentId}`, change),
  ratios: () => request<{ ratios: Ratio[]; limits: RatioLimits }>('GET', '/people/ratios'),
  setLimits: (change: Partial<RatioLimits>) => request<{ limits: RatioLimits }>('PUT', '/people/ratio-limits', change),
};
