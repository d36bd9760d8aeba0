// Shared helpers of the agents unit tests: a fake clock whose timers fire only when the test
// advances time, temp databases, and the interval invariants every history must satisfy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Clock } from '../../firmware-agent/src/agents/clock.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';

export class FakeClock implements Clock {
  private seq = 0;
  private timers: Array<{ id: number; at: number; fn: () => void }> = [];
  constructor(public t = Date.parse('2026-03-02T09:00:00.000Z')) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward, firing due timers at their due time, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }
}

const dirs: string[] = [];
export function tempDb(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'seatbox-agents-'));
  dirs.push(dir);
  return openDatabase(dir);
}
export function cleanupDbs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function addAgent(db: Db, number: string, name = `Agent ${number}`): number {
  return Number(db.prepare('INSERT INTO agents (number, name) VALUES (?, ?)').run(number, name).lastInsertRowid);
}

export interface Row {
  state: string;
  reason: string | null;
  linkedid: string | null;
  start_at: string;
  end_at: string | null;
  seat: string;
  session_id: number;
}

export function historyOf(db: Db, agentId: number): Row[] {
  return db.prepare('SELECT state, reason, linkedid, start_at, end_at, seat, session_id FROM agent_state_history WHERE agent_id = ? ORDER BY start_at, id').all(agentId) as Row[];
}

/** [state, reason|linkedid, seconds after t0 of start, seconds of end or null] — compact expectations. */
export function compact(rows: Row[], t0: number): Array<[string, string | null, number, number | null]> {
  const s = (v: string) => (Date.parse(v) - t0) / 1000;
  return rows.map((r) => [r.state, r.state === 'paused' ? r.reason : r.linkedid, s(r.start_at), r.end_at === null ? null : s(r.end_at)]);
}

/**
 * The invariants reports rely on: per session the intervals start at login, each ends exactly
 * where the next starts (same text), the last ends at logout (open while logged in); at most
 * one open interval per agent; sessions of an agent do not overlap.
 */
export function assertHistoryExact(db: Db): void {
  const sessions = db.prepare('SELECT id, agent_id, login_at, logout_at FROM agent_sessions ORDER BY agent_id, login_at, id').all() as Array<{ id: number; agent_id: number; login_at: string; logout_at: string | null }>;
  let prev: { agent_id: number; logout_at: string | null } | undefined;
  for (const s of sessions) {
    const rows = db.prepare('SELECT start_at, end_at FROM agent_state_history WHERE session_id = ? ORDER BY start_at, id').all(s.id) as Array<{ start_at: string; end_at: string | null }>;
    expect(rows.length, `session ${s.id} has intervals`).toBeGreaterThan(0);
    expect(rows[0]!.start_at, `session ${s.id} starts at login`).toBe(s.login_at);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.start_at, `session ${s.id} interval ${i} starts where ${i - 1} ended`).toBe(rows[i - 1]!.end_at);
    for (const r of rows) if (r.end_at !== null) expect(r.end_at >= r.start_at).toBe(true);
    expect(rows[rows.length - 1]!.end_at, `session ${s.id} last interval ends at logout`).toBe(s.logout_at);
    expect(rows.slice(0, -1).every((r) => r.end_at !== null)).toBe(true);
    if (prev && prev.agent_id === s.agent_id) {
      expect(prev.logout_at, 'an earlier session of the agent is closed').not.toBeNull();
      expect(prev.logout_at! <= s.login_at, 'sessions of one agent do not overlap').toBe(true);
    }
    prev = s;
  }
}
