// Property: the explanation and the queue agree. For random lead states (status, custody,
// claims, due times, callbacks, attempts today, DNC entries, consent) at a random local time,
// a lead is in the queue (the SQL the dialer and agents get their leads from) exactly when
// explain() says it is due — from the dialer's and from an agent's perspective.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../firmware-agent/src/campaigns/calling-hours.js';
import { addAgent, addList, cleanup, env, type Env } from './campaigns-support.js';

let e: Env;
let a1: number;
let a2: number;
beforeAll(() => {
  e = env();
  a1 = addAgent(e.db, '801', 'A');
  a2 = addAgent(e.db, '802', 'A');
  e.db.prepare(`INSERT INTO teams (name) VALUES ('A'), ('B')`).run();
});
afterAll(() => {
  e.db.close();
  cleanup();
});

const leadArb = fc.record({
  status: fc.constantFrom('new', 'new', 'new', 'retry', 'retry', 'recontact', 'callback', 'callback', 'done', 'exhausted', 'dnc'),
  custody: fc.constantFrom('received', 'team', 'agent', 'agent'),
  agent: fc.constantFrom(1, 2),
  team: fc.constantFrom('A', 'B'),
  claimed: fc.constantFrom(null, null, null, 'other', 'dialer'),
  dueOffsetMin: fc.integer({ min: -180, max: 180 }),
  scope: fc.constantFrom('personal', 'team'),
  attemptsToday: fc.constantFrom(0, 0, 0, 1, 2, 3),
  dnc: fc.constantFrom('none', 'none', 'active', 'expired'),
  consent: fc.boolean(),
});

let run = 0;
let dueSeen = 0;
let notDueSeen = 0;
describe('lead queue ⇔ explanation', () => {
  it('a lead is queued exactly when it is explained as due', () => {
    fc.assert(
      fc.property(fc.array(leadArb, { minLength: 1, maxLength: 12 }), fc.oneof({ arbitrary: fc.integer({ min: 9 * 60, max: 21 * 60 - 1 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 23 * 60 + 59 }), weight: 1 }), fc.constantFrom(false, false, false, true), fc.integer({ min: 1, max: 3 }), (leads, minuteOfDay, gate, cap) => {
        run++;
        const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
        const mm = String(minuteOfDay % 60).padStart(2, '0');
        e.clock.setLocal('2026-03-02', `${hh}:${mm}`);
        const now = e.clock.date;
        const c = e.mod.campaigns.create({ name: `P${run}`, settings: { consentGate: gate, dailyAttemptCap: cap } });
        const phones = leads.map((_, i) => `137${String(run * 100 + i).padStart(8, '0')}`);
        const { leadIds } = addList(e.db, c.id, leads.length, { phones });
        const day = localDay(now, 'Asia/Shanghai');
        leads.forEach((l, i) => {
          const id = leadIds[i]!;
          const due = new Date(now.getTime() + l.dueOffsetMin * 60_000).toISOString();
          const agentId = l.custody === 'agent' ? (l.agent === 1 ? a1 : a2) : null;
          e.db
            .prepare(
              `UPDATE leads SET status = ?, custody = ?, team = ?, agent_id = ?, claimed_by = ?, next_due_at = ?, callback_at = ?, callback_scope = ?, last_outcome = ?, attempts = ? WHERE id = ?`,
            )
            .run(
              l.status,
              l.custody,
              l.custody === 'received' ? null : l.team,
              agentId,
              l.claimed === 'other' ? `agent:${a2}` : l.claimed,
              l.status === 'retry' || l.status === 'recontact' ? due : null,
              l.status === 'callback' ? due : null,
              l.status === 'callback' ? l.scope : null,
              l.status === 'retry' ? 'busy' : null,
              l.attemptsToday,
              id,
            );
          for (let k = 0; k < l.attemptsToday; k++) {
            e.db.prepare(`INSERT INTO lead_attempts (lead_id, campaign_id, at, local_day, outcome, source) VALUES (?, ?, ?, ?, 'busy', 'agent')`).run(id, c.id, now.toISOString(), day);
          }
          if (l.dnc !== 'none') {
            const exp = new Date(now.getTime() + (l.dnc === 'active' ? 86400_000 : -1)).toISOString();
            e.db.prepare(`INSERT OR REPLACE INTO dnc_numbers (phone, reason, expires_at) VALUES (?, 'manual', ?)`).run(phones[i], exp);
          }
          if (l.consent) e.db.prepare('INSERT INTO campaign_consent (campaign_id, phone) VALUES (?, ?)').run(c.id, phones[i]);
        });
        e.mod.campaigns.setStatus(c.id, 'active', now);
        const rows = leadIds.map((id) => e.mod.queue.requireLead(id));
        for (const p of [{ kind: 'dialer' as const }, { kind: 'agent' as const, agentId: a1, team: 'A' }]) {
          const queued = new Set(e.mod.queue.due(c.id, now, p, 1000).map((l) => l.id));
          for (const r of rows) {
            const why = e.mod.queue.explain(r, now, p);
            if (why.due) dueSeen++;
            else notDueSeen++;
            expect({ lead: r.id, perspective: p.kind, due: why.due, why: why.message }).toEqual({ lead: r.id, perspective: p.kind, due: queued.has(r.id), why: why.message });
          }
        }
        // Clean up the DNC entries so runs do not interfere.
        e.db.prepare(`DELETE FROM dnc_numbers`).run();
      }),
      { numRuns: 100 },
    );
    // The property was exercised on both sides.
    expect(dueSeen).toBeGreaterThan(10);
    expect(notDueSeen).toBeGreaterThan(10);
  });
});
