// Live board data: seats (GET /seats/live, then seat.updated), trunks (GET /trunks/live, then
// trunk.updated), spans (span.updated), agents and pause reasons. Re-read after every
// reconnection of the live feed (hello), since updates may have been missed meanwhile.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { LiveMessage, SpanLive } from '../../../../firmware-agent/src/http/schemas.js';
import { ApiRequestError } from '../../api.js';
import { useLiveMessages } from '../../live.js';
import { agentsApi, type Agent, type PauseReason, type SeatLive, type TrunkLive } from '../agents/agents-api.js';

export interface BoardData {
  seats: Record<string, SeatLive>;
  /** null: the system has no trunk status endpoint */
  trunks: Record<string, TrunkLive> | null;
  spans: Record<number, SpanLive>;
  /** null: not allowed to list agents (agent role) */
  agents: Agent[] | null;
  reasons: PauseReason[];
  loaded: boolean;
  error: unknown;
  /** server clock minus browser clock (ms), so durations do not depend on the PC's clock */
  skewMs: number;
}

const EMPTY: BoardData = { seats: {}, trunks: null, spans: {}, agents: null, reasons: [], loaded: false, error: null, skewMs: 0 };

/** The server's time from the Date header of a cheap request (1 s resolution; small skews ignored). */
async function measureSkew(): Promise<number> {
  const t0 = Date.now();
  const r = await fetch('/api/v1/health', { credentials: 'same-origin', cache: 'no-store' });
  const t1 = Date.now();
  const server = Date.parse(r.headers.get('date') ?? '');
  if (!Number.isFinite(server)) return 0;
  const skew = server + 500 - (t0 + t1) / 2;
  return Math.abs(skew) > 2000 ? skew : 0;
}

export function useBoardData(): BoardData & { reload: () => void } {
  const [data, setData] = useState<BoardData>(EMPTY);
  /** Updates that arrive while a reload is in flight win over the (older) reload answer. */
  const pending = useRef<LiveMessage[] | null>(null);

  const apply = (d: BoardData, m: LiveMessage): BoardData => {
    switch (m.type) {
      case 'seat.updated':
        return { ...d, seats: { ...d.seats, [m.data.extension]: m.data } };
      case 'trunk.updated':
        return { ...d, trunks: { ...(d.trunks ?? {}), [m.data.id]: m.data } };
      case 'span.updated':
        return { ...d, spans: { ...d.spans, [m.data.span]: m.data } };
      default:
        return d;
    }
  };

  const reload = useCallback(() => {
    pending.current = [];
    void (async () => {
      try {
        const [seats, trunks, reasons, agents, skewMs] = await Promise.all([
          agentsApi.seats(),
          agentsApi.trunks().catch(() => null),
          agentsApi.reasons(),
          agentsApi.list().catch((e: unknown) => {
            if (e instanceof ApiRequestError && e.status === 403) return null;
            throw e;
          }),
          measureSkew().catch(() => 0),
        ]);
        const later = pending.current ?? [];
        pending.current = null;
        setData((d) => {
          let next: BoardData = {
            ...d,
            seats: Object.fromEntries(seats.map((s) => [s.extension, s])),
            trunks: trunks ? Object.fromEntries(trunks.map((x) => [x.id, x])) : d.trunks,
            reasons,
            agents,
            loaded: true,
            error: null,
            skewMs,
          };
          for (const m of later) next = apply(next, m);
          return next;
        });
      } catch (error) {
        pending.current = null;
        setData((d) => ({ ...d, loaded: true, error }));
      }
    })();
  }, []);

  useEffect(() => reload(), [reload]);

  useLiveMessages((m) => {
    if (m.type === 'hello') {
      reload();
      return;
    }
    if (m.type !== 'seat.updated' && m.type !== 'trunk.updated' && m.type !== 'span.updated') return;
    pending.current?.push(m);
    setData((d) => apply(d, m));
  });

  return { ...data, reload };
}
