// Agents API client (types from the server's schemas; nothing server-side is bundled).
import type {
  ActionResponse,
  Agent,
  AgentList,
  AgentResponse,
  AgentSettings,
  CreateAgentRequest,
  CreatePauseReasonRequest,
  PauseReason,
  PauseReasonList,
  ResetPinResponse,
  UpdateAgentRequest,
  UpdatePauseReasonRequest,
} from '../../../../firmware-agent/src/agents/schemas.js';
import type { SeatLive, TrunkLive } from '../../../../firmware-agent/src/http/schemas.js';
import { ApiRequestError, request } from '../../api.js';

export type { Agent, PauseReason, SeatLive, TrunkLive };

export const agentsApi = {
  list: async () => (await request<AgentList>('GET', '/agents')).agents,
  /** The agent linked to the signed-in user, or null. */
  me: async (): Promise<Agent | null> => {
    try {
      return (await request<AgentResponse>('GET', '/agents/me')).agent;
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 404) return null;
      throw e;
    }
  },
  create: async (req: CreateAgentRequest) => (await request<AgentResponse>('POST', '/agents', req)).agent,
  update: async (id: number, req: UpdateAgentRequest) => (await request<AgentResponse>('PATCH', `/agents/${id}`, req)).agent,
  remove: (id: number) => request<Record<string, never>>('DELETE', `/agents/${id}`),
  setPin: async (id: number, pin: string) => (await request<AgentResponse>('PUT', `/agents/${id}/pin`, { pin })).agent,
  resetPin: (id: number) => request<ResetPinResponse>('POST', `/agents/${id}/pin/reset`, {}),
  clearPin: async (id: number) => (await request<AgentResponse>('DELETE', `/agents/${id}/pin`)).agent,
  login: (id: number, seat: string, force = false) => request<ActionResponse>('POST', `/agents/${id}/login`, force ? { seat, force } : { seat }),
  logout: (id: number) => request<ActionResponse>('POST', `/agents/${id}/logout`, {}),
  pause: (id: number, reasonCode: string | null) => request<ActionResponse>('POST', `/agents/${id}/pause`, { reasonCode }),
  ready: (id: number) => request<ActionResponse>('POST', `/agents/${id}/ready`, {}),
  reasons: async () => (await request<PauseReasonList>('GET', '/pause-reasons')).reasons,
  createReason: (req: CreatePauseReasonRequest) => request<PauseReason>('POST', '/pause-reasons', req),
  updateReason: (code: string, req: UpdatePauseReasonRequest) => request<PauseReason>('PATCH', `/pause-reasons/${code}`, req),
  removeReason: (code: string) => request<Record<string, never>>('DELETE', `/pause-reasons/${code}`),
  settings: () => request<AgentSettings>('GET', '/agent-settings'),
  saveSettings: (req: AgentSettings) => request<AgentSettings>('PUT', '/agent-settings', req),
  seats: () => request<SeatLive[]>('GET', '/seats/live'),
  /** Trunk status from the trunks module; null when this system has no such endpoint (404). */
  trunks: async (): Promise<TrunkLive[] | null> => {
    try {
      const r = await request<TrunkLive[] | { trunks: TrunkLive[] }>('GET', '/trunks/live');
      return Array.isArray(r) ? r : r.trunks;
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 404) return null;
      throw e;
    }
  },
};
