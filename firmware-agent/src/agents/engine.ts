// Our own agent state machine (docs/agent-states.md). app_queue's pause/wrap-up accounting
// is not trusted: it ends wrap-up early and merges pause intervals. Inputs are the agent's
// actions (UI or phone feature codes) and the call phase of the agent's seat (from AMI
// channel events); every change is persisted as an exact interval by the StateStore.
import type { Logger } from '../logging.js';
import type { Clock } from './clock.js';
import type { ActiveState, AfterCall, LoginSource, LogoutReason, SessionExtras, StateSpec, StateStore } from './state-store.js';

export interface AgentRef {
  id: number;
  number: string;
  name: string;
}

/** What is happening on a seat's phone, from its channels. */
export type SeatPhase = { kind: 'idle' } | { kind: 'ringing'; linkedid: string } | { kind: 'talking'; linkedid: string };
export const IDLE: SeatPhase = { kind: 'idle' };

export interface LiveAgent {
  agent: AgentRef;
  seat: string;
  sessionId: number;
  intervalId: number;
  state: ActiveState;
  /** epoch ms the current state began */
  since: number;
  /** pause reason code while paused */
  reason: string | null;
  linkedid: string | null;
  /** What the agent asked for when no call or wrap-up holds them: ready, or paused with a reason. */
  afterCall: AfterCall;
  afterCallReason: string | null;
  /** Running wrap-up's end (kept while a ring interrupts the wrap-up). */
  wrapUpEndsAt: number | null;
  /** The call a pending wrap-up belongs to (wrap-up interrupted by a ring). */
  wrapLinkedid: string | null;
}

export class AgentActionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    // read by the HTTP error handler
    readonly statusCode = 409,
  ) {
    super(message);
    this.name = 'AgentActionError';
  }
}

export interface EngineOptions {
  store: StateStore;
  clock: Clock;
  /** Wrap-up seconds for an agent (its override or the box-wide setting); 0 = none. */
  wrapUpSeconds: (agentId: number) => number;
  /** Agent facts (name, number) by id, for sessions restored after a restart. */
  agentRef: (agentId: number) => AgentRef | undefined;
  /** Called after every change of what a seat shows. */
  onSeatChange?: (seat: string) => void;
  /**
   * The agent desktop's disposition hold (desk/wrap-holds.ts): while true the agent stays in
   * wrap-up after a talked call, even past the wrap-up timer, until releaseWrapUp().
   */
  wrapUpHold?: (agentId: number) => boolean;
  /**
   * Consulted before every login (UI, desk, phone): a refusal throws AgentActionError with its
   * code and status (training gate, docs/training.md). A seat change of a logged-in agent too.
   */
  loginGate?: LoginGate;
  logger?: Logger;
}

export type LoginGateResult = { ok: true } | { ok: false; code: string; message: string; status?: number };
export type LoginGate = (agentId: number) => LoginGateResult;

export type PauseEffect = 'now' | 'after_call';

export class AgentEngine {
  private readonly byAgent = new Map<number, LiveAgent>();
  private readonly bySeat = new Map<string, LiveAgent>();
  private readonly phases = new Map<string, SeatPhase>();
  private readonly timers = new Map<number, unknown>();
  /** When an empty seat's last agent left (epoch ms). */
  private readonly seatFreedAt = new Map<string, number>();

  constructor(private readonly opts: EngineOptions) {}

  /** Sets the disposition hold after construction (main.ts wires the desk in later). */
  setWrapUpHold(fn: ((agentId: number) => boolean) | undefined): void {
    this.opts.wrapUpHold = fn;
  }

  /** Sets the login gate after construction (main.ts wires the training module in later). */
  setLoginGate(fn: LoginGate | undefined): void {
    this.opts.loginGate = fn;
  }

  /** True while the desk holds this agent in wrap-up (disposition missing). */
  isHeld(agentId: number): boolean {
    try {
      return this.opts.wrapUpHold?.(agentId) ?? false;
    } catch (err) {
      this.opts.logger?.error({ err, agentId }, 'wrap-up hold check threw; not holding');
      return false;
    }
  }

  /**
   * The hold was released (disposition saved): a wrap-up whose timer ran out, or that had no
   * timer, ends now; one with time left runs on.
   */
  releaseWrapUp(agentId: number): void {
    const a = this.byAgent.get(agentId);
    if (!a || a.state !== 'wrap_up' || this.isHeld(agentId)) return;
    const now = this.opts.clock.now();
    a.wrapUpEndsAt = null;
    a.wrapLinkedid = null;
    this.go(a, now, this.afterCallSpec(a));
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  agents(): LiveAgent[] {
    return [...this.byAgent.values()];
  }

  ofAgent(agentId: number): LiveAgent | undefined {
    return this.byAgent.get(agentId);
  }

  atSeat(seat: string): LiveAgent | undefined {
    return this.bySeat.get(seat);
  }

  seatFreedSince(seat: string): number | undefined {
    return this.seatFreedAt.get(seat);
  }

  noteSeatFreed(seat: string, at: number): void {
    if ((this.seatFreedAt.get(seat) ?? -Infinity) < at) this.seatFreedAt.set(seat, at);
  }

  phaseOf(seat: string): SeatPhase {
    return this.phases.get(seat) ?? IDLE;
  }

  // ---- restart -------------------------------------------------------------------------

  /**
   * Picks up the sessions that were open when the process stopped: the open interval goes
   * on (the agent really stayed in that state as far as we know). A wrap-up that ran out
   * meanwhile ends at its planned time. Calls are checked at the next resync().
   */
  restore(): void {
    const now = this.opts.clock.now();
    for (const s of this.opts.store.openSessions()) {
      const ref = this.opts.agentRef(s.agentId) ?? { id: s.agentId, number: String(s.agentId), name: '' };
      let interval = s.interval;
      if (!interval) {
        // A session without an open interval cannot be produced by this code; repair it
        // without a gap from where its last interval ended.
        const at = s.lastEndAt ?? s.loginAt;
        const spec: StateSpec = s.afterCall === 'paused' ? { state: 'paused', reason: s.afterCallReason, linkedid: null } : { state: 'ready', reason: null, linkedid: null };
        const id = this.opts.store.reopen(s.agentId, s.sessionId, s.seat, at, spec);
        interval = { id, startAt: at, ...spec };
        this.opts.logger?.warn({ agentId: s.agentId, sessionId: s.sessionId }, 'open agent session had no open state interval; reopened');
      }
      const a: LiveAgent = {
        agent: ref,
        seat: s.seat,
        sessionId: s.sessionId,
        intervalId: interval.id,
        state: interval.state,
        since: interval.startAt,
        reason: interval.reason,
        linkedid: interval.linkedid,
        afterCall: s.afterCall,
        afterCallReason: s.afterCallReason,
        wrapUpEndsAt: s.wrapUpEndsAt,
        wrapLinkedid: interval.state === 'wrap_up' ? interval.linkedid : null,
      };
      this.byAgent.set(a.agent.id, a);
      this.bySeat.set(a.seat, a);
      this.settle(a, now);
      if (a.state === 'wrap_up') this.armTimer(a);
    }
  }

  // ---- agent actions -------------------------------------------------------------------

  /**
   * Logs an agent into a seat. The agent's session elsewhere ends ('moved'). A seat held by
   * another agent is refused unless `displace` says otherwise: 'always' (an explicit forced
   * login) or 'if_idle' (phone login: the person is at this phone, the other agent forgot
   * to log out — but not while that agent's call is still on the seat).
   */
  login(agent: AgentRef, seat: string, opts: { source: LoginSource; displace?: 'never' | 'if_idle' | 'always' }): { agent: LiveAgent; displaced: LiveAgent | null; moved: string | null } {
    const now = this.opts.clock.now();
    const mine = this.byAgent.get(agent.id);
    if (mine && mine.seat === seat) return { agent: mine, displaced: null, moved: null };
    const gate = this.opts.loginGate?.(agent.id);
    if (gate && !gate.ok) throw new AgentActionError(gate.code, gate.message, gate.status ?? 403);
    const other = this.bySeat.get(seat);
    let displaced: LiveAgent | null = null;
    if (other) {
      const mode = opts.displace ?? 'never';
      const busy = other.state === 'ringing' || other.state === 'talking';
      if (mode === 'never' || (mode === 'if_idle' && busy)) {
        throw new AgentActionError(
          busy ? 'seat_busy' : 'seat_taken',
          `seat ${seat} is in use by agent ${other.agent.number} (${other.agent.name})${busy ? ' who is on a call' : ''}; log that agent out first${mode === 'never' ? ' or log in with force' : ''}`,
        );
      }
      displaced = { ...other };
      this.logout(other.agent.id, 'displaced');
    }
    let moved: string | null = null;
    // The new session starts where the old one ended: logout reads the clock again (and clamps
    // to its interval's start), so `now` from above could lie a tick before it.
    let movedAt = -Infinity;
    if (mine) {
      moved = mine.seat;
      movedAt = this.logout(agent.id, 'moved').since;
    }
    const at = Math.max(now, movedAt, this.seatFreedAt.get(seat) ?? -Infinity);
    const phase = this.phaseOf(seat);
    const first: StateSpec =
      phase.kind === 'idle' ? { state: 'ready', reason: null, linkedid: null } : { state: phase.kind, reason: null, linkedid: phase.linkedid };
    const extras: SessionExtras = { afterCall: 'ready', afterCallReason: null, wrapUpEndsAt: null };
    const ids = this.opts.store.login(agent.id, seat, opts.source, at, first, extras);
    const a: LiveAgent = {
      agent,
      seat,
      sessionId: ids.sessionId,
      intervalId: ids.intervalId,
      state: first.state,
      since: at,
      reason: null,
      linkedid: first.linkedid,
      afterCall: 'ready',
      afterCallReason: null,
      wrapUpEndsAt: null,
      wrapLinkedid: null,
    };
    this.byAgent.set(agent.id, a);
    this.bySeat.set(seat, a);
    this.changed(seat);
    return { agent: a, displaced, moved };
  }

  logout(agentId: number, reason: LogoutReason): LiveAgent {
    const a = this.mustGet(agentId);
    const now = this.opts.clock.now();
    this.settle(a, now);
    const at = Math.max(now, a.since);
    this.opts.store.logout(a.sessionId, a.intervalId, at, reason);
    this.disarmTimer(a);
    this.byAgent.delete(agentId);
    if (this.bySeat.get(a.seat) === a) this.bySeat.delete(a.seat);
    this.noteSeatFreed(a.seat, at);
    this.changed(a.seat);
    return { ...a, since: at };
  }

  /**
   * Pause with a reason. Idle or in wrap-up: at once (pressing pause ends the wrap-up). On
   * a call (ringing or talking): after the call and its wrap-up.
   */
  pause(agentId: number, reason: string | null): PauseEffect {
    const a = this.mustGet(agentId);
    const now = this.opts.clock.now();
    this.settle(a, now);
    a.afterCall = 'paused';
    a.afterCallReason = reason;
    if (a.state === 'wrap_up' && this.isHeld(agentId)) {
      // The disposition is still missing: the pause follows it.
      this.saveExtras(a);
      return 'after_call';
    }
    switch (a.state) {
      case 'ready':
      case 'paused':
      case 'wrap_up':
        a.wrapUpEndsAt = null;
        a.wrapLinkedid = null;
        if (a.state !== 'paused' || a.reason !== reason) this.go(a, now, { state: 'paused', reason, linkedid: null });
        else this.saveExtras(a);
        return 'now';
      case 'ringing':
        // An unanswered ring then returns to the pause, not to the wrap-up it interrupted.
        a.wrapUpEndsAt = null;
        a.wrapLinkedid = null;
        this.saveExtras(a);
        return 'after_call';
      case 'talking':
        this.saveExtras(a);
        return 'after_call';
    }
  }

  /** Ready: ends a pause or a wrap-up at once; on a call, cancels a pending pause. */
  ready(agentId: number): PauseEffect {
    const a = this.mustGet(agentId);
    const now = this.opts.clock.now();
    this.settle(a, now);
    a.afterCall = 'ready';
    a.afterCallReason = null;
    if (a.state === 'wrap_up' && this.isHeld(agentId)) {
      this.saveExtras(a);
      return 'after_call';
    }
    a.wrapUpEndsAt = null;
    a.wrapLinkedid = null;
    if (a.state === 'paused' || a.state === 'wrap_up') {
      this.go(a, now, { state: 'ready', reason: null, linkedid: null });
      return 'now';
    }
    this.saveExtras(a);
    return a.state === 'ready' ? 'now' : 'after_call';
  }

  // ---- calls ---------------------------------------------------------------------------

  /** A seat's call phase changed (from the channel tracker). */
  setSeatPhase(seat: string, phase: SeatPhase): void {
    const prev = this.phases.get(seat) ?? IDLE;
    if (phase.kind === 'idle') this.phases.delete(seat);
    else this.phases.set(seat, phase);
    const a = this.bySeat.get(seat);
    if (!a) {
      if (prev.kind !== phase.kind) this.changed(seat);
      return;
    }
    this.apply(a, this.opts.clock.now());
  }

  /** After an AMI (re)connect: the complete phase of every seat (absent = idle). */
  resync(phases: Map<string, SeatPhase>): void {
    const seats = new Set([...this.phases.keys(), ...phases.keys(), ...this.bySeat.keys()]);
    this.phases.clear();
    for (const [seat, p] of phases) if (p.kind !== 'idle') this.phases.set(seat, p);
    const now = this.opts.clock.now();
    for (const seat of seats) {
      const a = this.bySeat.get(seat);
      if (a) this.apply(a, now);
      else this.changed(seat);
    }
  }

  /** Ends wrap-ups whose time is up (timers call this; so does every other input). */
  tick(): void {
    const now = this.opts.clock.now();
    for (const a of [...this.byAgent.values()]) this.settle(a, now);
  }

  /** Drops timers (process stop). Open intervals stay open: the state goes on. */
  stop(): void {
    for (const a of this.byAgent.values()) this.disarmTimer(a);
  }

  // ---- internals -----------------------------------------------------------------------

  private mustGet(agentId: number): LiveAgent {
    const a = this.byAgent.get(agentId);
    if (!a) throw new AgentActionError('not_logged_in', `agent ${agentId} is not logged in to any seat`);
    return a;
  }

  private afterCallSpec(a: LiveAgent): StateSpec {
    return a.afterCall === 'paused' ? { state: 'paused', reason: a.afterCallReason, linkedid: null } : { state: 'ready', reason: null, linkedid: null };
  }

  /** Follows the seat's call phase. */
  private apply(a: LiveAgent, now: number): void {
    this.settle(a, now);
    const p = this.phaseOf(a.seat);
    const t = Math.max(now, a.since);
    if (p.kind === 'talking') {
      if (a.state !== 'talking' || a.linkedid !== p.linkedid) {
        a.wrapUpEndsAt = null;
        a.wrapLinkedid = null;
        this.go(a, t, { state: 'talking', reason: null, linkedid: p.linkedid });
      }
      return;
    }
    if (p.kind === 'ringing') {
      if (a.state === 'ringing') return;
      if (a.state === 'talking') {
        // The talked call ended while another one rings: its wrap-up starts now and is
        // what an unanswered ring returns to.
        const wrap = this.wrapMs(a);
        a.wrapUpEndsAt = wrap > 0 ? t + wrap : null;
        a.wrapLinkedid = wrap > 0 || this.isHeld(a.agent.id) ? a.linkedid : null;
      } else if (a.state !== 'wrap_up') {
        a.wrapUpEndsAt = null;
        a.wrapLinkedid = null;
      }
      this.go(a, t, { state: 'ringing', reason: null, linkedid: p.linkedid });
      return;
    }
    // idle
    if (a.state === 'talking') {
      const wrap = this.wrapMs(a);
      if (this.isHeld(a.agent.id)) {
        // Disposition required: wrap-up even without a timer.
        a.wrapUpEndsAt = wrap > 0 ? t + wrap : null;
        a.wrapLinkedid = a.linkedid;
        this.go(a, t, { state: 'wrap_up', reason: null, linkedid: a.linkedid });
      } else if (wrap > 0) {
        a.wrapUpEndsAt = t + wrap;
        a.wrapLinkedid = a.linkedid;
        this.go(a, t, { state: 'wrap_up', reason: null, linkedid: a.linkedid });
      } else {
        this.go(a, t, this.afterCallSpec(a));
      }
    } else if (a.state === 'ringing') {
      // An unanswered ring returns to where the agent was: a wrap-up still running, or
      // what the agent asked for (ready / paused).
      if ((a.wrapUpEndsAt !== null && a.wrapUpEndsAt > t) || (a.wrapLinkedid !== null && this.isHeld(a.agent.id))) {
        this.go(a, t, { state: 'wrap_up', reason: null, linkedid: a.wrapLinkedid });
      } else {
        a.wrapUpEndsAt = null;
        a.wrapLinkedid = null;
        this.go(a, t, this.afterCallSpec(a));
      }
    }
  }

  /** Ends a wrap-up whose time is up, at its planned end (exact, however late we look). */
  private settle(a: LiveAgent, now: number): void {
    if (a.state !== 'wrap_up' || a.wrapUpEndsAt === null || a.wrapUpEndsAt > now) return;
    if (this.isHeld(a.agent.id)) return;
    const at = Math.max(a.wrapUpEndsAt, a.since);
    a.wrapUpEndsAt = null;
    a.wrapLinkedid = null;
    this.go(a, at, this.afterCallSpec(a));
  }

  private wrapMs(a: LiveAgent): number {
    return Math.max(0, Math.round(this.opts.wrapUpSeconds(a.agent.id) * 1000));
  }

  private extras(a: LiveAgent): SessionExtras {
    return { afterCall: a.afterCall, afterCallReason: a.afterCallReason, wrapUpEndsAt: a.wrapUpEndsAt };
  }

  private saveExtras(a: LiveAgent): void {
    this.opts.store.saveExtras(a.sessionId, this.extras(a));
    this.changed(a.seat);
  }

  private go(a: LiveAgent, at: number, next: StateSpec): void {
    const t = Math.max(at, a.since);
    if (t === a.since) this.opts.store.replace(a.intervalId, next, a.sessionId, this.extras(a));
    else a.intervalId = this.opts.store.transition(a.agent.id, a.sessionId, a.seat, a.intervalId, t, next, this.extras(a));
    a.state = next.state;
    a.reason = next.reason;
    a.linkedid = next.linkedid;
    a.since = t;
    if (a.state === 'wrap_up') this.armTimer(a);
    else this.disarmTimer(a);
    this.changed(a.seat);
  }

  private armTimer(a: LiveAgent): void {
    this.disarmTimer(a);
    if (a.wrapUpEndsAt === null) return;
    const id = a.agent.id;
    this.timers.set(
      id,
      this.opts.clock.setTimeout(() => {
        this.timers.delete(id);
        const cur = this.byAgent.get(id);
        if (!cur) return;
        this.settle(cur, this.opts.clock.now());
        // A timer that fired a hair early must not leave the wrap-up running forever (a held
        // wrap-up past its end waits for releaseWrapUp instead).
        if (cur.state === 'wrap_up' && !(cur.wrapUpEndsAt !== null && cur.wrapUpEndsAt <= this.opts.clock.now() && this.isHeld(id))) this.armTimer(cur);
      }, a.wrapUpEndsAt - this.opts.clock.now()),
    );
  }

  private disarmTimer(a: LiveAgent): void {
    const h = this.timers.get(a.agent.id);
    if (h !== undefined) {
      this.opts.clock.clearTimeout(h);
      this.timers.delete(a.agent.id);
    }
  }

  private changed(seat: string): void {
    try {
      this.opts.onSeatChange?.(seat);
    } catch (err) {
      this.opts.logger?.error({ err, seat }, 'seat change listener threw');
    }
  }
}
