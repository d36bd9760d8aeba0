// Persistence of login sessions and state intervals (agent_sessions, agent_state_history).
// Every change is one transaction: the open interval is closed and the next one opened with
// the same timestamp text, so intervals never overlap and never leave a gap.
import type { Db } from '../db/database.js';
import { iso } from './clock.js';

export type ActiveState = 'ready' | 'ringing' | 'talking' | 'wrap_up' | 'paused';
export type LoginSource = 'phone' | 'ui';
export type LogoutReason = 'agent' | 'forced' | 'displaced' | 'moved' | 'deactivated';
export type AfterCall = 'ready' | 'paused';

export interface StateSpec {
  state: ActiveState;
  reason: string | null;
  linkedid: string | null;
}

export interface SessionExtras {
  afterCall: AfterCall;
  afterCallReason: string | null;
  wrapUpEndsAt: number | null;
}

export interface OpenSession extends SessionExtras {
  sessionId: number;
  agentId: number;
  seat: string;
  loginAt: number;
  /** The open interval; null only if the store was left inconsistent (repaired on restore). */
  interval: (StateSpec & { id: number; startAt: number }) | null;
  /** End of the session's last closed interval (to reopen without a gap). */
  lastEndAt: number | null;
}

export interface HistoryRow {
  id: number;
  agentId: number;
  sessionId: number;
  seat: string;
  state: ActiveState;
  reason: string | null;
  linkedid: string | null;
  startAt: string;
  endAt: string | null;
}

export interface SessionRow {
  id: number;
  agentId: number;
  seat: string;
  loginAt: string;
  logoutAt: string | null;
  loginSource: LoginSource;
  logoutReason: LogoutReason | null;
}

/** What the state engine needs from storage (an in-memory fake in some unit tests). */
export interface StateStore {
  login(agentId: number, seat: string, source: LoginSource, at: number, first: StateSpec, extras: SessionExtras): { sessionId: number; intervalId: number };
  transition(agentId: number, sessionId: number, seat: string, closeIntervalId: number, at: number, next: StateSpec, extras: SessionExtras): number;
  /** Changes the open interval in place (a state that lasted no time at all leaves no row). */
  replace(intervalId: number, next: StateSpec, sessionId: number, extras: SessionExtras): void;
  saveExtras(sessionId: number, extras: SessionExtras): void;
  logout(sessionId: number, closeIntervalId: number, at: number, reason: LogoutReason): void;
  openSessions(): OpenSession[];
  /** Opens an interval in a session that has none open (repair after an inconsistent store). */
  reopen(agentId: number, sessionId: number, seat: string, at: number, spec: StateSpec): number;
}

interface OpenRow {
  id: number;
  agent_id: number;
  seat: string;
  login_at: string;
  after_call: AfterCall;
  after_call_reason: string | null;
  wrap_up_ends_at: string | null;
  h_id: number | null;
  h_state: ActiveState | null;
  h_reason: string | null;
  h_linkedid: string | null;
  h_start: string | null;
  last_end: string | null;
}

const ms = (s: string): number => Date.parse(s);

export class SqliteStateStore implements StateStore {
  constructor(private readonly db: Db) {}

  private insertInterval(agentId: number, sessionId: number, seat: string, at: number, s: StateSpec): number {
    const r = this.db
      .prepare('INSERT INTO agent_state_history (agent_id, session_id, seat, state, reason, linkedid, start_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(agentId, sessionId, seat, s.state, s.reason, s.linkedid, iso(at));
    return Number(r.lastInsertRowid);
  }

  private closeInterval(id: number, at: number): void {
    const r = this.db.prepare('UPDATE agent_state_history SET end_at = ? WHERE id = ? AND end_at IS NULL').run(iso(at), id);
    if (r.changes !== 1) throw new Error(`agent state interval ${id} is not open; refusing to write an inconsistent history`);
  }

  saveExtras(sessionId: number, e: SessionExtras): void {
    this.db
      .prepare('UPDATE agent_sessions SET after_call = ?, after_call_reason = ?, wrap_up_ends_at = ? WHERE id = ?')
      .run(e.afterCall, e.afterCallReason, e.wrapUpEndsAt === null ? null : iso(e.wrapUpEndsAt), sessionId);
  }

  login(agentId: number, seat: string, source: LoginSource, at: number, first: StateSpec, extras: SessionExtras): { sessionId: number; intervalId: number } {
    return this.db.transaction(() => {
      const r = this.db
        .prepare('INSERT INTO agent_sessions (agent_id, seat, login_at, login_source) VALUES (?, ?, ?, ?)')
        .run(agentId, seat, iso(at), source);
      const sessionId = Number(r.lastInsertRowid);
      this.saveExtras(sessionId, extras);
      return { sessionId, intervalId: this.insertInterval(agentId, sessionId, seat, at, first) };
    })();
  }

  transition(agentId: number, sessionId: number, seat: string, closeIntervalId: number, at: number, next: StateSpec, extras: SessionExtras): number {
    return this.db.transaction(() => {
      this.closeInterval(closeIntervalId, at);
      this.saveExtras(sessionId, extras);
      return this.insertInterval(agentId, sessionId, seat, at, next);
    })();
  }

  replace(intervalId: number, next: StateSpec, sessionId: number, extras: SessionExtras): void {
    this.db.transaction(() => {
      const r = this.db.prepare('UPDATE agent_state_history SET state = ?, reason = ?, linkedid = ? WHERE id = ? AND end_at IS NULL').run(next.state, next.reason, next.linkedid, intervalId);
      if (r.changes !== 1) throw new Error(`agent state interval ${intervalId} is not open; refusing to write an inconsistent history`);
      this.saveExtras(sessionId, extras);
    })();
  }

  logout(sessionId: number, closeIntervalId: number, at: number, reason: LogoutReason): void {
    this.db.transaction(() => {
      this.closeInterval(closeIntervalId, at);
      this.db
        .prepare('UPDATE agent_sessions SET logout_at = ?, logout_reason = ?, wrap_up_ends_at = NULL WHERE id = ? AND logout_at IS NULL')
        .run(iso(at), reason, sessionId);
    })();
  }

  reopen(agentId: number, sessionId: number, seat: string, at: number, spec: StateSpec): number {
    return this.insertInterval(agentId, sessionId, seat, at, spec);
  }

  openSessions(): OpenSession[] {
    const rows = this.db
      .prepare<[], OpenRow>(
        `SELECT s.id, s.agent_id, s.seat, s.login_at, s.after_call, s.after_call_reason, s.wrap_up_ends_at,
                h.id AS h_id, h.state AS h_state, h.reason AS h_reason, h.linkedid AS h_linkedid, h.start_at AS h_start,
                (SELECT MAX(end_at) FROM agent_state_history x WHERE x.session_id = s.id) AS last_end
           FROM agent_sessions s
           LEFT JOIN agent_state_history h ON h.session_id = s.id AND h.end_at IS NULL
          WHERE s.logout_at IS NULL
          ORDER BY s.id`,
      )
      .all();
    return rows.map((r) => ({
      sessionId: r.id,
      agentId: r.agent_id,
      seat: r.seat,
      loginAt: ms(r.login_at),
      afterCall: r.after_call,
      afterCallReason: r.after_call_reason,
      wrapUpEndsAt: r.wrap_up_ends_at ? ms(r.wrap_up_ends_at) : null,
      interval:
        r.h_id !== null && r.h_state !== null && r.h_start !== null
          ? { id: r.h_id, state: r.h_state, reason: r.h_reason, linkedid: r.h_linkedid, startAt: ms(r.h_start) }
          : null,
      lastEndAt: r.last_end ? ms(r.last_end) : null,
    }));
  }

  /** Intervals of an agent overlapping [from, to) (open ones included), oldest first. */
  history(agentId: number, from: string, to: string): HistoryRow[] {
    return this.db
      .prepare<[number, string, string], HistoryRow>(
        `SELECT id, agent_id AS agentId, session_id AS sessionId, seat, state, reason, linkedid, start_at AS startAt, end_at AS endAt
           FROM agent_state_history
          WHERE agent_id = ? AND start_at < ? AND (end_at IS NULL OR end_at > ?)
          ORDER BY start_at, id`,
      )
      .all(agentId, to, from);
  }

  sessions(agentId: number, from: string, to: string): SessionRow[] {
    return this.db
      .prepare<[number, string, string], SessionRow>(
        `SELECT id, agent_id AS agentId, seat, login_at AS loginAt, logout_at AS logoutAt, login_source AS loginSource, logout_reason AS logoutReason
           FROM agent_sessions
          WHERE agent_id = ? AND login_at < ? AND (logout_at IS NULL OR logout_at > ?)
          ORDER BY login_at, id`,
      )
      .all(agentId, to, from);
  }

  /** When each seat's last session ended (the "since" of an empty seat). */
  lastLogoutBySeat(): Map<string, number> {
    const rows = this.db.prepare<[], { seat: string; at: string }>('SELECT seat, MAX(logout_at) AS at FROM agent_sessions WHERE logout_at IS NOT NULL GROUP BY seat').all();
    return new Map(rows.map((r) => [r.seat, ms(r.at)]));
  }
}
