// The three pacing policies the bench compares, all driven by the same simulator.
import { PacingController, type PacingConfig } from './pacing.js';
import type { Policy, SimView } from './simulator.js';
import { VicidialAdaptive } from './vicidial-adaptive.js';

/** One dial per free agent: never more calls ringing or waiting than agents ready for them. */
export class ProgressivePolicy implements Policy {
  readonly name = 'progressive';
  decide(v: SimView): number {
    let ready = 0;
    for (const a of v.snapshot.agents) if (a.phase === 'ready') ready++;
    return Math.max(0, ready - v.snapshot.ringing.length - v.snapshot.waiting);
  }
}

/** Ours: the product's PacingController itself, fed the simulator's events. */
export class PredictivePolicy implements Policy {
  readonly name = 'predictive';
  readonly controller: PacingController;
  constructor(config: Omit<PacingConfig, 'mode'>) {
    this.controller = new PacingController({ ...config, mode: 'predictive' });
  }
  decide(v: SimView): number {
    return this.controller.decide(v.snapshot).dials;
  }
  onDial(): void {
    this.controller.onDial();
  }
  onLiveAnswer(now: number, ring: number, dropped: boolean): void {
    this.controller.onLiveAnswer(now, ring, dropped);
  }
  onNoLiveAnswer(_now: number, ring: number): void {
    this.controller.onNoLiveAnswer(ring);
  }
  onTalkEnd(_now: number, talk: number): void {
    this.controller.onTalkEnd(talk);
  }
  onWrapEnd(_now: number, wrap: number): void {
    this.controller.onWrapEnd(wrap);
  }
}

export function makePolicies(cfg: { dropCap: number; connectGraceSeconds: number }): Policy[] {
  return [new ProgressivePolicy(), new VicidialAdaptive({ dropCap: cfg.dropCap }), new PredictivePolicy(cfg)];
}
