// Wallboard data: one GET /wallboard, then 'wallboard.update' frames only (no polling). Re-read
// after a reconnection of the live feed (a later 'hello'), since frames may have been missed.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { WallboardSnapshot } from '../../../../firmware-agent/src/reports/wallboard.js';
import { request } from '../../api.js';
import { useLiveMessages } from '../../live.js';

export type { WallboardSnapshot };

export interface WallboardData {
  snap: WallboardSnapshot | null;
  error: unknown;
  /** server clock minus browser clock (ms), from the snapshot's serverTime */
  skewMs: number;
}

/** Skew from a snapshot just received; below a second it is network delay, not a wrong clock. */
export function skewOf(serverTime: string, receivedAt: number): number {
  const s = Date.parse(serverTime) - receivedAt;
  return Number.isFinite(s) && Math.abs(s) > 1000 ? s : 0;
}

export function useWallboard(): WallboardData {
  const [data, setData] = useState<WallboardData>({ snap: null, error: null, skewMs: 0 });
  const hellos = useRef(0);

  const accept = (snap: WallboardSnapshot) =>
    setData((d) => (d.snap && d.snap.seq > snap.seq && d.snap.serverTime >= snap.serverTime ? d : { snap, error: null, skewMs: skewOf(snap.serverTime, Date.now()) }));

  const load = useCallback(() => {
    request<WallboardSnapshot>('GET', '/wallboard')
      .then(accept)
      .catch((error: unknown) => setData((d) => ({ ...d, error })));
  }, []);

  useEffect(() => load(), [load]);

  useLiveMessages((m) => {
    // The first hello is the feed opening alongside our first load; later ones are reconnections.
    if (m.type === 'hello') {
      if (hellos.current++ > 0) load();
      return;
    }
    if (m.type === 'wallboard.update') accept(m.data);
  });

  return data;
}
