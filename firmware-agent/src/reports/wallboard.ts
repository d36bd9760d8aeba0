// The wallboard (docs/wallboard.md): today's live figures for a TV. Callers waiting per queue
// come from app_queue's per-call AMI events (resynced with QueueStatus after every AMI
// (re)connect); today's queue and campaign figures are recomputed from our own detail rows
// (queue_calls, dialer_calls) with the very functions of kpi.ts, so the board never disagrees
// with the reports. Agent states come from the agents module's seat.updated frames.
// Every relevant event schedules ONE recompute after a short coalescing window; the result is
// pushed as a 'wallboard.update' frame. No timer runs when nothing happens.
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { LiveAudience, LiveFeed } from '../http/live.js';
import type { LiveMessage, Role, SeatLive } from '../http/schemas.js';
import type { Logger } from '../logging.js';
import { addCalls, computeKpis, dialerCallMeasures, emptyCalls, queueCallMeasures, type CallMeasures, type DialerCallRow, type Kpis, type QueueCallRow, type ReportParams } from './kpi.js';
import { listTargets, TargetResolver, type TargetCheck } from './targets.js';
import { localMidnight, localParts } from './time.js';

/** Who sees the wallboard (route and live frames). */
export const WALLBOARD_ROLES: Role[] = ['admin', 'manager', 'team_lead'];

export interface WallboardKpis {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  timedOut: number;
  answerRate: number | null;
  serviceLevel: number | null;
  abandonRate: number | null;
  asaSeconds: number | null;
  avgTalkSeconds: number | null;
}

export interface WallboardQueue {
  name: string;
  label: string;
  /** callers in the queue now */
  waiting: number;
  /** when the longest-waiting caller entered (ISO); null = nobody waits. The viewer ticks. */
  oldestSince: string | null;
  today: WallboardKpis;
  targets: TargetCheck[];
}

export interface WallboardCampaign {
  id: number;
  name: string;
  status: string;
  dials: number;
  liveAnswers: number;
  connected: number;
  drops: number;
  /** drops / live answers today (null: no live answer yet) */
  dropRate: number | null;
  /** the campaign's drop cap (fraction) */
  dropCap: number;
  /** dropRate within the cap; null without a rate */
  dropMet: boolean | null;
  avgTalkSeconds: number | null;
  targets: TargetCheck[];
}

export interface WallboardAgent {
  id: number;
  number: string;
  name: string;
  seat: string;
  state: string;
  since: string;
  pauseReason: string | null;
}

export interface WallboardTeam {
  /** '' = agents without a team */
  team: string;
  counts: Record<string, number>;
  agents: WallboardAgent[];
}

export interface WallboardSnapshot {
  /** the server's clock when the snapshot was made (viewers correct their clock with it) */
  serverTime: string;
  /** the center's local date the "today" figures cover */
  day: string;
  timeZone: string;
  serviceLevelSeconds: number;
  /** increases with every snapshot */
  seq: number;
  /** The first event folded into this snapshot and when the agent got it (latency figure); null on request. */
  trigger: { source: string; at: string } | null;
  queues: WallboardQueue[];
  /** every queue together */
  center: { waiting: number; oldestSince: string | null; today: WallboardKpis; targets: TargetCheck[] };
  campaigns: WallboardCampaign[];
  teams: WallboardTeam[];
}

export interface WallboardOptions {
  db: Db;
  live: LiveFeed;
  /** AMI (absent in tests that feed events by hand through handleAmi) */
  ami?: AmiClient;
  params: () => ReportParams;
  /** The live seats (agents module). */
  seats?: () => SeatLive[];
  /** The configured queues (hotline module): shown even before their first caller. */
  queues?: () => Array<{ name: string; label: string }>;
  logger?: Logger;
  now?: () => Date;
  /** Coalescing window (ms) between the first event and the pushed frame; default 150, at most 250. */
  debounceMs?: number;
  /** Injectable timers (unit tests with a fake clock). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (h: unknown) => void;
}

interface Waiting {
  queue: string;
  uniqueid: string;
  sinceMs: number;
}

/** app_queue events that change the waiting list or today's figures. */
const QUEUE_EVENTS = new Set(['QueueCallerJoin', 'QueueCallerLeave', 'QueueCallerAbandon', 'AgentConnect', 'AgentComplete', 'AgentCalled', 'AgentRingNoAnswer']);

/**
 * Average talk of the calls whose conversation is over. kpi.ts counts a call still in
 * conversation with 0 s of talk (the reports only see it once it is over); live, that would
 * drag the average down during every call, so the board leaves open calls out.
 */
const endedTalk = (talkMs: number, ended: number): number | null => (ended > 0 ? talkMs / ended / 1000 : null);

const pickKpis = (k: Kpis, avgTalkSeconds: number | null): WallboardKpis => ({
  offered: k.offered,
  answered: k.answered,
  abandoned: k.abandoned,
  shortAbandoned: k.shortAbandoned,
  timedOut: k.timedOut,
  answerRate: k.answerRate,
  serviceLevel: k.serviceLevel,
  abandonRate: k.abandonRate,
  asaSeconds: k.asaSeconds,
  avgTalkSeconds,
});

export class WallboardModule implements Module {
  readonly name = 'wallboard';
  private readonly waiting = new Map<string, Waiting>(); // `${uniqueid}|${queue}`
  private readonly now: () => Date;
  private readonly debounceMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;
  private timer: unknown = null;
  private midnight?: NodeJS.Timeout;
  private trigger: { source: string; at: string } | null = null;
  private seq = 0;
  private started = false;
  /** Frames published (tests and the doc's latency figure). */
  published = 0;

  private readonly onAmi = (msg: AmiMessage): void => {
    try {
      this.handleAmi(msg);
    } catch (err) {
      this.opts.logger?.error({ err, event: msg.event }, 'wallboard event failed');
    }
  };
  private readonly onConnect = (): void => void this.resync();
  private readonly onLive = (msg: LiveMessage): void => {
    if (msg.type === 'seat.updated') this.changed(`seat:${msg.data.extension}`);
    // dialer.status comes every second while dialing: dials are recomputed from dialer_calls,
    // but only when its counters moved (no frame per tick).
    else if (msg.type === 'dialer.status') {
      const key = `${msg.data.dialsToday}|${msg.data.liveAnswersToday}|${msg.data.dropsToday}|${msg.data.connected}`;
      if (this.dialerSeen.get(msg.data.campaignId) !== key) {
        this.dialerSeen.set(msg.data.campaignId, key);
        this.changed(`dialer:${msg.data.campaignId}`);
      }
    }
  };
  private readonly dialerSeen = new Map<number, string>();

  constructor(private readonly opts: WallboardOptions) {
    this.now = opts.now ?? (() => new Date());
    this.debounceMs = Math.min(250, Math.max(0, opts.debounceMs ?? 150));
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  async start(): Promise<void> {
    this.started = true;
    this.opts.ami?.on('event', this.onAmi);
    this.opts.ami?.on('connect', this.onConnect);
    this.opts.live.on('message', this.onLive);
    if (this.opts.ami?.connected) await this.resync();
    this.scheduleMidnight();
  }

  /** "Today" starts again at the center's midnight even if no call comes: one frame then. */
  private scheduleMidnight(): void {
    const tz = this.opts.params().timeZone;
    const nowMs = this.now().getTime();
    const today = localParts(Math.floor(nowMs / 1000), tz).day;
    const tomorrow = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const delay = Math.min(2 ** 31 - 1, Math.max(1000, localMidnight(tomorrow, tz) * 1000 - nowMs + 1000));
    this.midnight = setTimeout(() => {
      this.changed('midnight');
      this.scheduleMidnight();
    }, delay);
    this.midnight.unref();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.opts.ami?.off('event', this.onAmi);
    this.opts.ami?.off('connect', this.onConnect);
    this.opts.live.off('message', this.onLive);
    if (this.midnight) clearTimeout(this.midnight);
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  /** One AMI event: the waiting list, and a frame soon if it matters to the board. */
  handleAmi(msg: AmiMessage): void {
    const ev = msg.event;
    if (!ev) return;
    const uniqueid = msg.get('Uniqueid');
    const queue = msg.get('Queue');
    if (ev === 'Hangup') {
      // A waiting caller who hangs up (QueueCallerAbandon normally says so first).
      if (!uniqueid) return;
      let gone = false;
      for (const [k, w] of this.waiting) if (w.uniqueid === uniqueid) gone = this.waiting.delete(k) || gone;
      if (gone) this.changed(ev);
      return;
    }
    if (!QUEUE_EVENTS.has(ev) || !uniqueid || !queue) return;
    const key = `${uniqueid}|${queue}`;
    if (ev === 'QueueCallerJoin') this.waiting.set(key, { queue, uniqueid, sinceMs: this.now().getTime() });
    else if (ev === 'QueueCallerLeave' || ev === 'QueueCallerAbandon' || ev === 'AgentConnect') this.waiting.delete(key);
    else if (ev === 'AgentCalled' || ev === 'AgentRingNoAnswer') return; // nothing the board shows
    this.changed(ev);
  }

  /** After an AMI (re)connect: who waits now, from app_queue itself (QueueStatus QueueEntry). */
  async resync(): Promise<void> {
    const ami = this.opts.ami;
    if (!ami) return;
    try {
      const res = await ami.listAction('QueueStatus');
      this.applyQueueStatus(res.events);
    } catch (err) {
      this.opts.logger?.warn({ err }, 'wallboard: QueueStatus failed; waiting callers from events only');
    }
  }

  /** Replaces the waiting list with QueueStatus's QueueEntry events (Wait = seconds waited). */
  applyQueueStatus(events: AmiMessage[]): void {
    const nowMs = this.now().getTime();
    const next = new Map<string, Waiting>();
    for (const e of events) {
      if (e.event !== 'QueueEntry') continue;
      const uniqueid = e.get('Uniqueid');
      const queue = e.get('Queue');
      if (!uniqueid || !queue) continue;
      const key = `${uniqueid}|${queue}`;
      const wait = Number(e.get('Wait'));
      // Keep our own (ms-exact) entry time when we already knew the caller.
      next.set(key, this.waiting.get(key) ?? { queue, uniqueid, sinceMs: nowMs - (Number.isFinite(wait) ? wait * 1000 : 0) });
    }
    this.waiting.clear();
    for (const [k, w] of next) this.waiting.set(k, w);
    this.changed('QueueStatus');
  }

  /** Something the board shows changed: one frame after the coalescing window. */
  changed(source: string): void {
    if (!this.started) return;
    this.trigger ??= { source, at: this.now().toISOString() };
    if (this.timer !== null) return;
    this.timer = this.setTimer(() => this.flush(), this.debounceMs);
  }

  /** Pushes the frame now (the timer's job). */
  flush(): void {
    this.timer = null;
    const trigger = this.trigger;
    this.trigger = null;
    try {
      const snap = this.snapshot(trigger);
      const audience: LiveAudience = { roles: WALLBOARD_ROLES };
      this.opts.live.publish({ type: 'wallboard.update', data: snap }, audience);
      this.published++;
    } catch (err) {
      this.opts.logger?.error({ err }, 'wallboard snapshot failed');
    }
  }

  /** The whole board now. */
  snapshot(trigger: { source: string; at: string } | null = null): WallboardSnapshot {
    const p = this.opts.params();
    const now = this.now();
    const nowMs = now.getTime();
    const day = localParts(Math.floor(nowMs / 1000), p.timeZone).day;
    const fromIso = new Date(localMidnight(day, p.timeZone) * 1000).toISOString();
    const resolver = new TargetResolver(listTargets(this.opts.db));
    const at = now.toISOString();

    // ---- queues: today's entries through kpi.ts ----
    const rows = this.opts.db
      .prepare<[string], QueueCallRow & { queue: string }>('SELECT queue, entered_at, answered_at, left_at, ended_at, outcome, ring_ms FROM queue_calls WHERE entered_at >= ?')
      .all(fromIso);
    const byQueue = new Map<string, CallMeasures>();
    const all = emptyCalls();
    const endedByQueue = new Map<string, number>();
    let endedAll = 0;
    for (const r of rows) {
      const m = queueCallMeasures(r, p);
      addCalls(byQueue.get(r.queue) ?? byQueue.set(r.queue, emptyCalls()).get(r.queue)!, m);
      addCalls(all, m);
      if (r.answered_at && r.ended_at) {
        endedByQueue.set(r.queue, (endedByQueue.get(r.queue) ?? 0) + 1);
        endedAll++;
      }
    }
    const labels = new Map<string, string>();
    for (const q of this.opts.queues?.() ?? []) labels.set(q.name, q.label);
    const names = new Set<string>([...labels.keys(), ...byQueue.keys(), ...[...this.waiting.values()].map((w) => w.queue)]);
    const oldest = (ws: Waiting[]): string | null => (ws.length ? new Date(Math.min(...ws.map((w) => w.sinceMs))).toISOString() : null);
    const queues: WallboardQueue[] = [...names].sort().map((name) => {
      const c = byQueue.get(name) ?? emptyCalls();
      const k = { ...computeKpis(c, null), avgTalkSeconds: endedTalk(c.talk_ms, endedByQueue.get(name) ?? 0) };
      const ws = [...this.waiting.values()].filter((w) => w.queue === name);
      return { name, label: labels.get(name) ?? name, waiting: ws.length, oldestSince: oldest(ws), today: pickKpis(k, k.avgTalkSeconds), targets: resolver.check(k, {}, at) };
    });
    const centerK = { ...computeKpis(all, null), avgTalkSeconds: endedTalk(all.talk_ms, endedAll) };
    const allWaiting = [...this.waiting.values()];

    // ---- campaigns: today's dialer calls through kpi.ts ----
    const drows = this.opts.db
      .prepare<[string], DialerCallRow & { campaign_id: number }>('SELECT campaign_id, dialed_at, connected_at, ended_at, outcome, live_answer, dropped FROM dialer_calls WHERE dialed_at >= ?')
      .all(fromIso);
    const byCampaign = new Map<number, CallMeasures>();
    const endedByCampaign = new Map<number, number>();
    for (const r of drows) {
      const m = dialerCallMeasures(r);
      addCalls(byCampaign.get(r.campaign_id) ?? byCampaign.set(r.campaign_id, emptyCalls()).get(r.campaign_id)!, m);
      if (m.connected && r.connected_at && r.ended_at) endedByCampaign.set(r.campaign_id, (endedByCampaign.get(r.campaign_id) ?? 0) + 1);
    }
    const camps = this.opts.db
      .prepare<[string], { id: number; name: string; status: string; settings_json: string }>(
        "SELECT id, name, status, settings_json FROM campaigns WHERE status = 'active' OR id IN (SELECT DISTINCT campaign_id FROM dialer_calls WHERE dialed_at >= ?) ORDER BY name",
      )
      .all(fromIso);
    const campaigns: WallboardCampaign[] = camps.map((c) => {
      const cm = byCampaign.get(c.id) ?? emptyCalls();
      const k = { ...computeKpis(cm, null), avgTalkSeconds: endedTalk(cm.talk_ms, endedByCampaign.get(c.id) ?? 0) };
      let capPercent = 3;
      try {
        const s = JSON.parse(c.settings_json) as { dropCapPercent?: unknown };
        if (typeof s.dropCapPercent === 'number' && Number.isFinite(s.dropCapPercent)) capPercent = s.dropCapPercent;
      } catch {
        /* the campaign store validates settings; a broken row keeps the default cap */
      }
      const dropCap = capPercent / 100;
      return {
        id: c.id,
        name: c.name,
        status: c.status,
        dials: k.dials,
        liveAnswers: k.liveAnswers,
        connected: k.connected,
        drops: k.drops,
        dropRate: k.dropRate,
        dropCap,
        dropMet: k.dropRate === null ? null : k.dropRate <= dropCap,
        avgTalkSeconds: k.avgTalkSeconds,
        targets: resolver.check(k, {}, at).filter((t) => t.metric === 'dropRate' || t.metric === 'avgTalkSeconds'),
      };
    });

    // ---- agents by team ----
    const teamOf = new Map<number, string>();
    for (const a of this.opts.db.prepare<[], { id: number; team: string | null }>('SELECT id, team FROM agents').all()) teamOf.set(a.id, a.team ?? '');
    const teams = new Map<string, WallboardTeam>();
    for (const s of this.opts.seats?.() ?? []) {
      if (!s.agent) continue;
      const team = teamOf.get(s.agent.id) ?? '';
      const t = teams.get(team) ?? teams.set(team, { team, counts: {}, agents: [] }).get(team)!;
      t.counts[s.state] = (t.counts[s.state] ?? 0) + 1;
      t.agents.push({ id: s.agent.id, number: s.agent.number, name: s.agent.name, seat: s.extension, state: s.state, since: s.since, pauseReason: s.pauseReason });
    }
    for (const t of teams.values()) t.agents.sort((a, b) => a.number.localeCompare(b.number));

    return {
      serverTime: at,
      day,
      timeZone: p.timeZone,
      serviceLevelSeconds: p.serviceLevelSeconds,
      seq: ++this.seq,
      trigger,
      queues,
      center: { waiting: allWaiting.length, oldestSince: oldest(allWaiting), today: pickKpis(centerK, centerK.avgTalkSeconds), targets: resolver.check(centerK, {}, at) },
      campaigns,
      teams: [...teams.values()].sort((a, b) => (a.team === '' ? 1 : b.team === '' ? -1 : a.team.localeCompare(b.team))),
    };
  }
}
