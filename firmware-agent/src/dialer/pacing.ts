// The predictive pacing: every second, per campaign, how many calls to place. Pure (no I/O, the
// clock is the `now` passed in), so the product and the simulator run this very code.
//
// Model: for a few horizons H (quantiles of the observed ring time of answered calls) compare
//   supply S_H = ready agents + busy agents free by H + grace (from each one's elapsed talk or
//                wrap time against the observed talk / wrap distributions; talk by Kaplan–Meier
//                over finished calls and, censored, the calls still going), and
//   demand D_H = answered calls waiting + ringing calls answering by H (conditioned on how long
//                each has rung) + n new calls answering by H,
// as normal approximations of sums of Bernoullis. The expected overflow E[(D-S)+] / E[D] is the
// share of answers finding no agent; n is the largest count keeping it <= theta at every H.
// theta follows the campaign's measured drop rate toward a target under the cap (slow feedback);
// a hard guard falls back to progressive when one more drop (plus the drops already expected
// from calls in flight) would put the 24-hour or 30-day window over the cap.
import { DropWindow, DurationSample, KaplanMeier } from './stats.js';
import type { NotDialingReason } from '../leads/lead-source.js';

export type AgentPhase = 'ready' | 'talking' | 'wrap' | 'paused';

export interface AgentView {
  phase: AgentPhase;
  /** When the current phase began (seconds on the pacing clock). */
  since: number;
}

export interface CampaignSnapshot {
  /** Seconds on the pacing clock (the simulator's clock or Date.now()/1000). */
  now: number;
  /** Agents logged in to the campaign (agents not logged in are absent). */
  agents: AgentView[];
  /** Dial times of calls still ringing (not answered, not failed). */
  ringing: number[];
  /** Answered calls waiting for an agent (inside the connect grace). */
  waiting: number;
  /** Free trunk channels; null = no limit known. */
  trunksFree: number | null;
}

/** Why the dialer holds back, beyond the lead side's reasons. */
export type DialerHoldReason = NotDialingReason | 'no_agents_logged_in' | 'all_agents_paused' | 'agents_busy';

export type PacingMode = 'progressive' | 'predictive';

export interface PacingConfig {
  /** Drop cap as a fraction of live answers (0.03 = 3 %). */
  dropCap: number;
  connectGraceSeconds: number;
  /** 'progressive' pins the campaign to one dial per free agent. */
  mode: PacingMode;
}

export interface PacingDecision {
  dials: number;
  /** progressive (learning or capped or configured) vs predictive. */
  mode: 'progressive' | 'predictive';
  /** Why progressive: 'learning' (not enough data yet), 'cap_guard', 'configured'; null when predictive. */
  progressiveWhy: 'learning' | 'cap_guard' | 'configured' | null;
  /** Set when dials === 0. */
  reason: DialerHoldReason | null;
  ready: number;
  talking: number;
  wrap: number;
  paused: number;
  ringing: number;
  waiting: number;
  theta: number;
  answerProbability: number;
  drop24h: { answers: number; drops: number };
  drop30d: { answers: number; drops: number };
}

export interface PacingState {
  theta: number;
  dials: number;
  resolved: number;
  liveAnswers: number;
}

const DAY = 86_400;
const MIN_TALK_SAMPLES = 30;
const MIN_RESOLVED = 100;
const MIN_ANSWERS = 15;
/** theta is steered toward this share of the cap: the rest is the margin for bad luck. */
const AIM_SHARE = 0.8;
/** Per 30 s step, theta moves by at most exp(±THETA_GAIN): slow next to the drop noise. */
const THETA_GAIN = 0.05;
/** The cap guard keeps room for twice the drops the calls in flight are expected to cause. */
const GUARD_MARGIN = 2;
/** Learning ends after this many finished calls per logged-in agent (and MIN_TALK_SAMPLES). */
const LEARN_TALKS_PER_AGENT = 1;
/** theta is scaled down (to 1/4 at least) until the 24-hour window holds this many answers. */
const RAMP_ANSWERS = 400;

function phi(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}
/** Standard normal CDF (Abramowitz–Stegun 26.2.17, |error| < 7.5e-8). */
function Phi(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = phi(z);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - p : p;
}
/** E[max(X,0)] for X ~ N(m, v). */
function expectedPositive(m: number, v: number): number {
  if (v <= 1e-12) return Math.max(m, 0);
  const s = Math.sqrt(v);
  return m * Phi(m / s) + s * phi(m / s);
}

export class PacingController {
  readonly talk = new DurationSample(1000);
  readonly wrap = new DurationSample(500);
  /** Ring time of calls that were answered by a person. */
  readonly ringAnswered = new DurationSample(1000);
  /** Time until a call failed without a live answer (no answer, busy, machine). */
  readonly ringUnanswered = new DurationSample(1000);
  private readonly outcomes: boolean[] = [];
  private outcomeNext = 0;
  private outcomeAnswers = 0;
  /** Talk-time CDF used by the model: finished calls + calls still going (censored). */
  private readonly talkKm = new KaplanMeier();
  private lastKmBuild = -Infinity;
  readonly window24h = new DropWindow(DAY);
  readonly window30d = new DropWindow(30 * DAY);
  private theta: number;
  private lastThetaUpdate = -Infinity;
  private totals = { dials: 0, resolved: 0, liveAnswers: 0 };

  constructor(private config: PacingConfig) {
    this.theta = config.dropCap;
  }

  setConfig(config: PacingConfig): void {
    if (config.dropCap !== this.config.dropCap) this.theta = Math.min(this.theta, config.dropCap);
    this.config = config;
  }

  getConfig(): PacingConfig {
    return this.config;
  }

  state(): PacingState {
    return { theta: this.theta, ...this.totals };
  }

  /** Seed the drop windows from the stored log (product start-up). */
  seedWindows(entries: Array<{ at: number; answers: number; drops: number }>, now: number): void {
    for (const e of entries) {
      this.window24h.add(e.at, e.answers, e.drops);
      this.window30d.add(e.at, e.answers, e.drops);
    }
    this.window24h.advance(now);
    this.window30d.advance(now);
  }

  // ---- observations -------------------------------------------------------------------------
  onDial(): void {
    this.totals.dials++;
  }

  private pushOutcome(answered: boolean): void {
    const cap = 1000;
    if (this.outcomes.length < cap) this.outcomes.push(answered);
    else {
      if (this.outcomes[this.outcomeNext]) this.outcomeAnswers--;
      this.outcomes[this.outcomeNext] = answered;
      this.outcomeNext = (this.outcomeNext + 1) % cap;
    }
    if (answered) this.outcomeAnswers++;
    this.totals.resolved++;
  }

  /** A person answered after `ringSeconds`; `dropped` when no agent took it within the grace. */
  onLiveAnswer(now: number, ringSeconds: number, dropped: boolean): void {
    this.pushOutcome(true);
    this.ringAnswered.add(ringSeconds);
    this.totals.liveAnswers++;
    this.window24h.add(now, 1, dropped ? 1 : 0);
    this.window30d.add(now, 1, dropped ? 1 : 0);
  }

  /** The call ended without a live answer (no answer, busy, congestion, answering machine). */
  onNoLiveAnswer(ringSeconds: number): void {
    this.pushOutcome(false);
    this.ringUnanswered.add(ringSeconds);
  }

  onTalkEnd(talkSeconds: number): void {
    this.talk.add(talkSeconds);
  }

  onWrapEnd(wrapSeconds: number): void {
    this.wrap.add(wrapSeconds);
  }

  answerProbability(): number {
    return this.outcomes.length === 0 ? 0 : this.outcomeAnswers / this.outcomes.length;
  }

  // ---- the decision -------------------------------------------------------------------------
  decide(s: CampaignSnapshot): PacingDecision {
    const { now } = s;
    if (now - this.lastKmBuild >= 30 || (this.talkKm.size === 0 && this.talk.count > 0)) {
      this.lastKmBuild = now;
      const going: number[] = [];
      for (const a of s.agents) if (a.phase === 'talking') going.push(now - a.since);
      this.talkKm.build(this.talk.values(), going);
    }
    this.window24h.advance(now);
    this.window30d.advance(now);
    let ready = 0;
    let talking = 0;
    let wrapping = 0;
    let paused = 0;
    for (const a of s.agents) {
      if (a.phase === 'ready') ready++;
      else if (a.phase === 'talking') talking++;
      else if (a.phase === 'wrap') wrapping++;
      else paused++;
    }
    const p = this.answerProbability();
    const base: PacingDecision = {
      dials: 0,
      mode: 'progressive',
      progressiveWhy: null,
      reason: null,
      ready,
      talking,
      wrap: wrapping,
      paused,
      ringing: s.ringing.length,
      waiting: s.waiting,
      theta: this.theta,
      answerProbability: p,
      drop24h: { answers: this.window24h.answers, drops: this.window24h.drops },
      drop30d: { answers: this.window30d.answers, drops: this.window30d.drops },
    };
    // Never dial for nobody: checked first, on the live agent list, every tick.
    if (s.agents.length === 0) return { ...base, reason: 'no_agents_logged_in' };
    if (paused === s.agents.length) return { ...base, reason: 'all_agents_paused' };
    if (s.trunksFree !== null && s.trunksFree <= 0) return { ...base, reason: 'trunks_full' };

    this.updateTheta(now);
    const progressive = Math.max(0, ready - s.ringing.length - s.waiting);
    const learning =
      // A call per agent (and MIN_TALK_SAMPLES) before predicting; the early bias toward short
      // calls is handled by the Kaplan–Meier estimate (calls still going count as censored).
      this.talk.count < Math.max(MIN_TALK_SAMPLES, LEARN_TALKS_PER_AGENT * s.agents.length) ||
      this.totals.resolved < MIN_RESOLVED ||
      this.outcomeAnswers < MIN_ANSWERS ||
      this.ringAnswered.count < MIN_ANSWERS;
    let dials = progressive;
    let mode: PacingDecision['mode'] = 'progressive';
    let why: PacingDecision['progressiveWhy'] = null;
    let capBlocked = false;
    if (this.config.mode === 'progressive') why = 'configured';
    else if (learning) why = 'learning';
    else {
      const model = this.predictiveDials(s, p);
      // Hard guard: the drops the calls in flight may still cause, plus one, must fit the cap.
      const budget24 = this.config.dropCap * this.window24h.answers - this.window24h.drops;
      const budget30 = this.config.dropCap * this.window30d.answers - this.window30d.drops;
      if (Math.min(budget24, budget30) < GUARD_MARGIN * (1 + model.inFlightOverflow)) {
        why = 'cap_guard';
        capBlocked = model.dials > progressive;
      } else {
        dials = Math.max(progressive, model.dials);
        mode = 'predictive';
      }
    }
    if (s.trunksFree !== null) dials = Math.min(dials, s.trunksFree);
    const out: PacingDecision = { ...base, dials, mode, progressiveWhy: why };
    if (dials === 0) out.reason = capBlocked ? 'drop_cap_reached' : ready === 0 ? 'no_ready_agents' : 'agents_busy';
    return out;
  }

  /** Slow feedback: theta rises while the measured drop rate is under the aim, falls above it. */
  private updateTheta(now: number): void {
    if (now - this.lastThetaUpdate < 30) return;
    this.lastThetaUpdate = now;
    const w = this.window24h;
    if (w.answers < 50) return;
    const aim = AIM_SHARE * this.config.dropCap;
    const err = (aim - w.rate()) / aim;
    this.theta *= Math.exp(THETA_GAIN * Math.max(-1, Math.min(1, err)));
    this.theta = Math.min(Math.max(this.theta, this.config.dropCap * 0.05), this.config.dropCap);
  }

  private predictiveDials(s: CampaignSnapshot, p: number): { dials: number; inFlightOverflow: number } {
    const grace = this.config.connectGraceSeconds;
    const wrapMean = this.wrap.mean(0);
    const qs = [0.1, 0.3, 0.5, 0.7, 0.9];
    const horizons = qs.map((q) => Math.max(1, this.ringAnswered.quantile(q)));
    const survivalUnanswered = (e: number) => 1 - this.ringUnanswered.cdf(e);
    let inFlightOverflow = 0;
    const hs: Array<{ sMean: number; sVar: number; dMean: number; dVar: number; qn: number }> = [];
    for (const H of horizons) {
      // Supply: agents free by H + grace.
      let sMean = 0;
      let sVar = 0;
      const reach = H + grace;
      for (const a of s.agents) {
        let q: number;
        if (a.phase === 'ready') q = 1;
        else if (a.phase === 'paused') q = 0;
        else if (a.phase === 'talking') {
          const e = s.now - a.since;
          const km = this.talkKm;
          const surv = 1 - km.cdf(e);
          q = surv <= 1e-9 ? 1 : Math.max(0, km.cdf(e + reach - wrapMean) - km.cdf(e)) / surv;
        } else {
          const e = s.now - a.since;
          const surv = 1 - this.wrap.cdf(e);
          q = surv <= 0 ? 1 : Math.max(0, this.wrap.cdf(e + reach) - this.wrap.cdf(e)) / surv;
        }
        sMean += q;
        sVar += q * (1 - q);
      }
      // Demand: answered calls waiting, ringing calls answering by H.
      let dMean = s.waiting;
      let dVar = 0;
      for (const t of s.ringing) {
        const e = s.now - t;
        const fe = this.ringAnswered.cdf(e);
        const alive = p * (1 - fe) + (1 - p) * survivalUnanswered(e);
        if (alive <= 0) continue;
        const q = (p * Math.max(0, this.ringAnswered.cdf(e + H) - fe)) / alive;
        dMean += q;
        dVar += q * (1 - q);
      }
      inFlightOverflow = Math.max(inFlightOverflow, expectedPositive(dMean - sMean, dVar + sVar));
      hs.push({ sMean, sVar, dMean, dVar, qn: p * this.ringAnswered.cdf(H) });
    }
    // A new call answering at (about) H is dropped when the other answers by H use up the
    // agents free by H + grace. Averaged over the ring-time quantiles, that is its drop
    // probability; dial while the next call's stays within theta.
    // Early in a window one unlucky drop weighs a lot against few answers: start cautious.
    const ramp = Math.min(1, Math.max(0.25, this.window24h.answers / RAMP_ANSWERS));
    const theta = this.theta * ramp;
    let limit = 0;
    const cap = s.agents.length * 4 + 10;
    while (limit < cap) {
      let pd = 0;
      for (const h of hs) {
        const m = h.dMean + limit * h.qn;
        const v = h.dVar + h.sVar + limit * h.qn * (1 - h.qn);
        const sd = Math.sqrt(Math.max(v, 1e-9));
        pd += 1 - Phi((h.sMean - m - 0.5) / sd);
      }
      if (pd / hs.length > theta) break;
      limit++;
    }
    return { dials: Number.isFinite(limit) ? limit : 0, inFlightOverflow };
  }
}
