// The dialer module: once a second per dialing campaign it asks the pacing (pacing.ts, the code
// the simulator runs) how many calls to place, takes that many leads from the LeadSource,
// originates them through a DialerPort (Asterisk: asterisk-port.ts), connects answered calls to
// ready agents within the connect grace (else the dialplan plays the drop message), feeds every
// outcome back to the pacing, the lead side and the log, and publishes `dialer.status` frames.
import type { Clock } from '../agents/clock.js';
import { systemClock } from '../agents/clock.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { LiveFeed } from '../http/live.js';
import type { DialOutcome, LeadSource } from '../leads/lead-source.js';
import type { Logger } from '../logging.js';
import { DialerStore } from './dialer-store.js';
import { PacingController, type AgentView, type DialerHoldReason, type PacingDecision } from './pacing.js';

/** An agent as the dialer sees it (from the agents module). */
export interface DialerAgent {
  agentId: number;
  seat: string;
  state: 'ready' | 'ringing' | 'talking' | 'wrap_up' | 'paused';
  /** epoch ms the state began */
  since: number;
  /** A demo simulated agent (no agents row: its id is not passed to the lead side). */
  simulated?: boolean;
}

export interface DialerCampaign {
  id: number;
  name: string;
  status: string;
  dialMode: string;
  dropCapPercent: number;
  channelLimit: number;
  trunk: string | null;
  callerId: string | null;
}

export interface OriginateRequest {
  callId: string;
  phone: string;
  campaign: DialerCampaign;
  graceSeconds: number;
}

/** Telephony side of the dialer. Events come back through the handlers given to `bind`. */
export interface DialerPort {
  bind(h: DialerPortHandlers): void;
  originate(req: OriginateRequest): Promise<void>;
  /** Send the answered call to the agent's seat; false when the call is gone already. */
  connect(callId: string, channel: string, seat: string): Promise<boolean>;
  stop?(): void;
}

export interface DialerPortHandlers {
  answered(callId: string, channel: string, uniqueid: string): void;
  connected(callId: string, seat: string): void;
  dropped(callId: string): void;
  failed(callId: string, outcome: DialOutcome): void;
  hangup(uniqueid: string): void;
  /** AMD judged a machine; `suspect` = it was not sure (counted as a live answer and a drop). */
  machine(callId: string, suspect: boolean): void;
}

export interface DialerStatus {
  campaignId: number;
  campaignName: string;
  dialMode: string;
  mode: PacingDecision['mode'];
  progressiveWhy: PacingDecision['progressiveWhy'];
  /** null while dialing; else why not (lead side or dialer side). */
  notDialingReason: DialerHoldReason | null;
  dropCap: number;
  dropRate24h: number;
  dropRate30d: number;
  answers24h: number;
  drops24h: number;
  answers30d: number;
  drops30d: number;
  dialsToday: number;
  liveAnswersToday: number;
  dropsToday: number;
  /** Talk time / logged-in time of the campaign's agents over the last 15 minutes. */
  occupancy: number;
  inFlight: number;
  ringing: number;
  waiting: number;
  connected: number;
  agents: { ready: number; talking: number; wrap: number; paused: number };
  answerProbability: number;
  at: string;
}

export interface DialerModuleDeps {
  db: Db;
  live: LiveFeed;
  logger: Logger;
  leads: LeadSource;
  campaigns: () => DialerCampaign[];
  agents: () => DialerAgent[];
  port: DialerPort;
  clock?: Clock;
  /** ms between pacing ticks (default 1000). */
  tickMs?: number;
  /** Connect grace in seconds (issue: 2 s). */
  graceSeconds?: number;
  /** Telephony usable (AMI connected): no dial is placed (and no lead spent) while it is not. */
  ready?: () => boolean;
  /** A call reached / left an agent's seat (the demo's simulated agents follow these). */
  onSeatCall?: (seat: string, what: 'connected' | 'ended') => void;
}

interface Call {
  id: string;
  row: number;
  campaignId: number;
  leadId: number | null;
  dialedAt: number;
  state: 'ringing' | 'waiting' | 'connecting' | 'connected' | 'done';
  answeredAt?: number;
  connectedAt?: number;
  channel?: string;
  uniqueid?: string;
  seat?: string;
  agentId?: number;
}

interface CampaignRun {
  pacing: PacingController;
  last?: PacingDecision;
  lastReason?: string | null;
  lastMode?: string;
  status?: DialerStatus;
  occ: Array<[number, number]>;
  today: { day: string; dials: number; answers: number; drops: number };
}

const OCC_WINDOW = 900;

export class DialerModule implements Module {
  readonly name = 'dialer';
  readonly store: DialerStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly runs = new Map<number, CampaignRun>();
  private readonly calls = new Map<string, Call>();
  private readonly byUniqueid = new Map<string, Call>();
  /** Seats an answered call is being sent to (busy for the pacing until the agent state shows it). */
  private readonly reserved = new Map<string, { callId: string; until: number }>();
  private readonly agentPrev = new Map<number, { state: string; since: number }>();
  /** Ids of the campaigns dialing now (the agents are shared out among them). */
  private owners: number[] = [];
  private timer?: NodeJS.Timeout;
  private assignTimer?: NodeJS.Timeout;
  private ticking = false;

  constructor(private readonly deps: DialerModuleDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger;
    this.store = new DialerStore(deps.db);
    deps.port.bind({
      answered: (id, ch, uid) => this.onAnswered(id, ch, uid),
      connected: (id, seat) => this.onConnected(id, seat),
      dropped: (id) => this.onDropped(id, false),
      failed: (id, outcome) => this.onFailed(id, outcome),
      hangup: (uid) => this.onHangup(uid),
      machine: (id, suspect) => (suspect ? this.onDropped(id, true) : this.onFailed(id, 'machine')),
    });
  }

  get grace(): number {
    return this.deps.graceSeconds ?? 2;
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 1000);
    this.timer.unref();
    // Answered calls must find their agent fast (the grace is 2 s): a quicker loop than pacing.
    this.assignTimer = setInterval(() => this.assign(), 200);
    this.assignTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.assignTimer);
    this.deps.port.stop?.();
  }

  statuses(): DialerStatus[] {
    return [...this.runs.values()].map((r) => r.status).filter((s): s is DialerStatus => !!s);
  }

  status(campaignId: number): DialerStatus | null {
    return this.runs.get(campaignId)?.status ?? null;
  }

  private nowSec(): number {
    return this.clock.now() / 1000;
  }

  private run(c: DialerCampaign): CampaignRun {
    let r = this.runs.get(c.id);
    const cfg = { dropCap: c.dropCapPercent / 100, connectGraceSeconds: this.grace, mode: c.dialMode === 'predictive' ? ('predictive' as const) : ('progressive' as const) };
    if (!r) {
      const pacing = new PacingController(cfg);
      pacing.seedWindows(this.store.windowSeed(c.id, this.clock.now()), this.nowSec());
      const day = new Date(this.clock.now()).toISOString().slice(0, 10);
      const t = this.store.counts(c.id, Date.parse(`${day}T00:00:00Z`));
      r = { pacing, occ: [], today: { day, dials: t.dials, answers: t.liveAnswers, drops: t.drops } };
      this.runs.set(c.id, r);
    } else r.pacing.setConfig(cfg);
    return r;
  }

  private ownerOf(a: DialerAgent): number | undefined {
    return this.owners.length ? this.owners[Math.abs(a.agentId) % this.owners.length] : undefined;
  }

  /** The pacing's view of the agents: reserved seats count as talking. */
  private agentViews(agents: DialerAgent[], nowMs: number): AgentView[] {
    return agents.map((a) => {
      const res = this.reserved.get(a.seat);
      if (res && a.state === 'ready') return { phase: 'talking', since: nowMs / 1000 };
      const phase = a.state === 'ready' ? 'ready' : a.state === 'paused' ? 'paused' : a.state === 'wrap_up' ? 'wrap' : 'talking';
      return { phase, since: a.since / 1000 };
    });
  }

  /** One pacing step for every dialing campaign. */
  async tick(): Promise<void> {
    if (this.ticking || !this.deps.db.open || this.deps.ready?.() === false) return;
    this.ticking = true;
    try {
      const nowMs = this.clock.now();
      const now = new Date(nowMs);
      const agents = this.deps.agents();
      this.observeWrap(agents, nowMs);
      for (const [seat, r] of this.reserved) if (r.until < nowMs) this.reserved.delete(seat);
      const campaigns = this.deps.campaigns();
      // Several campaigns dialing at once must not each count the same ready agents (they would
      // together over-dial): each agent is paced for one of them (agent id modulo their count).
      const dialing = campaigns.filter((c) => c.status === 'active' && (c.dialMode === 'predictive' || c.dialMode === 'progressive')).map((c) => c.id).sort((a, b) => a - b);
      this.owners = dialing;
      for (const c of campaigns) {
        if (c.dialMode !== 'predictive' && c.dialMode !== 'progressive') continue;
        if (c.status === 'ended' || c.status === 'destroyed' || (c.status !== 'active' && !this.runs.has(c.id))) continue;
        const r = this.run(c);
        const ownAgents = dialing.length > 1 && dialing.includes(c.id) ? agents.filter((a) => this.ownerOf(a) === c.id) : agents;
        const views = this.agentViews(ownAgents, nowMs);
        const mine = [...this.calls.values()].filter((x) => x.campaignId === c.id && x.state !== 'done');
        const ringing = mine.filter((x) => x.state === 'ringing').map((x) => x.dialedAt / 1000);
        const waiting = mine.filter((x) => x.state === 'waiting').length;
        const d = r.pacing.decide({ now: nowMs / 1000, agents: views, ringing, waiting, trunksFree: Math.max(0, c.channelLimit - mine.length) });
        const leadReason = c.status !== 'active' ? 'campaign_not_active' : this.deps.leads.notDialingReason(c.id, now);
        let placed = 0;
        if (d.dials > 0 && leadReason === null) {
          const leads = this.deps.leads.reserve(c.id, d.dials, now);
          for (const lead of leads) {
            placed++;
            await this.dial(c, lead.leadId, lead.phone, nowMs, r);
          }
        }
        const reason: DialerHoldReason | null = placed > 0 ? null : (leadReason ?? d.reason ?? (d.dials > 0 ? 'no_leads_due' : 'agents_busy'));
        if (placed > 0 || reason !== r.lastReason || d.mode !== r.lastMode) this.store.logDecision(c.id, nowMs, d, placed, reason);
        r.last = d;
        r.lastReason = reason;
        r.lastMode = d.mode;
        // Occupancy: talking agents over logged-in agents, per second, last 15 minutes.
        r.occ.push([ownAgents.filter((a) => a.state === 'talking').length, ownAgents.length]);
        if (r.occ.length > OCC_WINDOW) r.occ.shift();
        let talk = 0;
        let logged = 0;
        for (const [t, l] of r.occ) {
          talk += t;
          logged += l;
        }
        const day = now.toISOString().slice(0, 10);
        if (r.today.day !== day) r.today = { day, dials: 0, answers: 0, drops: 0 };
        const w24 = r.pacing.window24h;
        const w30 = r.pacing.window30d;
        r.status = {
          campaignId: c.id,
          campaignName: c.name,
          dialMode: c.dialMode,
          mode: d.mode,
          progressiveWhy: d.progressiveWhy,
          notDialingReason: reason,
          dropCap: c.dropCapPercent / 100,
          dropRate24h: w24.rate(),
          dropRate30d: w30.rate(),
          answers24h: w24.answers,
          drops24h: w24.drops,
          answers30d: w30.answers,
          drops30d: w30.drops,
          dialsToday: r.today.dials,
          liveAnswersToday: r.today.answers,
          dropsToday: r.today.drops,
          occupancy: logged === 0 ? 0 : talk / logged,
          inFlight: mine.length + placed,
          ringing: ringing.length + placed,
          waiting,
          connected: mine.filter((x) => x.state === 'connected' || x.state === 'connecting').length,
          agents: { ready: d.ready, talking: d.talking, wrap: d.wrap, paused: d.paused },
          answerProbability: d.answerProbability,
          at: now.toISOString(),
        };
        this.deps.live.publish({ type: 'dialer.status', data: r.status });
      }
    } catch (err) {
      this.log.error({ err }, 'dialer tick failed');
    } finally {
      this.ticking = false;
    }
  }

  /** Place one call for a campaign outside the pacing (tests; a supervisor's test call). */
  async placeCall(c: DialerCampaign, leadId: number | null, phone: string): Promise<string> {
    const r = this.run(c);
    return this.dial(c, leadId, phone, this.clock.now(), r);
  }

  private async dial(c: DialerCampaign, leadId: number | null, phone: string, nowMs: number, r: CampaignRun): Promise<string> {
    const row = this.store.newCall(c.id, leadId, nowMs);
    const call: Call = { id: `d${row}`, row, campaignId: c.id, leadId, dialedAt: nowMs, state: 'ringing' };
    this.calls.set(call.id, call);
    r.pacing.onDial();
    r.today.dials++;
    try {
      await this.deps.port.originate({ callId: call.id, phone, campaign: c, graceSeconds: this.grace });
    } catch (err) {
      this.log.warn({ err, callId: call.id }, 'originate failed');
      this.onFailed(call.id, 'failed');
    }
    return call.id;
  }

  private observeWrap(agents: DialerAgent[], nowMs: number): void {
    for (const a of agents) {
      const prev = this.agentPrev.get(a.agentId);
      if (prev && prev.state === 'wrap_up' && a.state !== 'wrap_up') {
        for (const r of this.runs.values()) r.pacing.onWrapEnd((nowMs - prev.since) / 1000);
      }
      this.agentPrev.set(a.agentId, { state: a.state, since: a.since });
      if (a.state !== 'ready') {
        const res = this.reserved.get(a.seat);
        if (res && (a.state === 'ringing' || a.state === 'talking')) this.reserved.delete(a.seat);
      }
    }
  }

  /** Waiting answered calls get the longest-ready free agents. */
  assign(): void {
    const waiting = [...this.calls.values()].filter((c) => c.state === 'waiting').sort((a, b) => (a.answeredAt ?? 0) - (b.answeredAt ?? 0));
    if (waiting.length === 0) return;
    const free = this.deps
      .agents()
      .filter((a) => a.state === 'ready' && !this.reserved.has(a.seat))
      .sort((a, b) => a.since - b.since);
    for (const call of waiting) {
      // Its campaign's own agent first; else any free agent (better than a drop).
      let i = this.owners.length > 1 ? free.findIndex((a) => this.ownerOf(a) === call.campaignId) : 0;
      if (i < 0) i = 0;
      const agent = free.splice(i, 1)[0];
      if (!agent) break;
      call.state = 'connecting';
      call.seat = agent.seat;
      call.agentId = agent.simulated ? undefined : agent.agentId;
      this.reserved.set(agent.seat, { callId: call.id, until: this.clock.now() + 10_000 });
      this.deps.port.connect(call.id, call.channel ?? '', agent.seat).then(
        (ok) => {
          if (!ok && call.state === 'connecting') {
            // The call went on to the drop path (or hung up): its agent is free again.
            this.reserved.delete(agent.seat);
          }
        },
        (err: unknown) => {
          this.log.warn({ err, callId: call.id }, 'connect failed');
          this.reserved.delete(agent.seat);
        },
      );
    }
  }

  private runOf(call: Call): CampaignRun | undefined {
    return this.runs.get(call.campaignId);
  }

  private onAnswered(callId: string, channel: string, uniqueid: string): void {
    const call = this.calls.get(callId);
    if (!call || call.state !== 'ringing') return;
    const now = this.clock.now();
    call.state = 'waiting';
    call.answeredAt = now;
    call.channel = channel;
    call.uniqueid = uniqueid;
    this.byUniqueid.set(uniqueid, call);
    this.store.answered(call.row, now, (now - call.dialedAt) / 1000, channel);
    this.assign();
  }

  private onConnected(callId: string, seat: string): void {
    const call = this.calls.get(callId);
    if (!call || call.state === 'done' || call.state === 'connected') return;
    const now = this.clock.now();
    call.state = 'connected';
    call.connectedAt = now;
    call.seat = seat;
    const r = this.runOf(call);
    const ring = ((call.answeredAt ?? now) - call.dialedAt) / 1000;
    r?.pacing.onLiveAnswer(now / 1000, ring, false);
    if (r) r.today.answers++;
    this.store.connected(call.row, now, call.agentId ?? null, seat);
    this.deps.onSeatCall?.(seat, 'connected');
    if (call.leadId !== null) this.safeOutcome(call.leadId, 'connected', now, call.agentId);
  }

  private onDropped(callId: string, amdSuspect: boolean): void {
    const call = this.calls.get(callId);
    if (!call || call.state === 'done' || call.state === 'connected') return;
    const now = this.clock.now();
    if (call.seat) this.reserved.delete(call.seat);
    call.state = 'done';
    const r = this.runOf(call);
    const ring = ((call.answeredAt ?? now) - call.dialedAt) / 1000;
    r?.pacing.onLiveAnswer(now / 1000, ring, true);
    if (r) {
      r.today.answers++;
      r.today.drops++;
    }
    this.store.dropped(call.row, now, amdSuspect);
    if (call.leadId !== null) this.safeOutcome(call.leadId, 'dropped', now);
    this.log.info({ callId, campaignId: call.campaignId }, 'dialer call dropped (no agent within the grace)');
  }

  private onFailed(callId: string, outcome: DialOutcome): void {
    const call = this.calls.get(callId);
    if (!call || call.state !== 'ringing') return;
    const now = this.clock.now();
    call.state = 'done';
    const ring = (now - call.dialedAt) / 1000;
    this.runOf(call)?.pacing.onNoLiveAnswer(ring);
    this.store.failed(call.row, now, outcome, ring);
    if (call.leadId !== null) this.safeOutcome(call.leadId, outcome, now);
    this.calls.delete(callId);
  }

  private onHangup(uniqueid: string): void {
    const call = this.byUniqueid.get(uniqueid);
    if (!call) return;
    this.byUniqueid.delete(uniqueid);
    const now = this.clock.now();
    if (call.state === 'connected' && call.connectedAt !== undefined) this.runOf(call)?.pacing.onTalkEnd((now - call.connectedAt) / 1000);
    if (call.state === 'waiting' || call.state === 'connecting') {
      // The person hung up before an agent took the call: a live answer nobody served.
      this.onDropped(call.id, false);
    }
    if (call.state === 'connected' && call.seat) this.deps.onSeatCall?.(call.seat, 'ended');
    if (call.seat && this.reserved.get(call.seat)?.callId === call.id) this.reserved.delete(call.seat);
    call.state = 'done';
    this.store.ended(call.row, now);
    this.calls.delete(call.id);
  }

  private safeOutcome(leadId: number, outcome: DialOutcome, atMs: number, agentId?: number): void {
    try {
      this.deps.leads.recordOutcome(leadId, outcome, new Date(atMs), agentId !== undefined ? { agentId } : undefined);
    } catch (err) {
      this.log.warn({ err, leadId, outcome }, 'lead outcome not recorded');
    }
  }
}
