// Chain of custody on a real SQLite file: receive, quality sample, hand-over to a team, to
// agents (counts and even split), history with its leads, return, fairness; and no double
// work under concurrent agents in separate processes (plus the dialer, plus the same customer
// in two campaigns).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAgent, addList, cleanup, env, type Env } from './campaigns-support.js';

let e: Env;
beforeEach(() => {
  e = env();
});
afterEach(() => {
  if (e.db.open) e.db.close();
  cleanup();
});
const dm = { userId: null, username: 'dm' };
const lead = { userId: null, username: 'lead' };

describe('custody', () => {
  it('receive → sample → team → agents; every hand-over recorded with its leads', () => {
    const [a1, a2, a3] = ['801', '802', '803'].map((n) => addAgent(e.db, n, 'A'));
    addAgent(e.db, '901', 'B');
    const c = e.mod.campaigns.create({ name: 'Spring' });
    const { listId, leadIds } = addList(e.db, c.id, 100);
    const now = e.clock.date;
    // Not received yet: nothing can be handed on.
    expect(() => e.mod.custody.handToTeam(c.id, { team: 'A', count: 10 }, dm, now)).toThrow(/no received leads/);
    expect(e.mod.custody.receive(listId, dm, now).received).toBe(100);
    expect(() => e.mod.custody.receive(listId, dm, now)).toThrow(/already received/);
    const sample = e.mod.custody.drawSample(listId, 10, dm, now);
    expect(sample).toHaveLength(10);
    expect(new Set(sample.map((s) => s.id)).size).toBe(10);
    expect(() => e.mod.custody.recordSampleResult(listId, { ok: true, bad: 11 }, dm, now)).toThrow(/between 0 and the sample size 10/);
    e.mod.custody.recordSampleResult(listId, { ok: true, bad: 1, note: '一个空号' }, dm, now);
    expect(e.mod.custody.lists(c.id)[0]).toMatchObject({ sampleSize: 10, sampleResult: 'pass', sampleBad: 1, receivedBy: 'dm', counts: { received: 100 } });

    expect(() => e.mod.custody.handToTeam(c.id, { team: 'Nobody' }, dm, now)).toThrow(/no team "Nobody"/);
    expect(() => e.mod.custody.handToTeam(c.id, { team: 'A', count: 101 }, dm, now)).toThrow(/only 100 received leads left/);
    const t = e.mod.custody.handToTeam(c.id, { team: 'A', count: 60 }, dm, now);
    expect(t.count).toBe(60);
    e.mod.custody.handToTeam(c.id, { team: 'B', count: 40 }, dm, now);
    expect(e.mod.custody.summary(c.id).byCustody).toEqual({ imported: 0, received: 0, team: 100, agent: 0 });

    // Even split of 50 over three agents: 17, 17, 16; agents of another team refused.
    expect(() => e.mod.custody.handToAgents(c.id, 'A', { split: { agentIds: [a1!, 4] } }, lead, now)).toThrow(/not in team A/);
    const split = e.mod.custody.handToAgents(c.id, 'A', { split: { agentIds: [a1!, a2!, a3!], total: 50 } }, lead, now);
    expect(split.map((s) => s.count)).toEqual([17, 17, 16]);
    const manual = e.mod.custody.handToAgents(c.id, 'A', { assignments: [{ agentId: a1!, count: 4 }] }, lead, now);
    expect(manual[0]!.count).toBe(4);
    expect(() => e.mod.custody.handToAgents(c.id, 'A', { assignments: [{ agentId: a2!, count: 7 }] }, lead, now)).toThrow(/has 6 leads to hand out; asked for 7/);

    const hist = e.mod.custody.history(c.id);
    expect(hist.map((h) => [h.kind, h.fromRef, h.toRef, h.count])).toEqual([
      ['to_agent', 'team:A', `agent:${a1}`, 4],
      ['to_agent', 'team:A', `agent:${a3}`, 16],
      ['to_agent', 'team:A', `agent:${a2}`, 17],
      ['to_agent', 'team:A', `agent:${a1}`, 17],
      ['to_team', 'data_manager', 'team:B', 40],
      ['to_team', 'data_manager', 'team:A', 60],
      ['receive', `list:${listId}`, 'data_manager', 100],
    ]);
    expect(hist.every((h) => h.at === now.toISOString())).toBe(true);
    const ids = e.mod.custody.handoverLeadIds(hist[3]!.id);
    expect(ids).toEqual(leadIds.slice(0, 17));
    expect(e.db.prepare('SELECT count(*) AS n FROM leads WHERE agent_id = ?').get(a1)).toEqual({ n: 21 });

    // Return: the agent's open leads go back to the pool.
    expect(e.mod.custody.returnToTeam(c.id, a3!, lead, now)).toEqual({ count: 16, team: 'A' });
    expect(e.mod.custody.summary(c.id).byTeam).toEqual([
      { team: 'A', pool: 22, withAgents: 38 },
      { team: 'B', pool: 40, withAgents: 0 },
    ]);
  });

  it('fairness: received, worked, contacts, sales, conversion per agent', () => {
    const [a1, a2] = ['801', '802'].map((n) => addAgent(e.db, n, 'A'));
    const c = e.mod.campaigns.create({ name: 'F' });
    const { listId } = addList(e.db, c.id, 10);
    const now = e.clock.date;
    e.mod.custody.receive(listId, dm, now);
    e.mod.custody.handToTeam(c.id, { team: 'A' }, dm, now);
    e.mod.custody.handToAgents(c.id, 'A', { assignments: [{ agentId: a1!, count: 6 }, { agentId: a2!, count: 4 }] }, lead, now);
    e.mod.campaigns.setStatus(c.id, 'active', now);
    const work = (agentId: number, outcome: 'busy' | 'connected', disposition?: string) => {
      const l = e.mod.queue.claimNext(c.id, { agentId, team: 'A' }, now)!;
      e.mod.queue.record(l.id, { outcome, disposition, agentId, source: 'agent' }, now);
    };
    work(a1!, 'connected', 'sale');
    work(a1!, 'connected', 'not_interested');
    work(a1!, 'busy');
    work(a1!, 'connected', 'registered');
    work(a2!, 'connected', 'refused');
    const rows = e.mod.custody.fairness(c.id);
    expect(rows.map((r) => [r.agentNumber, r.received, r.worked, r.attempts, r.contacts, r.sales, r.conversion])).toEqual([
      ['801', 6, 4, 4, 3, 2, 0.5],
      ['802', 4, 1, 1, 1, 0, 0],
    ]);
  });
});

describe('no double work under concurrent processes', () => {
  it('4 agent processes + a dialer process + a second campaign with the same customers: no lead or customer held twice at once', async () => {
    const agents = ['801', '802', '803', '804'].map((n) => addAgent(e.db, n, 'A'));
    const c1 = e.mod.campaigns.create({ name: 'P1', settings: { dailyAttemptCap: 9 } });
    const c2 = e.mod.campaigns.create({ name: 'P2' });
    const phones = Array.from({ length: 240 }, (_, i) => `1390000${String(i).padStart(4, '0')}`);
    const l1 = addList(e.db, c1.id, 240, { phones });
    const l2 = addList(e.db, c2.id, 120, { phones: phones.slice(0, 120) });
    const now = e.clock.date;
    for (const [c, l] of [[c1, l1], [c2, l2]] as const) {
      e.mod.custody.receive(l.listId, dm, now);
      e.mod.custody.handToTeam(c.id, { team: 'A' }, dm, now);
      e.mod.campaigns.setStatus(c.id, 'active', now);
    }
    // Every lead of P1 is a team callback due now: any agent of team A may take any of them.
    e.db.prepare(`UPDATE leads SET status = 'callback', callback_scope = 'team', callback_at = ? WHERE campaign_id = ?`).run(new Date(now.getTime() - 60_000).toISOString(), c1.id);
    e.db.exec('CREATE TABLE work_log (lead_id INTEGER, phone TEXT, holder TEXT, t0 REAL, t1 REAL)');
    const worker = join(import.meta.dirname, 'leads-custody-worker.ts');
    const run = (args: string[]) =>
      new Promise<{ worked: number }>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', worker, e.dir, ...args, now.toISOString()], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { worked: number }) : reject(new Error(`worker ${args.join(' ')} exited ${code}: ${err}`))));
      });
    const results = await Promise.all([
      ...agents.map((a) => run(['agent', String(a), 'A', String(c1.id)])),
      run(['dialer', '0', '-', String(c2.id)]),
    ]);
    // Every P1 lead worked exactly once (a sale is final), spread over several processes.
    const perLead = e.db.prepare(`SELECT lead_id, count(*) AS n FROM lead_attempts WHERE campaign_id = ? GROUP BY lead_id`).all(c1.id) as Array<{ n: number }>;
    expect(perLead).toHaveLength(240);
    expect(perLead.every((r) => r.n === 1)).toBe(true);
    expect(results.slice(0, 4).reduce((a, r) => a + r.worked, 0)).toBe(240);
    expect(results.slice(0, 4).filter((r) => r.worked > 0).length).toBeGreaterThan(1);
    expect(results[4]!.worked).toBe(120);
    // No customer (phone) held by two holders at overlapping times, across both campaigns.
    const log = e.db.prepare('SELECT lead_id, phone, holder, t0, t1 FROM work_log ORDER BY phone, t0').all() as Array<{ lead_id: number; phone: string; holder: string; t0: number; t1: number }>;
    expect(log).toHaveLength(360);
    let overlaps = 0;
    for (let i = 1; i < log.length; i++) if (log[i]!.phone === log[i - 1]!.phone && log[i]!.t0 < log[i - 1]!.t1) overlaps++;
    expect(overlaps).toBe(0);
    expect(e.db.prepare('SELECT count(*) AS n FROM leads WHERE claimed_by IS NOT NULL').get()).toEqual({ n: 0 });
  }, 120_000);
});
