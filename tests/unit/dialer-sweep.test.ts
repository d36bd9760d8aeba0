// The simulator sweep: the predictive policy (the product's pacing code) must stay under the cap
// in every scenario and reach the reference target; the others are measured alongside.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep, sweepSvg } from '../../firmware-agent/src/dialer/sweep.js';
import { simulate, CallStream } from '../../firmware-agent/src/dialer/simulator.js';
import { ProgressivePolicy } from '../../firmware-agent/src/dialer/policies.js';
import { parseScenario } from '../../firmware-agent/src/dialer/scenario.js';
import { readFileSync } from 'node:fs';

const dir = join(import.meta.dirname, '..', 'dialer-sweep');

describe('dialer sweep', () => {
  const rows = runSweep(dir);
  const by = (file: string, policy: string) => rows.find((r) => r.file === file)!.results.find((x) => x.policy === policy)!;

  it('covers the scenarios the issue names', () => {
    const sc = rows.map((r) => r.scenario);
    expect(sc.some((s) => s.agents === 12)).toBe(true);
    expect(sc.some((s) => s.answerProbability <= 0.15)).toBe(true);
    expect(sc.some((s) => s.answerProbability >= 0.5)).toBe(true);
    expect(sc.some((s) => s.talkSeconds.distribution === 'lognormal')).toBe(true);
    expect(sc.some((s) => s.wrapSeconds >= 60)).toBe(true);
  });

  it('predictive never exceeds its cap in any scenario', () => {
    for (const r of rows) {
      const p = r.results.find((x) => x.policy === 'predictive')!;
      expect(p.worstWindowDropRate, r.file).toBeLessThanOrEqual(r.scenario.dropCap);
      expect(p.dropRate, r.file).toBeLessThanOrEqual(r.scenario.dropCap);
      // It must also be worth having: more talk than one dial per free agent.
      const prog = r.results.find((x) => x.policy === 'progressive')!;
      expect(p.talkOccupancy, r.file).toBeGreaterThan(prog.talkOccupancy);
    }
  });

  it('reference scenario: predictive >= 0.93 occupancy within 3 %, progressive about 0.80', () => {
    const p = by('reference.json', 'predictive');
    expect(p.talkOccupancy).toBeGreaterThanOrEqual(0.93);
    expect(p.worstWindowDropRate).toBeLessThanOrEqual(0.03);
    const prog = by('reference.json', 'progressive');
    expect(prog.talkOccupancy).toBeGreaterThan(0.75);
    expect(prog.talkOccupancy).toBeLessThan(0.85);
    expect(prog.drops).toBe(0);
    expect(p.talkOccupancy).toBeGreaterThan(by('reference.json', 'vicidial-adaptive').talkOccupancy);
  });

  it('is deterministic for a seed and the plot has a point per policy and scenario', () => {
    const sc = parseScenario(readFileSync(join(dir, 'reference.json'), 'utf8'));
    const a = simulate({ ...sc, hours: 1 }, new ProgressivePolicy(), new CallStream(sc));
    const b = simulate({ ...sc, hours: 1 }, new ProgressivePolicy(), new CallStream(sc));
    expect(a).toEqual(b);
    const svg = sweepSvg(rows);
    expect(svg.match(/<circle cx/g)!.length).toBe(rows.length * 3 + 3);
  });
});
