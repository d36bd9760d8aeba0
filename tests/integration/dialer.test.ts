// The dialer on the real Asterisk 22: the product's DialerModule + AsteriskDialerPort originate
// through the demo's simulated PSTN (seatbox-pstn-sim, answer odds and ring/talk times scaled
// down), connect answered calls to agents logged in through the agents module (the demo's
// simulated seat phones answer), drop calls with no agent within the grace (drop message), and
// stop dialing at once when every agent pauses. Measured occupancy and drop rate are compared
// with the simulator's prediction (mean over 20 seeds) for the same parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { DialerModule, type DialerCampaign } from '../../firmware-agent/src/dialer/dialer-module.js';
import { AsteriskDialerPort } from '../../firmware-agent/src/dialer/asterisk-port.js';
import { CONTEXTS } from '../../firmware-agent/src/pbx-config/model.js';
import type { DialableLead, DialOutcome, LeadSource, NotDialingReason } from '../../firmware-agent/src/leads/lead-source.js';
import { simulate, CallStream } from '../../firmware-agent/src/dialer/simulator.js';
import { PredictivePolicy } from '../../firmware-agent/src/dialer/policies.js';
import type { Scenario } from '../../firmware-agent/src/dialer/scenario.js';

const AGENTS = 6;
// A 10 % cap (same in the simulator): with a few dozen live answers in a short run a 3 % cap keeps
// the pacing in its cap guard (progressive) the whole time; 10 % lets the predictive pacing run.
const RUN_SECONDS = 180;
// Scaled-down telephony (demo.odds): answer 30 %, ring 1-4 s, no answer after 3 s, talk 1 s
// (silence/1 played by the PSTN side) + 4-10 s.
const ODDS = { answerPercent: 30, busyPercent: 0, noAnswerPercent: 70, ringMinSeconds: 1, ringMaxSeconds: 4, noAnswerSeconds: 3, talkMinSeconds: 4, talkMaxSeconds: 10, sound: 'silence/1' };

/** The test's own lead source (the brief allows it): numbers on demand, outcomes recorded. */
class MemoryLeads implements LeadSource {
  next = 1;
  outcomes = new Map<number, DialOutcome>();
  reserve(campaignId: number, n: number): DialableLead[] {
    return Array.from({ length: n }, () => {
      const leadId = this.next++;
      return { leadId, campaignId, phone: `1700000${String(leadId).padStart(4, '0')}`, extension: null, attempt: 1 };
    });
  }
  release(): void {}
  recordOutcome(leadId: number, outcome: DialOutcome): void {
    this.outcomes.set(leadId, outcome);
  }
  notDialingReason(): NotDialingReason | null {
    return null;
  }
}

let t: TestAgent;
let dialer: DialerModule;
const leads = new MemoryLeads();
let campaign: DialerCampaign;
const agentIds: number[] = [];

beforeAll(async () => {
  t = await startTestAgent({
    prepare: (db) => {
      new SettingsStore(db).set('demo.odds', ODDS);
      new SettingsStore(db).set('agents.wrapUpSeconds', 0);
      const addSeat = db.prepare("INSERT INTO seats (extension, name, tech, secret) VALUES (?, ?, 'sip', ?)");
      for (let i = 1; i <= AGENTS; i++) addSeat.run(`810${i}`, `Seat 810${i}`, `Seat-810${i}-Secret-x`);
    },
  });
  const c = t.agent.campaigns.campaigns.create({ name: 'dialer-it', dialMode: 'predictive' });
  campaign = { id: c.id, name: c.name, status: 'active', dialMode: 'predictive', dropCapPercent: 10, channelLimit: 60, trunk: null, callerId: null };
  for (let i = 1; i <= AGENTS; i++) {
    const r = await t.api('POST', '/api/v1/agents', { number: `20${i}0`, name: `Agent ${i}`, pin: '1234' });
    expect(r.status).toBe(200);
    agentIds.push(r.body.agent.id);
  }
  dialer = new DialerModule({
    db: t.agent.db,
    live: t.agent.live,
    logger: t.agent.log.child({ module: 'dialer-it' }),
    leads,
    campaigns: () => [campaign],
    agents: () => t.agent.agents.engine.agents().map((a) => ({ agentId: a.agent.id, seat: a.seat, state: a.state, since: a.since })),
    port: new AsteriskDialerPort({
      ami: t.agent.ami,
      logger: t.agent.log,
      destination: (phone) => ({ number: phone, context: CONTEXTS.pstnSim }),
      noAnswerSeconds: () => ODDS.noAnswerSeconds + 5,
      dropSound: () => 'vm-goodbye',
    }),
  });
}, 180_000);

afterAll(async () => {
  await dialer?.stop();
  await t?.stop();
});

const rows = () =>
  t.agent.db.prepare('SELECT id, dialed_at, answered_at, connected_at, ended_at, outcome, live_answer, dropped FROM dialer_calls WHERE campaign_id = ? ORDER BY id').all(campaign.id) as Array<{
    id: number; dialed_at: string; answered_at: string | null; connected_at: string | null; ended_at: string | null; outcome: string | null; live_answer: number; dropped: number;
  }>;

describe('predictive dialer on the real Asterisk 22', () => {
  it('does not dial while no agent is logged in', async () => {
    await dialer.start();
    await new Promise((r) => setTimeout(r, 2500));
    expect(rows()).toHaveLength(0);
    expect(dialer.status(campaign.id)?.notDialingReason).toBe('no_agents_logged_in');
  });

  it('paces, connects and drops like the simulator predicts', async () => {
    for (let i = 0; i < AGENTS; i++) expect((await t.api('POST', `/api/v1/agents/${agentIds[i]}/login`, { seat: `810${i + 1}` })).status).toBe(200);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, RUN_SECONDS * 1000));
    const end = Date.now();
    const all = rows();
    const answered = all.filter((r) => r.live_answer === 1);
    const drops = all.filter((r) => r.dropped === 1).length;
    // Talk time of connected calls inside the window (calls still up count to `end`).
    let talkMs = 0;
    for (const r of all) {
      if (!r.connected_at) continue;
      const a = Math.max(Date.parse(r.connected_at), start);
      const b = Math.min(r.ended_at ? Date.parse(r.ended_at) : end, end);
      if (b > a) talkMs += b - a;
    }
    const occupancy = talkMs / (AGENTS * (end - start));
    const dropRate = answered.length ? drops / answered.length : 0;
    // The simulator with the same parameters (mean over 20 seeds of the same pacing code).
    const sc: Scenario = {
      agents: AGENTS,
      hours: RUN_SECONDS / 3600,
      answerProbability: ODDS.answerPercent / 100,
      ringSeconds: { min: ODDS.ringMinSeconds, max: ODDS.ringMaxSeconds },
      noAnswerSeconds: { min: ODDS.noAnswerSeconds, max: ODDS.noAnswerSeconds },
      talkSeconds: { distribution: 'uniform', mean: 8, min: ODDS.talkMinSeconds + 1, max: ODDS.talkMaxSeconds + 1 },
      wrapSeconds: 0,
      dropCap: 0.1,
      connectGraceSeconds: 2,
      seed: 1,
    };
    let simOcc = 0;
    let simDrop = 0;
    const N = 20;
    for (let s = 1; s <= N; s++) {
      const r = simulate({ ...sc, seed: s }, new PredictivePolicy(sc), new CallStream({ ...sc, seed: s }));
      simOcc += r.talkOccupancy / N;
      simDrop += r.dropRate / N;
    }
    const modes: any[] = t.agent.db.prepare('SELECT mode, coalesce(why, \'\') AS why, sum(placed) AS placed FROM dialer_decisions WHERE campaign_id = ? GROUP BY mode, why').all(campaign.id);
    const report = { dials: all.length, liveAnswers: answered.length, drops, occupancy, dropRate, simOcc, simDrop, modes };
    console.log('dialer real vs simulator', JSON.stringify(report));
    expect(all.length).toBeGreaterThan(50);
    expect(answered.length).toBeGreaterThan(15);
    // Every answered call was either connected to an agent or dropped (and heard the message).
    for (const r of answered) expect(['connected', 'dropped']).toContain(r.outcome);
    // Tolerance: occupancy within 0.15 absolute; drop rate within 0.06 absolute (a few dozen
    // live answers: one drop moves the rate by ~2-3 points). The predictive pacing must have run.
    expect(modes.some((m: any) => m.mode === 'predictive' && m.placed > 0)).toBe(true);
    expect(Math.abs(occupancy - simOcc)).toBeLessThanOrEqual(0.15);
    expect(Math.abs(dropRate - simDrop)).toBeLessThanOrEqual(0.06);
    // Outcomes reached the lead side.
    expect(leads.outcomes.size).toBeGreaterThan(30);
  }, RUN_SECONDS * 1000 + 60_000);

  it('stops dialing at once when every agent is paused', async () => {
    for (const id of agentIds) expect((await t.api('POST', `/api/v1/agents/${id}/pause`, {})).status).toBe(200);
    await waitFor('all agents paused', () => t.agent.agents.engine.agents().every((a) => a.state === 'paused'), 30_000);
    const pausedAt = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    // A tick already under way may still place its calls: allow 1.1 s, nothing after.
    const late = rows().filter((r) => Date.parse(r.dialed_at) > pausedAt + 1100);
    expect(late).toHaveLength(0);
    expect(dialer.status(campaign.id)?.notDialingReason).toBe('all_agents_paused');
  }, 60_000);

  it('a call answered with no agent free is dropped and hears the drop message', async () => {
    // Every agent is paused (previous test): answered calls can only be dropped.
    const played = new Set<string>();
    const onEvent = (m: { event?: string; get(k: string): string | undefined }) => {
      if (m.event === 'Newexten' && m.get('Application') === 'Playback' && m.get('AppData') === 'vm-goodbye') played.add(m.get('Channel') ?? '');
    };
    t.agent.ami.on('event', onEvent as never);
    const before = rows().at(-1)?.id ?? 0;
    for (let i = 0; i < 12; i++) await dialer.placeCall(campaign, null, `17100000${String(i).padStart(3, '0')}`);
    await waitFor('the answered test calls to be dropped', () => {
      const mine = rows().filter((r) => r.id > before);
      const answered = mine.filter((r) => r.live_answer === 1);
      return mine.every((r) => r.outcome !== null) && answered.length > 0 && answered;
    }, 40_000);
    const mine = rows().filter((r) => r.id > before);
    const answered = mine.filter((r) => r.live_answer === 1);
    expect(answered.every((r) => r.dropped === 1 && r.outcome === 'dropped')).toBe(true);
    await waitFor('the drop message played', () => played.size >= answered.length, 15_000);
    // The person hears the message after the 2 s grace: the call ends no earlier than that.
    await waitFor('the dropped calls to end', () => rows().filter((r) => r.id > before).filter((r) => r.live_answer === 1).every((r) => r.ended_at), 20_000);
    for (const r of rows().filter((r) => r.id > before).filter((x) => x.live_answer === 1)) expect(Date.parse(r.ended_at!) - Date.parse(r.answered_at!)).toBeGreaterThanOrEqual(1900);
    t.agent.ami.off('event', onEvent as never);
  }, 90_000);
});
