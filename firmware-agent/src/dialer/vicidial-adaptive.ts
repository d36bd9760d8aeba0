// VICIdial's ADAPT_AVERAGE dial-level controller, reimplemented from its published Perl
// (bin/AST_VDadapt.pl: count_agents_lines, calculate_drops, calculate_dial_level; and
// bin/AST_VDauto_dial.pl for how a dial level becomes calls). Defaults as VICIdial ships them:
// adaptive_intensity 0, adaptive_dl_diff_target 0, adaptive_maximum_level 3.0, start level 1.0,
// available_only_ratio_tally N. See docs/dialer.md for the line-by-line mapping.
import type { Policy, SimView } from './simulator.js';

export interface VicidialConfig {
  dropCap: number;
  maxLevel?: number;
  intensity?: number;
  diffTarget?: number;
}

export class VicidialAdaptive implements Policy {
  readonly name = 'vicidial-adaptive';
  level = 1.0;
  private readonly maxLevel: number;
  private readonly intensity: number;
  private readonly diffTarget: number;
  /** count_agents_lines samples: [ready, waitingCalls, totalAgents] once a second, last 15 kept. */
  private readonly samples: Array<[number, number, number]> = [];
  private diffUpdater = 0;
  private dropUpdater = 0;
  // calculate_drops results (refreshed every 60 s, as in VICIdial).
  private callsToday = 0;
  private answersToday = 0;
  private dropsToday = 0;
  private dropsAnswersTodayPct = 0;
  private callsOne = 0;
  private dropsOnePct = 0;
  private readonly dialTimes: number[] = [];
  private readonly dropTimes: number[] = [];
  private dialHead = 0;
  private dropHead = 0;

  constructor(private readonly cfg: VicidialConfig) {
    this.maxLevel = cfg.maxLevel ?? 3.0;
    this.intensity = cfg.intensity ?? 0;
    this.diffTarget = cfg.diffTarget ?? 0;
  }

  onDial(now: number): void {
    this.callsToday++;
    this.dialTimes.push(now);
  }
  onLiveAnswer(now: number, _ring: number, dropped: boolean): void {
    this.answersToday++;
    if (dropped) {
      this.dropsToday++;
      this.dropTimes.push(now);
    }
  }

  decide(v: SimView): number {
    const s = v.snapshot;
    let ready = 0;
    let incall = 0;
    for (const a of s.agents) {
      if (a.phase === 'ready') ready++;
      else if (a.phase === 'talking') incall++;
    }
    // count_agents_lines: READY agents and LIVE (answered, waiting) calls, 15-sample averages.
    this.samples.push([ready, s.waiting, s.agents.length]);
    if (this.samples.length > 15) this.samples.shift();
    this.diffUpdater++;
    this.dropUpdater++;
    if (this.dropUpdater >= 60) {
      this.dropUpdater = 0;
      this.calculateDrops(v.now);
    }
    if (this.diffUpdater >= 15) {
      this.diffUpdater = 0;
      this.calculateDialLevel();
    }
    // AST_VDauto_dial: goal = dial level x (READY + INCALL agents); place goal - existing calls
    // (SENT/RINGING/LIVE/XFER/CLOSER: ringing, waiting and connected calls).
    const goal = Math.round(this.level * (ready + incall));
    const existing = s.ringing.length + s.waiting + v.connected;
    return Math.max(0, goal - existing);
  }

  private calculateDrops(now: number): void {
    while (this.dialHead < this.dialTimes.length && this.dialTimes[this.dialHead]! <= now - 60) this.dialHead++;
    while (this.dropHead < this.dropTimes.length && this.dropTimes[this.dropHead]! <= now - 60) this.dropHead++;
    this.callsOne = this.dialTimes.length - this.dialHead;
    const dropsOne = this.dropTimes.length - this.dropHead;
    this.dropsOnePct = this.callsOne > 0 ? (dropsOne / this.callsOne) * 100 : 0;
    this.dropsAnswersTodayPct = (this.dropsToday / Math.max(1, this.answersToday)) * 100;
  }

  private calculateDialLevel(): void {
    const n = this.samples.length;
    if (n === 0) return;
    let readySum = 0;
    let waitSum = 0;
    let totalSum = 0;
    for (const [r, w, t] of this.samples) {
      readySum += r;
      waitSum += w;
      totalSum += t;
    }
    const agentsAverage = totalSum / n;
    const differential = readySum / n - waitSum / n + this.diffTarget;
    const mul = differential !== 0 && agentsAverage !== 0 ? differential / agentsAverage : 0;
    const pct = mul * 100;
    const intensityMul = this.intensity / 100;
    const intensityDiff = pct < 0 ? pct * Math.abs(intensityMul - 1) : pct * (intensityMul + 1);
    let level = this.level * (intensityDiff / 100 + 1);
    if (level > this.maxLevel) level = this.maxLevel;
    if (level < 1) level = 1;
    // DROP PERCENTAGE RULES TO LOWER DIAL_LEVEL
    if (this.callsOne > 20 && this.dropsOnePct > 50) level /= 2;
    if (this.callsToday > 50 && this.dropsAnswersTodayPct > this.cfg.dropCap * 100) level /= 2; // ADAPT_AVERAGE
    if (level < 1) level = 1;
    this.level = level;
  }
}
