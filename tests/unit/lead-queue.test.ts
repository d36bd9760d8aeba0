// The lead queue on a fixed clock: retry waits, max attempts, the daily cap, DNC (refusal
// 6 months, expiry honoured), consent gate, callbacks first, calling hours — each at its
// boundary — and the explanation of every state. Also the LeadSource contract.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAgent, cleanup, env, readyCampaign, type Env } from './campaigns-support.js';

let e: Env;
let agent: number;
beforeEach(() => {
  e = env();
  agent = addAgent(e.db, '801', 'A');
});
afterEach(() => {
  e.db.close();
  cleanup();
});

const me = () => ({ agentId: agent, team: 'A' as string | null });
const why = (id: number) => e.mod.queue.explain(e.mod.queue.requireLead(id), e.clock.date, { kind: 'agent', ...me() });

describe('retries (busy: after 30 min, at most 3 attempts)', () => {
  it('is due again exactly 30 minutes after a busy attempt, explained before', () => {
    const { leadIds } = readyCampaign(e, { leads: 1, agents: [agent] });
    e.clock.setLocal('2026-03-02', '14:05');
    const l = e.mod.queue.claimNext(1, me(), e.clock.date)!;
    expect(l.id).toBe(leadIds[0]);
    e.mod.queue.record(l.id, { outcome: 'busy', agentId: agent, source: 'agent' }, e.clock.date);
    e.clock.setLocal('2026-03-02', '14:34', 59);
    expect(why(l.id)).toMatchObject({ due: false, code: 'retry_wait', message: 'next attempt after 14:35 (busy, retry in 30 min, attempt 2 of 3)' });
    expect(e.mod.queue.claimNext(1, me(), e.clock.date)).toBeNull();
    e.clock.setLocal('2026-03-02', '14:35');
    expect(why(l.id)).toMatchObject({ due: true, code: 'due', message: 'due now (attempt 2)' });
    expect(e.mod.queue.claimNext(1, me(), e.clock.date)?.id).toBe(l.id);
  });

  it('third busy exhausts the lead', () => {
    readyCampaign(e, { leads: 1, agents: [agent], settings: { dailyAttemptCap: 5 } });
    for (let i = 0; i < 3; i++) {
      const l = e.mod.queue.claimNext(1, me(), e.clock.date)!;
      expect(l, `attempt ${i + 1}`).not.toBeNull();
      e.mod.queue.record(l.id, { outcome: 'busy', agentId: agent, source: 'agent' }, e.clock.date);
      e.clock.advanceMin(30);
    }
    const w = why(1);
    expect(w).toMatchObject({ due: false, code: 'exhausted' });
    expect(e.mod.queue.requireLead(1).status).toBe('exhausted');
    expect(e.mod.queue.claimNext(1, me(), e.clock.date)).toBeNull();
  });
});

describe('daily cap per number', () => {
  it('stops at the cap for the local day and resets at the next day\'s opening', () => {
    readyCampaign(e, { leads: 1, agents: [agent], settings: { dailyAttemptCap: 2, retries: { no_answer: { afterMinutes: 1, maxAttempts: 9 } } } });
    e.clock.setLocal('2026-03-02', '20:00');
    for (let i = 0; i < 2; i++) {
      const l = e.mod.queue.claimNext(1, me(), e.clock.date)!;
      e.mod.queue.record(l.id, { outcome: 'no_answer', agentId: agent, source: 'agent' }, e.clock.date);
      e.clock.advanceMin(1);
    }
    expect(why(1)).toMatchObject({ due: false, code: 'daily_cap', message: 'daily cap reached (2 of 2 attempts today); next 2026-03-03 09:00' });
    expect(e.mod.queue.claimNext(1, me(), e.clock.date)).toBeNull();
    // Local midnight: a new day, but calling hours closed until 09:00.
    e.clock.setLocal('2026-03-03', '00:00');
    expect(why(1)).toMatchObject({ code: 'outside_hours', message: 'outside calling hours: opens 09:00' });
    e.clock.setLocal('2026-03-03', '08:59', 59);
    expect(why(1).due).toBe(false);
    e.clock.setLocal('2026-03-03', '09:00');
    expect(why(1).due).toBe(true);
  });
});

describe('do-not-call', () => {
  it('a refusal blocks the number for 6 months to the day; the block expires exactly then', () => {
    const { campaign } = readyCampaign(e, { leads: 2, agents: [agent] });
    e.clock.setLocal('2026-11-20', '10:00');
    const l = e.mod.queue.claimNext(campaign.id, me(), e.clock.date)!;
    e.mod.queue.record(l.id, { outcome: 'connected', disposition: 'refused', agentId: agent, source: 'agent' }, e.clock.date);
    const entry = e.mod.dnc.active(l.phone!, e.clock.date)!;
    expect(entry.reason).toBe('refusal');
    expect(entry.expiresAt).toBe('2027-05-20T02:00:00.000Z');
    // The same number in another campaign is blocked, with the reason and date.
    const c2 = e.mod.campaigns.create({ name: 'C2' });
    const list = Number(e.db.prepare(`INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding) VALUES (?, 'v', 'f', 's', 'utf-8')`).run(c2.id).lastInsertRowid);
    const other = Number(e.db.prepare(`INSERT INTO leads (campaign_id, list_id, source_line, phone, custody, team, status) VALUES (?, ?, 2, ?, 'team', 'A', 'new')`).run(c2.id, list, l.phone).lastInsertRowid);
    e.mod.campaigns.setStatus(c2.id, 'active', e.clock.date);
    const explain = () => e.mod.queue.explain(e.mod.queue.requireLead(other), e.clock.date, { kind: 'dialer' });
    expect(explain()).toMatchObject({ due: false, code: 'dnc', message: 'on do-not-call list until 2027-05-20 (refusal)' });
    expect(e.mod.queue.reserve(c2.id, 5, e.clock.date)).toEqual([]);
    e.clock.set('2027-05-20T01:59:59.999Z');
    expect(explain().code).toBe('dnc');
    e.clock.set('2027-05-20T02:00:00.000Z');
    expect(explain()).toMatchObject({ due: true });
    expect(e.mod.queue.reserve(c2.id, 5, e.clock.date).map((d) => d.leadId)).toEqual([other]);
    // The refused lead itself is final.
    expect(e.mod.queue.requireLead(l.id).status).toBe('dnc');
    // The audit names the lead, not the number.
    const a = e.db.prepare(`SELECT target, detail FROM audit_log WHERE action = 'dnc.refusal'`).get() as { target: string; detail: string };
    expect(a.target).toBe(`lead:${l.id}`);
    expect(a.detail).not.toContain(l.phone!);
  });

  it('manual entries: longer block kept, for-ever entries, removal', () => {
    const now = e.clock.date;
    e.mod.dnc.add({ phone: '+86 138-0013-8000', reason: 'opt_out', now });
    expect(e.mod.dnc.active('13800138000', now)).toMatchObject({ reason: 'opt_out', expiresAt: null });
    e.mod.dnc.add({ phone: '13800138000', reason: 'manual', expiresAt: new Date(now.getTime() + 86400_000), now });
    expect(e.mod.dnc.active('13800138000', now)).toMatchObject({ reason: 'opt_out', expiresAt: null });
    expect(e.mod.dnc.remove('008613800138000')).toBe(true);
    expect(e.mod.dnc.active('13800138000', now)).toBeNull();
    expect(() => e.mod.dnc.add({ phone: 'abc', reason: 'manual', now })).toThrow(/not a phone number/);
  });
});

describe('consent gate', () => {
  it('only numbers on the allow list are dialled', () => {
    const { campaign, leadIds } = readyCampaign(e, { leads: 3, settings: { consentGate: true } });
    expect(e.mod.queue.explain(e.mod.queue.requireLead(leadIds[0]!), e.clock.date, { kind: 'dialer' })).toMatchObject({ code: 'no_consent' });
    const phone = e.mod.queue.requireLead(leadIds[1]!).phone!;
    e.db.prepare('INSERT INTO campaign_consent (campaign_id, phone) VALUES (?, ?)').run(campaign.id, phone);
    expect(e.mod.queue.reserve(campaign.id, 3, e.clock.date).map((d) => d.leadId)).toEqual([leadIds[1]]);
  });
});

describe('callbacks', () => {
  it('personal callback: scheduled, explained, due first at its time, reminder frame once', () => {
    const { campaign } = readyCampaign(e, { leads: 3, agents: [agent] });
    const l = e.mod.queue.claimNext(campaign.id, me(), e.clock.date)!;
    e.clock.setLocal('2026-03-02', '10:00');
    e.mod.queue.record(l.id, { outcome: 'connected', disposition: 'callback', callbackAt: new Date('2026-03-02T08:00:00Z'), agentId: agent, source: 'agent' }, e.clock.date);
    expect(why(l.id)).toMatchObject({ due: false, code: 'callback_scheduled', message: 'personal callback at 2026-03-02 16:00' });
    // Meanwhile other leads are served.
    const other = e.mod.queue.claimNext(campaign.id, me(), e.clock.date)!;
    expect(other.id).not.toBe(l.id);
    e.mod.queue.record(other.id, { outcome: 'no_answer', agentId: agent, source: 'agent' }, e.clock.date);
    const frames: unknown[] = [];
    e.live.on('message', (m) => frames.push(m));
    expect(e.mod.remind()).toBe(0);
    e.clock.setLocal('2026-03-02', '16:00');
    expect(e.mod.remind()).toBe(1);
    expect(e.mod.remind()).toBe(0);
    expect(frames).toEqual([{ type: 'lead.callback_due', data: expect.objectContaining({ leadId: l.id, agentId: agent, scope: 'personal' }) }]);
    expect(why(l.id)).toMatchObject({ due: true, code: 'callback_due' });
    // Callback first, although a never-called lead is also due.
    expect(e.mod.queue.claimNext(campaign.id, me(), e.clock.date)!.id).toBe(l.id);
  });

  it('team callback can be taken by any agent of the team, not by another team', () => {
    const b = addAgent(e.db, '802', 'A');
    const x = addAgent(e.db, '803', 'B');
    const { campaign } = readyCampaign(e, { leads: 2, agents: [agent] });
    const l = e.mod.queue.claimNext(campaign.id, me(), e.clock.date)!;
    e.mod.queue.record(l.id, { outcome: 'connected', disposition: 'callback', callbackAt: new Date(e.clock.t + 3600_000), callbackScope: 'team', agentId: agent, source: 'agent' }, e.clock.date);
    e.clock.advanceMin(60);
    expect(e.mod.queue.explain(e.mod.queue.requireLead(l.id), e.clock.date, { kind: 'agent', agentId: x, team: 'B' })).toMatchObject({ code: 'other_team' });
    expect(e.mod.queue.claimNext(campaign.id, { agentId: b, team: 'A' }, e.clock.date)!.id).toBe(l.id);
  });
});

describe('calling hours and campaign state in the queue', () => {
  it('explains closed hours, inactive campaign, custody; the dialer gets nothing', () => {
    const { campaign, leadIds } = readyCampaign(e, { leads: 2 });
    e.clock.setLocal('2026-03-02', '21:00');
    expect(e.mod.queue.explain(e.mod.queue.requireLead(leadIds[0]!), e.clock.date, { kind: 'dialer' })).toMatchObject({ code: 'outside_hours', message: 'outside calling hours: opens 2026-03-03 09:00' });
    expect(e.mod.queue.notDialingReason(campaign.id, e.clock.date)).toBe('outside_calling_hours');
    expect(e.mod.queue.reserve(campaign.id, 2, e.clock.date)).toEqual([]);
    e.clock.setLocal('2026-03-02', '20:59', 59);
    expect(e.mod.queue.notDialingReason(campaign.id, e.clock.date)).toBeNull();
    e.mod.campaigns.setStatus(campaign.id, 'paused', e.clock.date);
    expect(e.mod.queue.explain(e.mod.queue.requireLead(leadIds[0]!), e.clock.date)).toMatchObject({ code: 'campaign_not_active', message: 'campaign is paused' });
    expect(e.mod.queue.notDialingReason(campaign.id, e.clock.date)).toBe('campaign_not_active');
    // In the team pool, not the agent's.
    e.mod.campaigns.setStatus(campaign.id, 'active', e.clock.date);
    expect(why(leadIds[0]!)).toMatchObject({ code: 'not_handed_over', message: 'in the team pool: not yet handed to an agent' });
  });
});

describe('LeadSource (the dialer contract)', () => {
  it('reserve locks, release gives back, connected passes the lead to the agent, disposition does not count twice', () => {
    const { campaign } = readyCampaign(e, { leads: 3, dialMode: 'predictive' });
    const got = e.mod.queue.reserve(campaign.id, 2, e.clock.date);
    expect(got.map((g) => g.attempt)).toEqual([1, 1]);
    expect(e.mod.queue.reserve(campaign.id, 5, e.clock.date).map((g) => g.leadId)).toEqual([3]);
    expect(e.mod.queue.explain(e.mod.queue.requireLead(got[0]!.leadId), e.clock.date, { kind: 'dialer' })).toMatchObject({ code: 'claimed', message: 'being dialled' });
    e.mod.queue.release(got[1]!.leadId);
    e.mod.queue.recordOutcome(got[0]!.leadId, 'connected', e.clock.date, { agentId: agent, linkedid: 'x.1' });
    let l = e.mod.queue.requireLead(got[0]!.leadId);
    expect(l).toMatchObject({ status: 'connected', claimed_by: `agent:${agent}`, attempts: 1 });
    l = e.mod.queue.record(l.id, { outcome: 'connected', disposition: 'sale', agentId: agent, source: 'agent' }, e.clock.date);
    expect(l).toMatchObject({ status: 'done', attempts: 1, claimed_by: null, disposition: 'sale' });
    const rows = e.db.prepare('SELECT outcome, disposition, counts FROM lead_attempts WHERE lead_id = ? ORDER BY id').all(l.id);
    expect(rows).toEqual([
      { outcome: 'connected', disposition: null, counts: 1 },
      { outcome: 'connected', disposition: 'sale', counts: 0 },
    ]);
    expect(e.mod.queue.reserve(campaign.id, 5, e.clock.date).map((g) => g.leadId)).toEqual([got[1]!.leadId]);
  });

  it('a connected lead released without a disposition comes back as a recontact, due at once', () => {
    const { campaign } = readyCampaign(e, { leads: 1, dialMode: 'progressive' });
    const [d] = e.mod.queue.reserve(campaign.id, 1, e.clock.date);
    e.mod.queue.recordOutcome(d!.leadId, 'connected', e.clock.date, { agentId: agent });
    expect(e.mod.queue.requireLead(d!.leadId)).toMatchObject({ status: 'connected', claimed_by: `agent:${agent}` });
    e.clock.advanceMin(5);
    expect(e.mod.queue.unclaim(d!.leadId)).toBe(true);
    expect(e.mod.queue.requireLead(d!.leadId)).toMatchObject({ status: 'recontact', claimed_by: null });
    expect(e.mod.queue.explain(e.mod.queue.requireLead(d!.leadId), e.clock.date, { kind: 'dialer' }).due).toBe(true);
    expect(e.mod.queue.reserve(campaign.id, 1, e.clock.date).map((x) => x.leadId)).toEqual([d!.leadId]);
  });

  it('refuses an unknown disposition with its name', () => {
    const { campaign } = readyCampaign(e, { leads: 1, agents: [agent] });
    const l = e.mod.queue.claimNext(campaign.id, me(), e.clock.date)!;
    expect(() => e.mod.queue.record(l.id, { outcome: 'connected', disposition: 'nope', agentId: agent, source: 'agent' }, e.clock.date)).toThrow('disposition "nope" is not configured for campaign "C1"');
  });
});
