// The desk's state: one GET /desk/state on mount and after every reconnection of the live feed
// (frames may have been missed meanwhile), otherwise only `desk.state` frames — no polling.
// Frames carry a version; an older one than what is shown is dropped (a GET answer that took
// longer than a frame must not roll the screen back).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiRequestError } from '../../api.js';
import { useLiveMessages } from '../../live.js';
import { deskApi, type DeskState } from './desk-api.js';

export interface DeskData {
  desk: DeskState | null;
  loaded: boolean;
  /** the signed-in user has no agent (GET /desk/state said so) */
  notAgent: boolean;
  error: unknown;
  /** server clock minus browser clock (ms) from the snapshots' serverTime; small skews ignored */
  skewMs: number;
}

const EMPTY: DeskData = { desk: null, loaded: false, notAgent: false, error: null, skewMs: 0 };

function skewOf(s: DeskState, receivedAt: number): number | null {
  const server = Date.parse(s.serverTime);
  if (!Number.isFinite(server)) return null;
  const skew = server - receivedAt;
  return Math.abs(skew) > 1500 ? skew : 0;
}

export function useDesk(): DeskData & { reload: () => void } {
  const [data, setData] = useState<DeskData>(EMPTY);
  /** frames that arrived while a GET was in flight (the newer of them and the answer wins) */
  const inflight = useRef<DeskState[] | null>(null);

  const accept = useCallback((s: DeskState, force: boolean) => {
    const at = Date.now();
    setData((d) => {
      if (!force && d.desk && s.version <= d.desk.version) return d;
      const skew = skewOf(s, at);
      return { ...d, desk: s, loaded: true, notAgent: s.agent === null, error: null, skewMs: skew ?? d.skewMs };
    });
  }, []);

  const reload = useCallback(() => {
    inflight.current = [];
    void (async () => {
      try {
        const s = await deskApi.state();
        const later = (inflight.current ?? []).filter((f) => f.version > s.version);
        inflight.current = null;
        // After a reconnection the server may have restarted (versions start again): the
        // answer replaces what is shown; frames newer than the answer then apply on top.
        accept(s, true);
        for (const f of later) accept(f, false);
      } catch (error) {
        inflight.current = null;
        // 403 no_agent: the user is not linked to an agent; 403 forbidden: no agent role at all.
        if (error instanceof ApiRequestError && (error.code === 'no_agent' || error.code === 'forbidden' || error.status === 404)) {
          setData((d) => ({ ...d, loaded: true, notAgent: true, error: null }));
        } else {
          setData((d) => ({ ...d, loaded: true, error }));
        }
      }
    })();
  }, [accept]);

  useEffect(() => reload(), [reload]);

  useLiveMessages((m) => {
    if (m.type === 'hello') {
      // (Re)connected: the first hello also follows our mount; one extra GET is cheap and
      // covers frames lost between the mount's GET and the socket opening.
      reload();
      return;
    }
    if (m.type !== 'desk.state') return;
    inflight.current?.push(m.data);
    accept(m.data, false);
  });

  return { ...data, reload };
}

/** Re-renders the caller at once when the tab becomes visible again (timers are throttled while hidden). */
export function useVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState === 'visible');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}
