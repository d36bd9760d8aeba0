import { describe, expect, it } from 'vitest';
import { PacingController, type AgentView, type CampaignSnapshot } from '../../firmware-agent/src/dialer/pacing.js';
import { DropWindow, DurationSample } from '../../firmware-agent/src/dialer/stats.js';
import { parseScenario, ScenarioError } from '../../firmware-agent/src/dialer/scenario.js';
import { VicidialAdaptive } from '../../firmware-agent/src/dialer/vicidial-adaptive.js';

const cfg = { dropCap: 0.03, connectGraceSeconds: 2, mode: 'predictive' as const };

/** A controller that has seen a full day of a 48-agent campaign: past learning, far from the cap. */
function trained(): PacingController {
  const c = new PacingController(cfg);
  let t = 0;
  for (let i = 0; i < 3000; i++) {
    c.onDial();
    if (i % 10 < 3) c.onLiveAnswer(t, 4 + (i % 16), false);
    else c.onNoLiveAnswer(10 + (i % 20));
    if (i % 10 === 0) c.onTalkEnd(60 + (i % 400));
    t += 1;
  }
  return c;
}

function snap(now: number, agents: AgentView[], extra: Partial<CampaignSnapshot> = {}): CampaignSnapshot {
  return { now, agents, ringing: [], waiting: 0, trunksFree: null, ...extra };
}

const talking = (n: number, since: number): AgentView[] => Array.from({ length: n }, () => ({ phase: 'talking' as const, since }));

describe('pacing: never dial for nobody', () => {
  it('places no call when no agent is logged in, with the reason', () => {
    const d = trained().decide(snap(3000, []));
    expect(d.dials).toBe(0);
    expect(d.reason).toBe('no_agents_logged_in');
  });

  it('stops at once when every agent pauses, although predictive would dial for 47 busy agents', () => {
    const c = trained();
    const busy = [...talking(47, 2552), { phase: 'ready' as const, since: 2990 }];
    const before = c.decide(snap(3000, busy));
    expect(before.mode).toBe('predictive');
    expect(before.dials).toBeGreaterThan(1); // over-dials for agents about to be free
    // Next second every agent is paused: zero dials on that very tick.
    const paused = busy.map(() => ({ phase: 'paused' as const, since: 3001 }));
    const after = c.decide(snap(3001, paused));
    expect(after.dials).toBe(0);
    expect(after.reason).toBe('all_agents_paused');
  });

  it('counts paused agents as no supply', () => {
    const c = trained();
    const d = c.decide(snap(3000, [...talking(1, 2999), ...Array.from({ length: 47 }, () => ({ phase: 'paused' as const, since: 0 }))]));
    // One agent just started talking: at most a dial or two, not 48 agents' worth.
    expect(d.dials).toBeLessThanOrEqual(1);
  });

  it('respects the trunk limit and says trunks are full', () => {
    const c = trained();
    const agents = Array.from({ length: 10 }, () => ({ phase: 'ready' as const, since: 2990 }));
    expect(c.decide(snap(3000, agents, { trunksFree: 3 })).dials).toBe(3);
    const full = c.decide(snap(3001, agents, { trunksFree: 0 }));
    expect(full.dials).toBe(0);
    expect(full.reason).toBe('trunks_full');
  });
});

describe('pacing: modes', () => {
  it('starts progressive (learning) and dials one per ready agent', () => {
    const c = new PacingController(cfg);
    const agents = Array.from({ length: 5 }, () => ({ phase: 'ready' as const, since: 0 }));
    const d = c.decide(snap(0, agents, { ringing: [0, 0] }));
    expect(d.mode).toBe('progressive');
    expect(d.progressiveWhy).toBe('learning');
    expect(d.dials).toBe(3);
  });

  it('falls back to progressive when the 24-hour window has no drop budget left', () => {
    const c = trained();
    // 100 more answers with 3 drops: 3 % already, no room for one more.
    for (let i = 0; i < 100; i++) c.onLiveAnswer(3000, 10, i < 3 + 900 * 0.03 ? true : false);
    const d = c.decide(snap(3001, talking(48, 2552)));
    expect(d.progressiveWhy).toBe('cap_guard');
    expect(d.dials).toBe(0);
    expect(d.reason).toBe('drop_cap_reached');
  });

  it('configured progressive never over-dials', () => {
    const c = trained();
    c.setConfig({ ...cfg, mode: 'progressive' });
    const d = c.decide(snap(3000, talking(48, 2900)));
    expect(d.dials).toBe(0);
    expect(d.reason).toBe('no_ready_agents');
  });
});

describe('stats', () => {
  it('DurationSample gives an empirical CDF', () => {
    const s = new DurationSample(100);
    for (let i = 1; i <= 100; i++) s.add(i);
    expect(s.cdf(50)).toBeCloseTo(0.5, 2);
    expect(s.cdf(0)).toBe(0);
    expect(s.cdf(1000)).toBe(1);
    expect(s.mean()).toBeCloseTo(50.5, 5);
  });

  it('DropWindow forgets what is older than its window', () => {
    const w = new DropWindow(3600);
    w.add(0, 10, 1);
    w.add(1800, 10, 0);
    w.advance(3000);
    expect([w.answers, w.drops]).toEqual([20, 1]);
    w.advance(3700);
    expect([w.answers, w.drops]).toEqual([10, 0]);
  });
});

describe('scenario files', () => {
  it('rejects bad input saying where and why', () => {
    expect(() => parseScenario('{', 'x.json')).toThrow(/x\.json: not valid JSON/);
    expect(() => parseScenario('{"agents": 0}', 'y.json')).toThrow(ScenarioError);
    expect(() => parseScenario('{"agents": 0}', 'y.json')).toThrow(/y\.json: .*\/agents/);
  });
});

describe('vicidial-adaptive (ADAPT_AVERAGE)', () => {
  const view = (ready: number, talkingN: number, now: number) => ({
    now,
    connected: talkingN,
    snapshot: snap(now, [
      ...Array.from({ length: ready }, () => ({ phase: 'ready' as const, since: 0 })),
      ...talking(talkingN, 0),
    ]),
  });

  it('raises the dial level multiplicatively every 15 s while agents wait', () => {
    const v = new VicidialAdaptive({ dropCap: 0.03 });
    for (let t = 0; t < 15; t++) v.decide(view(12, 36, t));
    // 15-sample average: 12 ready of 48 agents, no calls waiting: level x (1 + 12/48).
    expect(v.level).toBeCloseTo(1.25, 6);
    for (let t = 15; t < 30; t++) v.decide(view(12, 36, t));
    expect(v.level).toBeCloseTo(1.5625, 6);
  });

  it('halves the level when the day’s drop % of answers exceeds the target', () => {
    const v = new VicidialAdaptive({ dropCap: 0.03 });
    for (let i = 0; i < 100; i++) v.onDial(0);
    for (let i = 0; i < 40; i++) v.onLiveAnswer(0, 5, i < 4); // 10 % dropped
    v.level = 3;
    for (let t = 0; t < 60; t++) v.decide(view(0, 48, t));
    // No agent waiting: differential 0, so only the drop rule moves it (twice in 60 s after the stats refresh).
    expect(v.level).toBeCloseTo(1.5, 6);
  });
});

describe('Kaplan–Meier talk estimate', () => {
  it('equals the empirical CDF without censoring and corrects the short bias with it', async () => {
    const { KaplanMeier } = await import('../../firmware-agent/src/dialer/stats.js');
    const km = new KaplanMeier();
    km.build([10, 20, 30, 40], []);
    expect(km.cdf(5)).toBe(0);
    expect(km.cdf(20)).toBeCloseTo(0.5, 10);
    expect(km.cdf(40)).toBeCloseTo(1, 10);
    // Two short calls finished, two long ones still going at 100 s: the naive CDF would say
    // every call ends by 20 s; Kaplan–Meier leaves half the mass beyond 100 s.
    km.build([10, 20], [100, 100]);
    expect(km.cdf(20)).toBeCloseTo(0.5, 10);
    expect(km.cdf(1000)).toBeCloseTo(0.5, 10);
  });
});
