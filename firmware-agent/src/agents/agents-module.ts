// The agents module: agent records, the state engine fed by AMI (seat channels and the
// SeatBoxAgent UserEvents of the phone feature codes), AstDB PIN records for the dialplan,
// and the seat.updated live feed.
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { LiveFeed } from '../http/live.js';
import type { SeatLive } from '../http/schemas.js';
import type { Logger } from '../logging.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { AgentStore, type AgentRecord, type PhonePin } from './agent-store.js';
import { iso, systemClock, type Clock } from './clock.js';
import { AgentActionError, AgentEngine, type AgentRef, type LiveAgent, type PauseEffect } from './engine.js';
import { SeatCallTracker } from './seat-calls.js';
import { compareExtensions, type SeatDirectory, type SeatInfo } from './seat-directory.js';
import { SqliteStateStore, type LogoutReason } from './state-store.js';

export const ASTDB_FAMILY = 'seatbox-agent';
export const USER_EVENT = 'SeatBoxAgent';

/** Who asked for something (audit trail). */
export interface Actor {
  userId?: number | null;
  username?: string | null;
  ip?: string | null;
}

export interface AgentsModuleOptions {
  db: Db;
  ami: AmiClient;
  settings: SettingsStore;
  audit: AuditLog;
  live: LiveFeed;
  seats: SeatDirectory;
  logger: Logger;
  clock?: Clock;
}

const ref = (a: AgentRecord): AgentRef => ({ id: a.id, number: a.number, name: a.name });

export class AgentsModule implements Module {
  readonly name = 'agents';
  readonly store: AgentStore;
  readonly states: SqliteStateStore;
  readonly engine: AgentEngine;
  readonly tracker: SeatCallTracker;
  private seats: SeatDirectory;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly startedAt: number;
  private resyncing = false;
  private buffered: AmiMessage[] = [];
  /** AstDB writes run one after another so a full rewrite and a single change cannot interleave. */
  private astdbChain: Promise<unknown> = Promise.resolve();
  private readonly onEvent = (msg: AmiMessage): void => {
    if (this.resyncing) this.buffered.push(msg);
    else this.handleEvent(msg);
  };
  private readonly onConnect = (): void => {
    void this.afterConnect();
  };

  constructor(private readonly opts: AgentsModuleOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.seats = opts.seats;
    this.startedAt = this.clock.now();
    this.store = new AgentStore(opts.db, opts.settings);
    this.states = new SqliteStateStore(opts.db);
    this.engine = new AgentEngine({
      store: this.states,
      clock: this.clock,
      wrapUpSeconds: (id) => this.store.wrapUpSecondsFor(id),
      agentRef: (id) => {
        const a = this.store.get(id);
        return a ? ref(a) : undefined;
      },
      onSeatChange: (seat) => this.publishSeat(seat),
      logger: opts.logger,
    });
    this.tracker = new SeatCallTracker((seat, phase) => this.engine.setSeatPhase(seat, phase));
  }

  /** The seats module provides the real directory once it runs (main.ts). */
  setSeatDirectory(seats: SeatDirectory): void {
    this.seats = seats;
    for (const s of seats.list()) this.publishSeat(s.extension);
  }

  async start(): Promise<void> {
    for (const [seat, at] of this.states.lastLogoutBySeat()) this.engine.noteSeatFreed(seat, at);
    this.engine.restore();
    this.opts.ami.on('event', this.onEvent);
    this.opts.ami.on('connect', this.onConnect);
    if (this.opts.ami.connected) await this.afterConnect();
  }

  async stop(): Promise<void> {
    this.opts.ami.off('event', this.onEvent as never);
    this.opts.ami.off('connect', this.onConnect as never);
    this.engine.stop();
    await this.astdbChain.catch(() => undefined);
  }

  // ---- AMI -----------------------------------------------------------------------------

  private async afterConnect(): Promise<void> {
    await Promise.all([
      this.resync().catch((err: unknown) => this.log.error({ err }, 'agent resync after connect failed')),
      this.syncAstDb().catch((err: unknown) => this.log.error({ err }, 'AstDB PIN sync after connect failed')),
    ]);
  }

  /** Re-reads the channels of every seat; agents whose calls vanished leave ringing/talking. */
  async resync(): Promise<void> {
    this.resyncing = true;
    try {
      const list = await this.opts.ami.listAction('CoreShowChannels');
      const phases = this.tracker.resync(list.events.filter((e) => e.event === 'CoreShowChannel'));
      this.engine.resync(phases);
      this.log.info({ seatsWithCalls: phases.size, agents: this.engine.agents().length }, 'agent states resynced');
    } finally {
      this.resyncing = false;
      const pending = this.buffered;
      this.buffered = [];
      for (const m of pending) this.handleEvent(m);
    }
  }

  private handleEvent(msg: AmiMessage): void {
    if (msg.event === 'UserEvent' && msg.get('UserEvent') === USER_EVENT) {
      this.onPhoneEvent(msg);
      return;
    }
    this.tracker.handleEvent(msg);
  }

  /** The feature-code dialplan's reports (docs/agent-states.md). */
  private onPhoneEvent(msg: AmiMessage): void {
    const op = msg.get('Op') ?? '';
    const seat = msg.get('Seat') ?? '';
    const number = msg.get('Agent') ?? '';
    const actor: Actor = { username: `phone:${seat}` };
    try {
      switch (op) {
        case 'login': {
          const agent = this.store.byNumber(number);
          if (!agent || !agent.active) throw new AgentActionError('agent_not_found', `no active agent with number ${number}`, 404);
          const res = this.engine.login(ref(agent), seat, { source: 'phone', displace: 'if_idle' });
          if (res.displaced) {
            this.opts.audit.write({ ...actor, action: 'agent.displaced', target: `agent:${res.displaced.agent.id}`, detail: { seat, by: number, source: 'phone' } });
          }
          break;
        }
        case 'login_failed':
          this.opts.audit.write({ ...actor, action: 'agent.phone_login_failed', target: `seat:${seat}`, detail: { agent: number } });
          break;
        case 'logout':
        case 'pause':
        case 'ready': {
          const a = this.engine.atSeat(seat);
          if (!a) throw new AgentActionError('not_logged_in', `no agent is logged in at seat ${seat}`);
          if (op === 'logout') this.engine.logout(a.agent.id, 'agent');
          else if (op === 'ready') this.engine.ready(a.agent.id);
          else this.engine.pause(a.agent.id, this.phoneReason(msg.get('Reason') ?? ''));
          break;
        }
        default:
          this.log.warn({ op, seat }, 'unknown SeatBoxAgent UserEvent op; ignored');
      }
    } catch (err) {
      if (!(err instanceof AgentActionError)) throw err;
      // The caller hung up already: the refusal can only be logged, audited and shown.
      this.log.warn({ op, seat, agent: number, code: err.code }, `phone feature code refused: ${err.message}`);
      this.opts.audit.write({ ...actor, action: 'agent.phone_action_refused', target: `seat:${seat}`, detail: { op, agent: number || null, code: err.code, message: err.message } });
      this.opts.live.publish({ type: 'alarm', data: { source: 'agents', severity: 'warning', message: `seat ${seat}: ${op} refused: ${err.message}`, at: iso(this.clock.now()) } });
    }
  }

  /** A reason digit that is not configured pauses without a reason rather than not at all. */
  private phoneReason(digit: string): string | null {
    if (digit === '') return null;
    const r = this.store.reason(digit);
    if (r?.active) return r.code;
    this.log.warn({ digit }, 'pause with an unknown reason digit; paused without a reason');
    return null;
  }

  // ---- AstDB ---------------------------------------------------------------------------

  private queueAstDb<T>(job: () => Promise<T>): Promise<T> {
    const next = this.astdbChain.then(job, job);
    this.astdbChain = next.catch(() => undefined);
    return next;
  }

  /** Makes the family hold exactly the PIN records of active agents (fresh astdb after a restart). */
  syncAstDb(): Promise<number> {
    return this.queueAstDb(async () => {
      if (!this.opts.ami.connected) return 0;
      try {
        await this.opts.ami.action('DBDelTree', { Family: ASTDB_FAMILY });
      } catch {
        // an empty family answers "Database entry not found"
      }
      const pins = this.store.phonePins();
      for (const p of pins) await this.putPin(p);
      return pins.length;
    });
  }

  private async putPin(p: PhonePin): Promise<void> {
    await this.opts.ami.action('DBPut', { Family: ASTDB_FAMILY, Key: `${p.number}/salt`, Val: p.salt });
    await this.opts.ami.action('DBPut', { Family: ASTDB_FAMILY, Key: `${p.number}/pin`, Val: p.sha1 });
  }

  /** Brings one agent number's AstDB record in line with the store (after a change). */
  private syncAgentPin(...numbers: string[]): Promise<void> {
    return this.queueAstDb(async () => {
      if (!this.opts.ami.connected) return; // written at the next connect
      for (const number of new Set(numbers)) {
        const p = this.store.phonePin(number);
        try {
          if (p) await this.putPin(p);
          else await this.opts.ami.action('DBDelTree', { Family: ASTDB_FAMILY, Key: number });
        } catch (err) {
          if (p) this.log.error({ err, agent: number }, 'AstDB PIN write failed; retried at the next AMI connect');
        }
      }
    });
  }

  // ---- agents (admin) ------------------------------------------------------------------

  async createAgent(input: Parameters<AgentStore['create']>[0], actor: Actor): Promise<AgentRecord> {
    const a = await this.store.create(input);
    this.opts.audit.write({ ...actor, action: 'agent.created', target: `agent:${a.id}`, detail: { ...a, pin: input.pin !== undefined ? 'set' : undefined } });
    await this.syncAgentPin(a.number);
    return a;
  }

  async updateAgent(id: number, patch: Parameters<AgentStore['update']>[1], actor: Actor): Promise<AgentRecord> {
    const { before, after } = this.store.update(id, patch);
    this.opts.audit.write({ ...actor, action: 'agent.updated', target: `agent:${id}`, detail: { before, after } });
    const live = this.engine.ofAgent(id);
    if (live) {
      live.agent = ref(after);
      if (!after.active) {
        this.engine.logout(id, 'deactivated');
        this.opts.audit.write({ ...actor, action: 'agent.forced_logout', target: `agent:${id}`, detail: { seat: live.seat, reason: 'deactivated' } });
      } else this.publishSeat(live.seat);
    }
    await this.syncAgentPin(before.number, after.number);
    return after;
  }

  async deleteAgent(id: number, actor: Actor): Promise<void> {
    if (this.engine.ofAgent(id)) throw new AgentActionError('agent_logged_in', `agent ${id} is logged in; log the agent out first`);
    const a = this.store.delete(id);
    this.opts.audit.write({ ...actor, action: 'agent.deleted', target: `agent:${id}`, detail: a });
    await this.syncAgentPin(a.number);
  }

  async setPin(id: number, pin: string, actor: Actor): Promise<AgentRecord> {
    const a = await this.store.setPin(id, pin);
    this.opts.audit.write({ ...actor, action: 'agent.pin_set', target: `agent:${id}` });
    await this.syncAgentPin(a.number);
    return a;
  }

  async resetPin(id: number, actor: Actor): Promise<{ agent: AgentRecord; pin: string }> {
    const r = await this.store.resetPin(id);
    this.opts.audit.write({ ...actor, action: 'agent.pin_reset', target: `agent:${id}` });
    await this.syncAgentPin(r.agent.number);
    return r;
  }

  async clearPin(id: number, actor: Actor): Promise<AgentRecord> {
    const a = this.store.clearPin(id);
    this.opts.audit.write({ ...actor, action: 'agent.pin_cleared', target: `agent:${id}` });
    await this.syncAgentPin(a.number);
    return a;
  }

  // ---- agent actions -------------------------------------------------------------------

  knownSeat(seat: string): SeatInfo | undefined {
    return this.seats.list().find((s) => s.extension === seat);
  }

  login(agentId: number, seat: string, opts: { force: boolean; forced: boolean }, actor: Actor): SeatLive {
    const agent = this.store.mustGet(agentId);
    if (!agent.active) throw new AgentActionError('agent_inactive', `agent ${agent.number} is deactivated`);
    if (!this.knownSeat(seat) && !this.engine.atSeat(seat)) throw new AgentActionError('unknown_seat', `there is no seat ${seat}`, 404);
    const res = this.engine.login(ref(agent), seat, { source: 'ui', displace: opts.force ? 'always' : 'never' });
    if (res.displaced) {
      this.opts.audit.write({ ...actor, action: 'agent.displaced', target: `agent:${res.displaced.agent.id}`, detail: { seat, by: agent.number } });
    }
    if (opts.forced) this.opts.audit.write({ ...actor, action: 'agent.forced_login', target: `agent:${agentId}`, detail: { seat, moved: res.moved } });
    return this.seatLive(seat);
  }

  logout(agentId: number, forced: boolean, actor: Actor): SeatLive {
    this.store.mustGet(agentId);
    const reason: LogoutReason = forced ? 'forced' : 'agent';
    const a = this.engine.logout(agentId, reason);
    if (forced) this.opts.audit.write({ ...actor, action: 'agent.forced_logout', target: `agent:${agentId}`, detail: { seat: a.seat, state: a.state } });
    return this.seatLive(a.seat);
  }

  pause(agentId: number, reasonCode: string | null, forced: boolean, actor: Actor): { seat: SeatLive; effect: PauseEffect } {
    this.store.mustGet(agentId);
    if (reasonCode !== null) {
      const r = this.store.reason(reasonCode);
      if (!r || !r.active) throw new AgentActionError('unknown_reason', `no active pause reason with code ${reasonCode}`, 400);
    }
    const effect = this.engine.pause(agentId, reasonCode);
    const a = this.engine.ofAgent(agentId)!;
    if (forced) this.opts.audit.write({ ...actor, action: 'agent.forced_pause', target: `agent:${agentId}`, detail: { seat: a.seat, reason: reasonCode, effect } });
    return { seat: this.seatLive(a.seat), effect };
  }

  ready(agentId: number, forced: boolean, actor: Actor): { seat: SeatLive; effect: PauseEffect } {
    this.store.mustGet(agentId);
    const effect = this.engine.ready(agentId);
    const a = this.engine.ofAgent(agentId)!;
    if (forced) this.opts.audit.write({ ...actor, action: 'agent.forced_ready', target: `agent:${agentId}`, detail: { seat: a.seat, effect } });
    return { seat: this.seatLive(a.seat), effect };
  }

  // ---- live ----------------------------------------------------------------------------

  seatLive(seat: string): SeatLive {
    const info = this.knownSeat(seat);
    const a = this.engine.atSeat(seat);
    const base = { extension: seat, kind: info?.kind ?? 'sip', registered: info?.registered ?? false } as const;
    if (!a) {
      return { ...base, agent: null, state: 'logged_out', since: iso(this.engine.seatFreedSince(seat) ?? this.startedAt), pauseReason: null, wrapUpEndsAt: null, callLinkedid: null };
    }
    return {
      ...base,
      agent: { id: a.agent.id, number: a.agent.number, name: a.agent.name },
      state: a.state,
      since: iso(a.since),
      pauseReason: a.state === 'paused' ? a.reason : null,
      wrapUpEndsAt: a.state === 'wrap_up' && a.wrapUpEndsAt !== null ? iso(a.wrapUpEndsAt) : null,
      callLinkedid: a.linkedid,
      // The desktop's disposition hold past the wrap-up timer (desk/wrap-holds.ts).
      ...(a.state === 'wrap_up' && (a.wrapUpEndsAt === null || a.wrapUpEndsAt <= this.clock.now()) && this.engine.isHeld(a.agent.id) ? { dispositionOverdue: true } : {}),
    };
  }

  /** Every seat of the directory, plus seats an agent is logged into that the directory lacks. */
  seatsLive(): SeatLive[] {
    const seats = new Set(this.seats.list().map((s) => s.extension));
    for (const a of this.engine.agents()) seats.add(a.seat);
    return [...seats].sort(compareExtensions).map((s) => this.seatLive(s));
  }

  liveOf(agentId: number): LiveAgent | undefined {
    return this.engine.ofAgent(agentId);
  }

  publishSeat(seat: string): void {
    this.opts.live.publish({ type: 'seat.updated', data: this.seatLive(seat) });
  }
}
