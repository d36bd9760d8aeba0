// Seats API client (types from the server's schemas; nothing server-side is bundled).
import type { Provisioning, Seat, SeatCreated, SeatList, SeatsCreated, CreateSeatRequest, BulkCreateSeatsRequest, UpdateSeatRequest } from '../../../../firmware-agent/src/seats/schemas.js';
import { request } from '../../api.js';

export type { Provisioning, Seat, SeatList, CreateSeatRequest, BulkCreateSeatsRequest, UpdateSeatRequest };

export const seatsApi = {
  list: () => request<SeatList>('GET', '/seats'),
  create: (req: CreateSeatRequest) => request<SeatCreated>('POST', '/seats', req),
  bulk: (req: BulkCreateSeatsRequest) => request<SeatsCreated>('POST', '/seats/bulk', req),
  update: async (ext: string, req: UpdateSeatRequest) => (await request<{ seat: Seat }>('PATCH', `/seats/${encodeURIComponent(ext)}`, req)).seat,
  regenerate: async (ext: string) => (await request<{ provisioning: Provisioning }>('POST', `/seats/${encodeURIComponent(ext)}/secret`, {})).provisioning,
  remove: (extensions: string[]) => request<{ deleted: string[] }>('POST', '/seats/delete', { extensions }),
};
