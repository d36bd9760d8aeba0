// The agent state machine with event sequences, an injected clock and the real SQLite store:
// every scenario checks the exact intervals written (states, order, timestamps, no gaps).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentActionError, AgentEngine, IDLE, type SeatPhase } from '../../firmware-agent/src/agents/engine.js';
import { SqliteStateStore } from '../../firmware-agent/src/agents/state-store.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { addAgent, assertHistoryExact, cleanupDbs, compact, FakeClock, historyOf, tempDb } from './agents-support.js';

let db: Db;
let clock: FakeClock;
let t0: number;
let wrap: number;
let changes: string[];
let a1: number;
let a2: number;

function engine(): AgentEngine {
  return new AgentEngine({
    store: new SqliteStateStore(db),
    clock,
    wrapUpSeconds: () => wrap,
    agentRef: (id) => ({ id, number: String(1000 + id), name: `A${id}` }),
    onSeatChange: (s) => changes.push(s),
  });
}
const ref = (id: number) => ({ id, number: String(1000 + id), name: `A${id}` });
const ring = (linkedid: string): SeatPhase => ({ kind: 'ringing', linkedid });
const talk = (linkedid: string): SeatPhase => ({ kind: 'talking', linkedid });
const sec = (n: number) => clock.advance(n * 1000);

beforeEach(() => {
  db = tempDb();
  clock = new FakeClock();
  t0 = clock.now();
  wrap = 15;
  changes = [];
  a1 = addAgent(db, '1001');
  a2 = addAgent(db, '1002');
});
afterEach(() => {
  assertHistoryExact(db);
  db.close();
  cleanupDbs();
});

describe('agent state machine', () => {
  it('login, pause with a reason, ready, logout: exact intervals and a closed session', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    sec(10);
    expect(e.pause(a1, '2')).toBe('now');
    sec(60);
    e.ready(a1);
    sec(5);
    e.logout(a1, 'agent');
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['ready', null, 0, 10],
      ['paused', '2', 10, 70],
      ['ready', null, 70, 75],
    ]);
    const s = db.prepare('SELECT seat, login_at, logout_at, login_source, logout_reason FROM agent_sessions').get() as Record<string, string>;
    expect(s).toEqual({ seat: '8001', login_at: new Date(t0).toISOString(), logout_at: new Date(t0 + 75_000).toISOString(), login_source: 'ui', logout_reason: 'agent' });
    expect(e.atSeat('8001')).toBeUndefined();
    expect(changes.length).toBeGreaterThanOrEqual(4);
  });

  it('a call: ringing → talking → wrap-up ended by the timer exactly 15 s after hangup → ready', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    sec(3);
    e.setSeatPhase('8001', ring('L1'));
    sec(4);
    e.setSeatPhase('8001', talk('L1'));
    sec(30);
    e.setSeatPhase('8001', IDLE);
    expect(e.ofAgent(a1)).toMatchObject({ state: 'wrap_up', wrapUpEndsAt: t0 + 52_000, linkedid: 'L1' });
    expect(clock.pending).toBe(1);
    sec(14.999);
    expect(e.ofAgent(a1)?.state).toBe('wrap_up');
    sec(0.001);
    expect(e.ofAgent(a1)?.state).toBe('ready');
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['ready', null, 0, 3],
      ['ringing', 'L1', 3, 7],
      ['talking', 'L1', 7, 37],
      ['wrap_up', 'L1', 37, 52],
      ['ready', null, 52, null],
    ]);
  });

  it('ready during wrap-up ends it at once; pause during wrap-up pauses at once', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'phone' });
    e.setSeatPhase('8001', talk('L1'));
    sec(20);
    e.setSeatPhase('8001', IDLE);
    sec(4);
    expect(e.ready(a1)).toBe('now');
    e.setSeatPhase('8001', talk('L2'));
    sec(10);
    e.setSeatPhase('8001', IDLE);
    sec(2);
    expect(e.pause(a1, '5')).toBe('now');
    sec(100); // the old wrap-up timer must not fire into the pause
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['talking', 'L1', 0, 20],
      ['wrap_up', 'L1', 20, 24],
      ['talking', 'L2', 24, 34],
      ['wrap_up', 'L2', 34, 36],
      ['paused', '5', 36, null],
    ]);
    expect(clock.pending).toBe(0);
  });

  it('a pause asked for during a call takes effect after the call and its wrap-up', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    e.setSeatPhase('8001', ring('L1'));
    sec(2);
    e.setSeatPhase('8001', talk('L1'));
    sec(5);
    expect(e.pause(a1, '1')).toBe('after_call');
    expect(e.ofAgent(a1)?.state).toBe('talking');
    sec(5);
    e.setSeatPhase('8001', IDLE);
    sec(15);
    expect(e.ofAgent(a1)).toMatchObject({ state: 'paused', reason: '1' });
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['ringing', 'L1', 0, 2],
      ['talking', 'L1', 2, 12],
      ['wrap_up', 'L1', 12, 27],
      ['paused', '1', 27, null],
    ]);
  });

  it('ready during a call cancels a pending pause', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    e.setSeatPhase('8001', talk('L1'));
    e.pause(a1, '3');
    sec(1);
    expect(e.ready(a1)).toBe('after_call');
    sec(1);
    e.setSeatPhase('8001', IDLE);
    sec(15);
    expect(e.ofAgent(a1)?.state).toBe('ready');
  });

  it('a ring that is not answered returns to the previous state (the same pause reason)', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    e.pause(a1, '4');
    sec(10);
    e.setSeatPhase('8001', ring('L1'));
    sec(20);
    e.setSeatPhase('8001', IDLE);
    sec(1);
    expect(e.ofAgent(a1)).toMatchObject({ state: 'paused', reason: '4' });
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['paused', '4', 0, 10],
      ['ringing', 'L1', 10, 30],
      ['paused', '4', 30, null],
    ]);
    expect(clock.pending).toBe(0);
  });

  it('a ring during wrap-up returns to the same wrap-up; a ring outlasting it returns to ready', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    e.setSeatPhase('8001', talk('L1'));
    sec(10);
    e.setSeatPhase('8001', IDLE); // wrap-up 10..25
    sec(3);
    e.setSeatPhase('8001', ring('L2'));
    sec(4);
    e.setSeatPhase('8001', IDLE); // back to wrap-up until 25
    expect(e.ofAgent(a1)).toMatchObject({ state: 'wrap_up', wrapUpEndsAt: t0 + 25_000, linkedid: 'L1' });
    sec(8);
    expect(e.ofAgent(a1)?.state).toBe('ready');
    sec(2); // 27
    e.setSeatPhase('8001', talk('L3'));
    sec(3);
    e.setSeatPhase('8001', IDLE); // wrap-up 30..45
    sec(1);
    e.setSeatPhase('8001', ring('L4'));
    sec(30); // 61: the wrap-up ran out while ringing
    e.setSeatPhase('8001', IDLE);
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['talking', 'L1', 0, 10],
      ['wrap_up', 'L1', 10, 13],
      ['ringing', 'L2', 13, 17],
      ['wrap_up', 'L1', 17, 25],
      ['ready', null, 25, 27],
      ['talking', 'L3', 27, 30],
      ['wrap_up', 'L3', 30, 31],
      ['ringing', 'L4', 31, 61],
      ['ready', null, 61, null],
    ]);
  });

  it('two calls on one seat: the second ringing does not interrupt talking; the call that stays up goes on', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    e.setSeatPhase('8001', talk('L1'));
    sec(5);
    e.setSeatPhase('8001', talk('L1')); // L2 rings while L1 is up: the seat is still talking L1
    sec(5);
    e.setSeatPhase('8001', talk('L2')); // L1 hung up, L2 answered meanwhile
    sec(5);
    e.setSeatPhase('8001', ring('L3')); // L2 ended, L3 rings: wrap-up of L2 is what a miss returns to
    sec(2);
    e.setSeatPhase('8001', IDLE);
    sec(20);
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['talking', 'L1', 0, 10],
      ['talking', 'L2', 10, 15],
      ['ringing', 'L3', 15, 17],
      ['wrap_up', 'L2', 17, 30],
      ['ready', null, 30, null],
    ]);
  });

  it('wrap-up time 0 goes straight to what the agent asked for', () => {
    wrap = 0;
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    e.setSeatPhase('8001', talk('L1'));
    e.pause(a1, '2');
    sec(9);
    e.setSeatPhase('8001', IDLE);
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['talking', 'L1', 0, 9],
      ['paused', '2', 9, null],
    ]);
  });

  it('one agent per seat, one seat per agent: taken seats are refused unless displaced; moving ends the old session', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    sec(1);
    expect(() => e.login(ref(a2), '8001', { source: 'ui' })).toThrowError(AgentActionError);
    try {
      e.login(ref(a2), '8001', { source: 'ui' });
    } catch (err) {
      expect((err as AgentActionError).code).toBe('seat_taken');
      expect((err as Error).message).toMatch(/seat 8001 is in use by agent 1001/);
    }
    // The phone does not displace an agent who is on a call at that seat.
    e.setSeatPhase('8001', talk('L1'));
    expect(() => e.login(ref(a2), '8001', { source: 'phone', displace: 'if_idle' })).toThrowError(/on a call/);
    e.setSeatPhase('8001', IDLE);
    e.ready(a1);
    sec(1);
    const r = e.login(ref(a2), '8001', { source: 'phone', displace: 'if_idle' });
    expect(r.displaced?.agent.id).toBe(a1);
    expect(e.ofAgent(a1)).toBeUndefined();
    sec(1);
    const m = e.login(ref(a2), '8002', { source: 'ui' });
    expect(m.moved).toBe('8001');
    expect(e.atSeat('8001')).toBeUndefined();
    expect(e.atSeat('8002')?.agent.id).toBe(a2);
    const reasons = db.prepare('SELECT agent_id, seat, logout_reason FROM agent_sessions ORDER BY id').all();
    expect(reasons).toEqual([
      { agent_id: a1, seat: '8001', logout_reason: 'displaced' },
      { agent_id: a2, seat: '8001', logout_reason: 'moved' },
      { agent_id: a2, seat: '8002', logout_reason: null },
    ]);
    // Logging in again where one already is: nothing changes.
    expect(e.login(ref(a2), '8002', { source: 'ui' }).agent.sessionId).toBe(e.ofAgent(a2)!.sessionId);
  });

  it('logging in during a call on the seat starts in that call', () => {
    const e = engine();
    e.setSeatPhase('8001', talk('L9'));
    e.login(ref(a1), '8001', { source: 'ui' });
    sec(3);
    e.setSeatPhase('8001', IDLE);
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['talking', 'L9', 0, 3],
      ['wrap_up', 'L9', 3, null],
    ]);
  });

  it('after an AMI reconnect: calls that vanished end (talking → wrap-up, ringing → previous state); nothing stays talking', () => {
    const e = engine();
    e.login(ref(a1), '8001', { source: 'ui' });
    e.login(ref(a2), '8002', { source: 'ui' });
    e.pause(a2, '1');
    e.setSeatPhase('8001', talk('L1'));
    e.setSeatPhase('8002', ring('L2'));
    sec(40); // Asterisk restarted meanwhile
    e.resync(new Map());
    expect(e.ofAgent(a1)).toMatchObject({ state: 'wrap_up', linkedid: 'L1' });
    expect(e.ofAgent(a2)).toMatchObject({ state: 'paused', reason: '1' });
    sec(15);
    expect(e.ofAgent(a1)?.state).toBe('ready');
    // A call that survived the reconnect stays.
    e.setSeatPhase('8001', talk('L3'));
    e.resync(new Map([['8001', talk('L3')]]));
    expect(e.ofAgent(a1)).toMatchObject({ state: 'talking', linkedid: 'L3' });
  });

  it('after an agent-process restart the open intervals go on; a wrap-up that ran out meanwhile ends at its planned time', () => {
    const e1 = engine();
    e1.login(ref(a1), '8001', { source: 'ui' });
    e1.login(ref(a2), '8002', { source: 'ui' });
    e1.setSeatPhase('8001', talk('L1'));
    e1.setSeatPhase('8002', talk('L2'));
    e1.pause(a2, '3');
    sec(10);
    e1.setSeatPhase('8001', IDLE); // wrap-up of a1 until 25
    e1.setSeatPhase('8002', IDLE); // wrap-up of a2 until 25, then paused
    sec(2);
    e1.stop();
    sec(60); // process down
    const e2 = engine();
    e2.restore();
    expect(e2.ofAgent(a1)).toMatchObject({ state: 'ready', since: t0 + 25_000 });
    expect(e2.ofAgent(a2)).toMatchObject({ state: 'paused', reason: '3', since: t0 + 25_000 });
    e2.setSeatPhase('8001', talk('L5'));
    expect(compact(historyOf(db, a1), t0)).toEqual([
      ['talking', 'L1', 0, 10],
      ['wrap_up', 'L1', 10, 25],
      ['ready', null, 25, 72],
      ['talking', 'L5', 72, null],
    ]);
  });

  it('after a restart with a call on record the state waits for the resync; a wrap-up still running keeps its timer', () => {
    const e1 = engine();
    e1.login(ref(a1), '8001', { source: 'ui' });
    e1.login(ref(a2), '8002', { source: 'ui' });
    e1.setSeatPhase('8001', talk('L1'));
    e1.setSeatPhase('8002', talk('L2'));
    sec(5);
    e1.setSeatPhase('8002', IDLE); // wrap-up until 20
    e1.stop();
    sec(5);
    const e2 = engine();
    e2.restore();
    expect(e2.ofAgent(a1)?.state).toBe('talking');
    expect(e2.ofAgent(a2)?.state).toBe('wrap_up');
    e2.resync(new Map());
    expect(e2.ofAgent(a1)?.state).toBe('wrap_up');
    sec(10);
    expect(e2.ofAgent(a2)?.state).toBe('ready');
    expect(compact(historyOf(db, a2), t0)).toEqual([
      ['talking', 'L2', 0, 5],
      ['wrap_up', 'L2', 5, 20],
      ['ready', null, 20, null],
    ]);
  });

  it('actions on an agent who is not logged in are refused with a clear error', () => {
    const e = engine();
    expect(() => e.pause(a1, '1')).toThrowError(/agent \d+ is not logged in/);
    expect(() => e.ready(a1)).toThrowError(AgentActionError);
    expect(() => e.logout(a1, 'agent')).toThrowError(AgentActionError);
  });
});

describe('moving to another seat on a clock that ticks between reads', () => {
  it('the new session starts exactly where the moved one ended (no overlap)', () => {
    // A real clock moves on between the login's and the logout's readings; this one ticks 1 ms per read.
    const ticking = new (class extends FakeClock {
      override now(): number {
        return ++this.t;
      }
    })();
    const e = new AgentEngine({ store: new SqliteStateStore(db), clock: ticking, wrapUpSeconds: () => 0, agentRef: ref, onSeatChange: () => {} });
    e.login(ref(a1), '8001', { source: 'ui' });
    e.login(ref(a1), '8002', { source: 'ui' });
    e.login(ref(a1), '8003', { source: 'phone' });
    const s = db.prepare('SELECT login_at, logout_at FROM agent_sessions WHERE agent_id = ? ORDER BY id').all(a1) as Array<{ login_at: string; logout_at: string | null }>;
    expect(s).toHaveLength(3);
    expect(s[1]!.login_at).toBe(s[0]!.logout_at);
    expect(s[2]!.login_at).toBe(s[1]!.logout_at);
    assertHistoryExact(db);
    e.stop();
  });
});
