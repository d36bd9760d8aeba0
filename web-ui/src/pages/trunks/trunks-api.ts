// Trunks and routes API client (types from the server's schemas).
import type { TrunkLive } from '../../../../firmware-agent/src/http/schemas.js';
import type {
  CreateTrunkRequest,
  InboundRoute,
  InboundRouteList,
  InboundRouteRequest,
  OutboundRoute,
  OutboundRouteList,
  OutboundRouteRequest,
  RoutePreset,
  Trunk,
  TrunkList,
  UpdateTrunkRequest,
} from '../../../../firmware-agent/src/trunks/schemas.js';
import { request } from '../../api.js';

export type { CreateTrunkRequest, InboundRoute, InboundRouteList, InboundRouteRequest, OutboundRoute, OutboundRouteList, OutboundRouteRequest, RoutePreset, Trunk, TrunkLive, UpdateTrunkRequest };

export const trunksApi = {
  list: async () => (await request<TrunkList>('GET', '/trunks')).trunks,
  live: () => request<TrunkLive[]>('GET', '/trunks/live'),
  create: async (req: CreateTrunkRequest) => (await request<{ trunk: Trunk }>('POST', '/trunks', req)).trunk,
  update: async (id: number, req: UpdateTrunkRequest) => (await request<{ trunk: Trunk }>('PATCH', `/trunks/${id}`, req)).trunk,
  remove: (id: number) => request<{ deleted: number }>('DELETE', `/trunks/${id}`),
  outbound: () => request<OutboundRouteList>('GET', '/routes/outbound'),
  createOutbound: (req: OutboundRouteRequest) => request<OutboundRouteList>('POST', '/routes/outbound', req),
  updateOutbound: (id: number, req: OutboundRouteRequest) => request<OutboundRouteList>('PUT', `/routes/outbound/${id}`, req),
  removeOutbound: (id: number) => request<OutboundRouteList>('DELETE', `/routes/outbound/${id}`),
  reorder: (ids: number[]) => request<OutboundRouteList>('PUT', '/routes/outbound-order', { ids }),
  inbound: () => request<InboundRouteList>('GET', '/routes/inbound'),
  createInbound: (req: InboundRouteRequest) => request<InboundRouteList>('POST', '/routes/inbound', req),
  updateInbound: (id: number, req: InboundRouteRequest) => request<InboundRouteList>('PUT', `/routes/inbound/${id}`, req),
  removeInbound: (id: number) => request<InboundRouteList>('DELETE', `/routes/inbound/${id}`),
};
