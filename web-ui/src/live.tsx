// The live feed: one websocket to /api/v1/live per signed-in tab, reconnecting with
// exponential backoff; its state (system status, live calls, connection) is shared by
// every page through LiveProvider/useLive.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LiveCall, LiveMessage, SystemStatus } from '../../firmware-agent/src/http/schemas.js';
import { liveUrl } from './api.js';

export type LiveConn = 'connecting' | 'open' | 'reconnecting';

export interface LiveState {
  conn: LiveConn;
  /** epoch ms of the next reconnection attempt while reconnecting */
  retryAt: number | null;
  status: SystemStatus | null;
  /** live calls by linkedid; ended calls stay ENDED_LINGER_MS (state 'ended') before they go */
  calls: Record<string, LiveCall>;
  /** epoch ms of the last message */
  updatedAt: number | null;
}

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
/** The server sends system.status at least every 5 s; silence this long means a dead link. */
const SILENCE_MS = 15000;
const ENDED_LINGER_MS = 5000;

export function backoffDelay(attempt: number): number {
  const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 30000;
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export const initialLiveState: LiveState = { conn: 'connecting', retryAt: null, status: null, calls: {}, updatedAt: null };

export function applyMessage(s: LiveState, msg: LiveMessage, now: number): LiveState {
  switch (msg.type) {
    case 'hello': {
      const calls: Record<string, LiveCall> = {};
      for (const c of msg.data.calls) calls[c.linkedid] = c;
      return { ...s, status: msg.data.status, calls, updatedAt: now };
    }
    case 'system.status':
      return { ...s, status: msg.data, updatedAt: now };
    case 'call.updated':
      return { ...s, calls: { ...s.calls, [msg.data.linkedid]: msg.data }, updatedAt: now };
    case 'call.ended':
      return { ...s, calls: { ...s.calls, [msg.data.linkedid]: { ...msg.data, state: 'ended' } }, updatedAt: now };
    default:
      return s;
  }
}

interface LiveValue extends LiveState {
  reconnectNow: () => void;
}

const LiveContext = createContext<LiveValue | null>(null);

/** Pages that keep their own state from the feed (seats, trunks, …) listen to every message. */
const messageListeners = new Set<(msg: LiveMessage) => void>();

/** Calls `fn` with every live message while the caller is mounted (`fn` may change freely). */
export function useLiveMessages(fn: (msg: LiveMessage) => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const l = (m: LiveMessage) => ref.current(m);
    messageListeners.add(l);
    return () => {
      messageListeners.delete(l);
    };
  }, []);
}

export function LiveProvider({ children, onAuthLost }: { children: ComponentChildren; onAuthLost: () => void }) {
  const [state, setState] = useState<LiveState>(initialLiveState);
  const ctl = useRef<{ reconnectNow: () => void }>({ reconnectNow: () => {} });
  const authLost = useRef(onAuthLost);
  authLost.current = onAuthLost;

  useEffect(() => {
    let ws: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let silenceTimer: ReturnType<typeof setTimeout> | undefined;
    const lingerTimers = new Map<string, ReturnType<typeof setTimeout>>();

    const armSilence = () => {
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => ws?.close(), SILENCE_MS);
    };

    const scheduleRetry = () => {
      if (stopped) return;
      const delay = backoffDelay(attempt++);
      setState((s) => ({ ...s, conn: 'reconnecting', retryAt: Date.now() + delay }));
      clearTimeout(retryTimer);
      retryTimer = setTimeout(async () => {
        // After repeated failures, check whether the session is gone (a websocket
        // refused for lack of a session looks like any other failure).
        if (attempt >= 2) {
          try {
            const r = await fetch('/api/v1/auth/me', { credentials: 'same-origin' });
            if (r.status === 401) {
              if (!stopped) authLost.current();
              return;
            }
          } catch {
            /* server unreachable: keep retrying */
          }
        }
        connect();
      }, delay);
    };

    const connect = () => {
      if (stopped) return;
      clearTimeout(retryTimer);
      let sock: WebSocket;
      try {
        sock = new WebSocket(liveUrl());
      } catch {
        scheduleRetry();
        return;
      }
      ws = sock;
      sock.onopen = () => armSilence();
      sock.onmessage = (ev) => {
        if (ws !== sock) return;
        armSilence();
        let msg: LiveMessage;
        try {
          msg = JSON.parse(String(ev.data)) as LiveMessage;
        } catch {
          return;
        }
        const now = Date.now();
        for (const l of messageListeners) l(msg);
        if (msg.type === 'hello') attempt = 0;
        if (msg.type === 'call.ended') {
          const id = msg.data.linkedid;
          clearTimeout(lingerTimers.get(id));
          lingerTimers.set(
            id,
            setTimeout(() => {
              lingerTimers.delete(id);
              setState((s) => {
                if (s.calls[id]?.state !== 'ended') return s;
                const calls = { ...s.calls };
                delete calls[id];
                return { ...s, calls };
              });
            }, ENDED_LINGER_MS),
          );
        }
        setState((s) => {
          const next = applyMessage(s, msg, now);
          return msg.type === 'hello' ? { ...next, conn: 'open', retryAt: null } : next;
        });
      };
      sock.onclose = (ev) => {
        if (ws !== sock) return;
        ws = null;
        clearTimeout(silenceTimer);
        // 4401: the server refused the socket because there is no valid session.
        if (ev.code === 4401) {
          stopped = true;
          authLost.current();
          return;
        }
        scheduleRetry();
      };
      sock.onerror = () => {
        /* onclose follows */
      };
    };

    ctl.current.reconnectNow = () => {
      attempt = 0;
      if (ws) ws.close();
      else connect();
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(silenceTimer);
      for (const t of lingerTimers.values()) clearTimeout(t);
      if (ws) {
        const s = ws;
        ws = null;
        s.close();
      }
    };
  }, []);

  const value = useMemo<LiveValue>(() => ({ ...state, reconnectNow: () => ctl.current.reconnectNow() }), [state]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveValue {
  const v = useContext(LiveContext);
  if (!v) throw new Error('useLive outside LiveProvider');
  return v;
}

/** Re-render every `ms` while `enabled` (for ticking durations and countdowns). */
export function useNow(ms = 1000, enabled = true): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!enabled) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms, enabled]);
  return now;
}
