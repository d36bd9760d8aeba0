// The KPI maths (docs/kpis.md): pure functions over detail rows and over summed measures.
// The fold (fold.ts) and the reports (query.ts) both go through these, so a KPI computed
// from rollups and one computed straight from detail cannot drift apart.
import { HALF_HOUR, floorHH } from './time.js';

export interface ReportParams {
  /** The center's time zone (days, weeks, months). */
  timeZone: string;
  /** Service level: answered within this many seconds (the Y of X/Y). */
  serviceLevelSeconds: number;
  /** Abandons within this many seconds are short abandons (excluded, see docs/kpis.md). */
  shortAbandonSeconds: number;
  /** Flag an agent whose daily conversations are below this share of the team average. */
  flagBelowTeamShare: number;
}

export const DEFAULT_REPORT_PARAMS: ReportParams = { timeZone: 'Asia/Shanghai', serviceLevelSeconds: 20, shortAbandonSeconds: 5, flagBelowTeamShare: 0.5 };

/** Summed call measures (one rollup row, or any sum of them). */
export interface CallMeasures {
  offered: number;
  answered: number;
  /** every abandon, short ones included */
  abandoned: number;
  short_abandoned: number;
  timed_out: number;
  answered_in_sl: number;
  wait_answered_ms: number;
  wait_abandoned_ms: number;
  ring_ms: number;
  talk_ms: number;
  /** after-call work of answered queue calls (agent wrap_up intervals with the call's linkedid) */
  wrap_ms: number;
  transfers: number;
  transfers_ok: number;
  surveys: number;
  satisfied: number;
  dials: number;
  live_answers: number;
  drops: number;
  connected: number;
  /** registrations (issue 8 desk records) */
  registrations: number;
  /** complaint tickets (issue 8 desk records) */
  complaints: number;
}

export const CALL_MEASURES: ReadonlyArray<keyof CallMeasures> = [
  'offered', 'answered', 'abandoned', 'short_abandoned', 'timed_out', 'answered_in_sl', 'wait_answered_ms', 'wait_abandoned_ms', 'ring_ms',
  'talk_ms', 'wrap_ms', 'transfers', 'transfers_ok', 'surveys', 'satisfied', 'dials', 'live_answers', 'drops', 'connected', 'registrations', 'complaints',
];

export const emptyCalls = (): CallMeasures => Object.fromEntries(CALL_MEASURES.map((k) => [k, 0])) as unknown as CallMeasures;

export function addCalls(into: CallMeasures, m: Partial<CallMeasures>): CallMeasures {
  for (const k of CALL_MEASURES) into[k] += m[k] ?? 0;
  return into;
}

export const AGENT_STATES = ['ready', 'ringing', 'talking', 'wrap_up', 'paused'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** Summed agent state time: ms and interval starts per state, pause per reason. */
export interface StateMeasures {
  ms: Record<AgentState, number>;
  n: Record<AgentState, number>;
  /** paused ms per reason code ('' = no reason given) */
  pauseMs: Record<string, number>;
  pauseN: Record<string, number>;
}

export const emptyStates = (): StateMeasures => ({
  ms: { ready: 0, ringing: 0, talking: 0, wrap_up: 0, paused: 0 },
  n: { ready: 0, ringing: 0, talking: 0, wrap_up: 0, paused: 0 },
  pauseMs: {},
  pauseN: {},
});

export function addState(into: StateMeasures, state: string, reason: string, ms: number, n: number): void {
  if (!(AGENT_STATES as readonly string[]).includes(state)) return;
  const s = state as AgentState;
  into.ms[s] += ms;
  into.n[s] += n;
  if (s === 'paused') {
    into.pauseMs[reason] = (into.pauseMs[reason] ?? 0) + ms;
    into.pauseN[reason] = (into.pauseN[reason] ?? 0) + n;
  }
}

// ---- detail → measures ----

export interface QueueCallRow {
  entered_at: string;
  answered_at: string | null;
  left_at: string | null;
  ended_at: string | null;
  outcome: string | null;
  ring_ms: number | null;
}

export type QueueCallClass = 'answered' | 'abandoned' | 'short_abandoned' | 'timeout' | 'open';

/**
 * What one queue entry counts as. Answered wins over everything: a caller who hangs up after
 * the agent picked up is an answered call (the trap other tools fall into), whatever the
 * outcome text says.
 */
export function classifyQueueCall(r: QueueCallRow, p: Pick<ReportParams, 'shortAbandonSeconds'>): QueueCallClass {
  if (r.answered_at) return 'answered';
  if (r.outcome === 'timeout') return 'timeout';
  if (r.outcome === 'abandoned') {
    const wait = Date.parse(r.left_at ?? r.ended_at ?? r.entered_at) - Date.parse(r.entered_at);
    return wait < p.shortAbandonSeconds * 1000 ? 'short_abandoned' : 'abandoned';
  }
  return 'open';
}

/** The measures of one queue entry (offered once; open entries count as offered only). */
export function queueCallMeasures(r: QueueCallRow, p: Pick<ReportParams, 'shortAbandonSeconds' | 'serviceLevelSeconds'>): Partial<CallMeasures> {
  const c = classifyQueueCall(r, p);
  const entered = Date.parse(r.entered_at);
  if (c === 'answered') {
    const wait = Date.parse(r.answered_at!) - entered;
    const talk = r.ended_at ? Math.max(0, Date.parse(r.ended_at) - Date.parse(r.answered_at!)) : 0;
    return { offered: 1, answered: 1, answered_in_sl: wait <= p.serviceLevelSeconds * 1000 ? 1 : 0, wait_answered_ms: wait, ring_ms: r.ring_ms ?? 0, talk_ms: talk };
  }
  if (c === 'abandoned' || c === 'short_abandoned') {
    const wait = Date.parse(r.left_at ?? r.ended_at ?? r.entered_at) - entered;
    return { offered: 1, abandoned: 1, short_abandoned: c === 'short_abandoned' ? 1 : 0, wait_abandoned_ms: wait };
  }
  if (c === 'timeout') return { offered: 1, timed_out: 1 };
  return { offered: 1 };
}

export interface DialerCallRow {
  dialed_at: string;
  connected_at: string | null;
  ended_at: string | null;
  outcome: string | null;
  live_answer: number;
  dropped: number;
}

export function dialerCallMeasures(r: DialerCallRow): Partial<CallMeasures> {
  const connected = r.outcome === 'connected' || r.connected_at !== null ? 1 : 0;
  const talk = connected && r.connected_at && r.ended_at ? Math.max(0, Date.parse(r.ended_at) - Date.parse(r.connected_at)) : 0;
  return { dials: 1, live_answers: r.live_answer, drops: r.dropped, connected, talk_ms: talk };
}

/** A transfer attempt succeeded (AMI BlindTransfer / AttendedTransfer Result). */
export const transferOk = (result: string): boolean => result.toLowerCase() === 'success';
/** A survey score counts as satisfied (4 or 5 of 5). */
export const satisfied = (score: number): boolean => score >= 4;

/**
 * Cuts one state interval [startMs, endMs) at half-hour edges: [bucket, ms, startsHere].
 * Never merges anything: each interval is cut on its own (adjacent pauses with different
 * reasons stay two pauses).
 */
export function splitInterval(startMs: number, endMs: number): Array<[number, number, boolean]> {
  const out: Array<[number, number, boolean]> = [];
  if (!(endMs > startMs)) {
    // A zero-length interval still started (counts as one occurrence, no time).
    if (endMs === startMs) out.push([floorHH(Math.floor(startMs / 1000)), 0, true]);
    return out;
  }
  let t = startMs;
  let first = true;
  while (t < endMs) {
    const bucket = floorHH(Math.floor(t / 1000));
    const edge = (bucket + HALF_HOUR) * 1000;
    const until = Math.min(edge, endMs);
    out.push([bucket, until - t, first]);
    first = false;
    t = until;
  }
  return out;
}

// ---- measures → KPIs ----

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
const secs = (ms: number, n: number): number | null => (n > 0 ? ms / n / 1000 : null);

export interface Kpis {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  timedOut: number;
  /** answered / (offered − short abandons) */
  answerRate: number | null;
  /** answered within Y s / (offered − short abandons) */
  serviceLevel: number | null;
  /** (abandoned − short abandons) / (offered − short abandons) */
  abandonRate: number | null;
  asaSeconds: number | null;
  avgAbandonWaitSeconds: number | null;
  avgRingSeconds: number | null;
  /** average talk per handled call (agent/team/center: agent talking intervals; queue/campaign: the calls) */
  avgTalkSeconds: number | null;
  /** average after-call work per handled call (agent states; queue rows: per answered call) */
  avgWrapSeconds: number | null;
  /** avgTalk + avgWrap (agent, team, center, queue rows) */
  ahtSeconds: number | null;
  transfers: number;
  transferRate: number | null;
  surveys: number;
  satisfactionRate: number | null;
  dials: number;
  liveAnswers: number;
  connected: number;
  drops: number;
  /** drops / live answers (the dialer's abandon rate) */
  dropRate: number | null;
  registrations: number;
  complaints: number;
  conversations: number | null;
  loginSeconds: number | null;
  readySeconds: number | null;
  ringSeconds: number | null;
  talkSeconds: number | null;
  wrapSeconds: number | null;
  pausedSeconds: number | null;
  pauses: number | null;
  pauseSecondsByReason: Record<string, number> | null;
  /** (ring + talk + wrap) / (ring + talk + wrap + ready) */
  occupancy: number | null;
  /** (ring + talk + wrap) / login time */
  utilisation: number | null;
}

/** KPIs of summed measures; states is null for dimensions without agent time (queue, campaign). */
export function computeKpis(c: CallMeasures, states: StateMeasures | null): Kpis {
  const base = c.offered - c.short_abandoned;
  const s = states;
  const busy = s ? s.ms.ringing + s.ms.talking + s.ms.wrap_up : 0;
  const login = s ? AGENT_STATES.reduce((a, k) => a + s.ms[k], 0) : 0;
  const handled = s ? s.n.talking : 0;
  const avgTalk = s ? secs(s.ms.talking, handled) : secs(c.talk_ms, c.answered + c.connected);
  // Queue rows: the wrap-up of their answered calls; campaign rows have none (null).
  const avgWrap = s ? secs(s.ms.wrap_up, handled) : secs(c.wrap_ms, c.answered);
  return {
    offered: c.offered,
    answered: c.answered,
    abandoned: c.abandoned,
    shortAbandoned: c.short_abandoned,
    timedOut: c.timed_out,
    answerRate: ratio(c.answered, base),
    serviceLevel: ratio(c.answered_in_sl, base),
    abandonRate: ratio(c.abandoned - c.short_abandoned, base),
    asaSeconds: secs(c.wait_answered_ms, c.answered),
    avgAbandonWaitSeconds: secs(c.wait_abandoned_ms, c.abandoned),
    avgRingSeconds: s ? secs(s.ms.ringing, s.n.ringing) : secs(c.ring_ms, c.answered),
    avgTalkSeconds: avgTalk,
    avgWrapSeconds: avgWrap,
    ahtSeconds: avgTalk !== null && avgWrap !== null ? avgTalk + avgWrap : null,
    transfers: c.transfers,
    transferRate: ratio(c.transfers_ok, c.transfers),
    surveys: c.surveys,
    satisfactionRate: ratio(c.satisfied, c.surveys),
    dials: c.dials,
    liveAnswers: c.live_answers,
    connected: c.connected,
    drops: c.drops,
    dropRate: ratio(c.drops, c.live_answers),
    registrations: c.registrations,
    complaints: c.complaints,
    conversations: s ? s.n.talking : null,
    loginSeconds: s ? login / 1000 : null,
    readySeconds: s ? s.ms.ready / 1000 : null,
    ringSeconds: s ? s.ms.ringing / 1000 : null,
    talkSeconds: s ? s.ms.talking / 1000 : null,
    wrapSeconds: s ? s.ms.wrap_up / 1000 : null,
    pausedSeconds: s ? s.ms.paused / 1000 : null,
    pauses: s ? s.n.paused : null,
    pauseSecondsByReason: s ? Object.fromEntries(Object.entries(s.pauseMs).map(([k, v]) => [k, v / 1000])) : null,
    occupancy: s ? ratio(busy, busy + s.ms.ready) : null,
    utilisation: s ? ratio(busy, login) : null,
  };
}
