// DialerModule logic with a scripted telephony port and an in-memory LeadSource (the real
// Asterisk run is tests/integration/dialer.test.ts): dials only for agents, logs decisions and
// calls, connects answered calls to ready agents, counts drops, reports outcomes to the leads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { createLogger } from '../../firmware-agent/src/logging.js';
import { DialerModule, type DialerAgent, type DialerCampaign, type DialerPort, type DialerPortHandlers, type OriginateRequest } from '../../firmware-agent/src/dialer/dialer-module.js';
import type { DialableLead, DialOutcome, LeadSource, NotDialingReason } from '../../firmware-agent/src/leads/lead-source.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';

class Leads implements LeadSource {
  next = 1;
  reason: NotDialingReason | null = null;
  outcomes: Array<[number, DialOutcome]> = [];
  reserve(campaignId: number, n: number): DialableLead[] {
    return Array.from({ length: n }, () => ({ leadId: this.next++, campaignId, phone: '13800000000', extension: null, attempt: 1 }));
  }
  release(): void {}
  recordOutcome(leadId: number, outcome: DialOutcome): void {
    this.outcomes.push([leadId, outcome]);
  }
  notDialingReason(): NotDialingReason | null {
    return this.reason;
  }
}

class Port implements DialerPort {
  h!: DialerPortHandlers;
  dials: OriginateRequest[] = [];
  connects: Array<[string, string]> = [];
  bind(h: DialerPortHandlers): void {
    this.h = h;
  }
  async originate(req: OriginateRequest): Promise<void> {
    this.dials.push(req);
  }
  async connect(callId: string, _channel: string, seat: string): Promise<boolean> {
    this.connects.push([callId, seat]);
    return true;
  }
}

let dir: string;
let db: Db;
let now = Date.parse('2026-11-23T10:00:00Z');
let agents: DialerAgent[];
let leads: Leads;
let port: Port;
let dialer: DialerModule;
const frames: LiveMessage[] = [];
let campaign: DialerCampaign;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dialer-mod-'));
  db = openDatabase(dir);
  const id = Number(db.prepare("INSERT INTO campaigns (name, status, dial_mode) VALUES ('c', 'active', 'predictive')").run().lastInsertRowid);
  campaign = { id, name: 'c', status: 'active', dialMode: 'predictive', dropCapPercent: 3, channelLimit: 30, trunk: null, callerId: null };
  agents = [];
  leads = new Leads();
  port = new Port();
  const live = new LiveFeed();
  live.on('message', (m: LiveMessage) => frames.push(m));
  dialer = new DialerModule({
    db,
    live,
    logger: createLogger({ level: 'silent' }),
    leads,
    campaigns: () => [campaign],
    agents: () => agents,
    port,
    clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined },
  });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const calls = () => db.prepare('SELECT * FROM dialer_calls ORDER BY id').all() as Array<Record<string, unknown>>;

describe('DialerModule', () => {
  it('places no call without agents and says why; logs the decision', async () => {
    await dialer.tick();
    expect(port.dials).toHaveLength(0);
    expect(dialer.status(campaign.id)?.notDialingReason).toBe('no_agents_logged_in');
    const d = db.prepare('SELECT reason, placed FROM dialer_decisions').all();
    expect(d).toEqual([{ reason: 'no_agents_logged_in', placed: 0 }]);
  });

  it('the lead side reason wins when leads are not due', async () => {
    agents = [{ agentId: 1, seat: '8001', state: 'ready', since: now }];
    leads.reason = 'outside_calling_hours';
    await dialer.tick();
    expect(port.dials).toHaveLength(0);
    expect(dialer.status(campaign.id)?.notDialingReason).toBe('outside_calling_hours');
  });

  it('dials for ready agents, connects an answer, drops one with no agent, reports outcomes', async () => {
    agents = [
      { agentId: 1, seat: '8001', state: 'ready', since: now - 5000 },
      { agentId: 2, seat: '8002', state: 'ready', since: now - 1000 },
    ];
    await dialer.tick();
    expect(port.dials).toHaveLength(2); // learning: progressive, one per ready agent
    const [a, b] = port.dials.map((d) => d.callId);
    now += 3000;
    port.h.answered(a!, 'Local/x;1', 'u1');
    expect(port.connects).toEqual([[a, '8001']]); // the longest-ready agent
    port.h.connected(a!, '8001');
    agents[0] = { agentId: 1, seat: '8001', state: 'talking', since: now };
    agents[1] = { agentId: 2, seat: '8002', state: 'paused', since: now };
    port.h.answered(b!, 'Local/y;1', 'u2');
    expect(port.connects).toHaveLength(1); // nobody free
    now += 2000;
    port.h.dropped(b!);
    now += 60_000;
    port.h.hangup('u1');
    const rows = calls();
    expect(rows.map((r) => [r.outcome, r.live_answer, r.dropped, r.seat])).toEqual([
      ['connected', 1, 0, '8001'],
      ['dropped', 1, 1, null],
    ]);
    expect(leads.outcomes).toEqual([
      [1, 'connected'],
      [2, 'dropped'],
    ]);
    await dialer.tick();
    const s = dialer.status(campaign.id)!;
    expect([s.answers24h, s.drops24h, s.dropRate24h]).toEqual([2, 1, 0.5]);
    expect(frames.some((f) => f.type === 'dialer.status')).toBe(true);
  });

  it('failed dials reach the lead side with their outcome', async () => {
    agents = [{ agentId: 1, seat: '8001', state: 'ready', since: now }];
    await dialer.tick();
    port.h.failed(port.dials[0]!.callId, 'busy');
    expect(leads.outcomes).toEqual([[1, 'busy']]);
    expect(calls()[0]!.outcome).toBe('busy');
  });

  it('stops at once when the agents pause', async () => {
    agents = [{ agentId: 1, seat: '8001', state: 'ready', since: now }];
    await dialer.tick();
    expect(port.dials).toHaveLength(1);
    port.h.failed(port.dials[0]!.callId, 'no_answer');
    agents = [{ agentId: 1, seat: '8001', state: 'paused', since: now }];
    now += 1000;
    await dialer.tick();
    expect(port.dials).toHaveLength(1);
    expect(dialer.status(campaign.id)?.notDialingReason).toBe('all_agents_paused');
  });

  it('AMD: a sure machine is no live answer; a suspected false positive counts as a drop', async () => {
    agents = [
      { agentId: 1, seat: '8001', state: 'ready', since: now },
      { agentId: 2, seat: '8002', state: 'ready', since: now },
    ];
    await dialer.tick();
    const [a, b] = port.dials.map((d) => d.callId);
    port.h.machine(a!, false);
    port.h.machine(b!, true);
    const rows = calls();
    expect(rows.map((r) => [r.outcome, r.live_answer, r.dropped, r.amd_suspect])).toEqual([
      ['machine', 0, 0, 0],
      ['dropped', 1, 1, 1],
    ]);
    await dialer.tick();
    expect(dialer.status(campaign.id)?.drops24h).toBe(1);
  });

  it('two campaigns dialing share the agents out instead of both counting them', async () => {
    const id2 = Number(db.prepare("INSERT INTO campaigns (name, status, dial_mode) VALUES ('c2', 'active', 'predictive')").run().lastInsertRowid);
    const c2: DialerCampaign = { ...campaign, id: id2, name: 'c2' };
    const both = new DialerModule({
      db,
      live: new LiveFeed(),
      logger: createLogger({ level: 'silent' }),
      leads,
      campaigns: () => [campaign, c2],
      agents: () => agents,
      port,
      clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined },
    });
    agents = [1, 2, 3, 4].map((i) => ({ agentId: i, seat: `800${i}`, state: 'ready' as const, since: now }));
    await both.tick();
    // Four ready agents, two campaigns: four dials in all (two each), not eight.
    expect(port.dials).toHaveLength(4);
    expect(port.dials.filter((d) => d.campaign.id === campaign.id)).toHaveLength(2);
    expect(both.status(id2)?.agents.ready).toBe(2);
  });
});
