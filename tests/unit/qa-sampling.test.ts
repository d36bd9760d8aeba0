// QA sampling plans over a generated month (docs/qa-sampling.md): 20 agents × 22 working
// days × mixed call types in a real SQLite file. Each agent's samples are exactly ⌈30 %⌉ and
// ⌈10 %⌉, every (day, call type) stratum gets its proportional share rounded down or up, no
// call is sampled twice, QA reviewers are balanced, the plan is reproducible from its seed, the
// daily top-up keeps the proportions, and the work queue shows assigned / done / overdue.
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../../firmware-agent/src/db/database.js';
import type { EvaluationSource } from '../../firmware-agent/src/qa/qa-sampling-source.js';
import { DEFAULT_SAMPLING, SamplingService, allocate, sampleSize, seededRng, type SamplingSettings } from '../../firmware-agent/src/qa/sampling.js';
import { cleanupDbs, tempDb } from './agents-support.js';

afterAll(() => cleanupDbs());

const TZ = 'Asia/Shanghai';
const MONTH_DAYS = Array.from({ length: 31 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`).filter((d) => {
  const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
});
const TYPES = ['inbound', 'dialer', 'manual'] as const;

/** Agents, teams with leads, QA reviewers, and a month of recorded calls (same data for the same `gen`). */
function generate(db: Db, gen = 'month', untilDay = '9999'): { agents: number[]; leads: Map<string, number>; qa: number[] } {
  const rng = seededRng(gen);
  seq = 0; // the same linkedids for the same data set
  const user = db.prepare("INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, 'x')");
  const role = db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)');
  const leads = new Map<string, number>();
  for (const t of ['A', 'B']) {
    const id = Number(user.run(`lead${t}`, `Lead ${t}`).lastInsertRowid);
    role.run(id, 'team_lead');
    db.prepare('INSERT OR IGNORE INTO teams (name, lead_user_id) VALUES (?, ?)').run(t, id);
    leads.set(t, id);
  }
  const qa: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const id = Number(user.run(`qa${i}`, `QA ${i}`).lastInsertRowid);
    role.run(id, 'qa');
    qa.push(id);
  }
  const agents: number[] = [];
  for (let i = 0; i < 20; i++) agents.push(Number(db.prepare('INSERT INTO agents (number, name, team) VALUES (?, ?, ?)').run(String(2001 + i), `Agent ${i}`, i < 10 ? 'A' : 'B').lastInsertRowid));
  addCalls(db, agents, rng, (d) => d <= untilDay);
  return { agents, leads, qa };
}

let seq = 0;
function addCalls(db: Db, agents: number[], rng: () => number, keep: (day: string) => boolean): void {
  const call = db.prepare("INSERT INTO calls (linkedid, direction, state, created_at) VALUES (?, ?, 'ended', ?)");
  const leg = db.prepare("INSERT INTO call_legs (uniqueid, linkedid, channel, context, state, created_at) VALUES (?, ?, ?, ?, 'Hungup', ?)");
  const rec = db.prepare("INSERT INTO recordings (linkedid, uniqueid, agent_id, path, format, state, started_at, duration_ms) VALUES (?, ?, ?, ?, 'wav', 'complete', ?, ?)");
  for (const day of MONTH_DAYS) {
    for (const a of agents) {
      const n = 2 + Math.floor(rng() * 9); // 2-10 calls a day
      for (let k = 0; k < n; k++) {
        const type = TYPES[Math.floor(rng() * 3)]!;
        // 01:00Z-10:59Z = 09:00-18:59 in Shanghai: the same local day.
        const at = `${day}T${String(1 + Math.floor(rng() * 10)).padStart(2, '0')}:${String(Math.floor(rng() * 60)).padStart(2, '0')}:00.000Z`;
        seq++;
        if (!keep(day)) continue;
        const l = `L${seq}`;
        call.run(l, type === 'inbound' ? 'inbound' : 'outbound', at);
        leg.run(`${l}.1`, l, type === 'dialer' ? `Local/139${seq}@seatbox-dialer-out-0000;1` : 'PJSIP/8001-0001', type === 'dialer' ? 'seatbox-dialer-out' : 'seatbox-seats', at);
        rec.run(l, `${l}.2`, a, `2026/03/${day.slice(8)}/${l}.wav`, at, 60_000);
      }
    }
  }
}

const noEvaluations: EvaluationSource = { between: () => [], doneBy: () => new Set() };

function service(db: Db, settings: SamplingSettings = DEFAULT_SAMPLING, now = '2026-03-31T12:00:00.000Z', evaluations = noEvaluations): SamplingService {
  return new SamplingService({ db, settings: () => settings, timeZone: () => TZ, evaluations, now: () => new Date(now) });
}

type Row = { recording_id: number; linkedid: string; agent_id: number; kind: 'lead' | 'qa'; reviewer_user_id: number | null; day: string; call_type: string };
const assignments = (db: Db): Row[] => db.prepare('SELECT recording_id, linkedid, agent_id, kind, reviewer_user_id, day, call_type FROM qa_sample_assignments ORDER BY recording_id').all() as Row[];

describe('allocate (largest remainder)', () => {
  it('gives every stratum its share rounded down or up and exactly k in all', () => {
    const sizes = new Map([['a', 7], ['b', 3], ['c', 1], ['d', 9]]);
    const out = allocate(6, sizes, seededRng('x'));
    expect([...out.values()].reduce((s, v) => s + v, 0)).toBe(6);
    for (const [k, v] of out) {
      const exact = (6 * sizes.get(k)!) / 20;
      expect(v).toBeGreaterThanOrEqual(Math.floor(exact));
      expect(v).toBeLessThanOrEqual(Math.ceil(exact));
    }
  });
  it('⌈rate × n⌉ without float noise', () => {
    expect(sampleSize(0.3, 10)).toBe(3);
    expect(sampleSize(0.3, 11)).toBe(4);
    expect(sampleSize(0.1, 1)).toBe(1);
    expect(sampleSize(0.1, 0)).toBe(0);
  });
});

describe('sampling plan over a generated month', () => {
  const db = tempDb();
  const { agents, leads, qa } = generate(db);
  const svc = service(db);
  const res = svc.run('manual', '2026-03-15');
  const rows = assignments(db);
  const calls = svc.callsOf(res.period);

  it('covers the month and all three call types', () => {
    expect(res.period).toEqual({ kind: 'month', from: '2026-03-01', to: '2026-03-31' });
    expect(MONTH_DAYS).toHaveLength(22);
    expect(new Set(calls.map((c) => c.callType))).toEqual(new Set(TYPES));
    expect(new Set(calls.map((c) => c.agentId)).size).toBe(20);
    expect(res.addedLead + res.addedQa).toBe(rows.length);
  });

  it("each agent's sample sizes are exactly ⌈30 %⌉ and ⌈10 %⌉ of their calls", () => {
    for (const a of agents) {
      const n = calls.filter((c) => c.agentId === a).length;
      expect(n).toBeGreaterThan(40);
      expect(rows.filter((r) => r.agent_id === a && r.kind === 'lead')).toHaveLength(Math.ceil((3 * n) / 10));
      expect(rows.filter((r) => r.agent_id === a && r.kind === 'qa')).toHaveLength(Math.ceil(n / 10));
    }
  });

  it('every (day, call type) stratum gets its proportional share within rounding', () => {
    let strata = 0;
    for (const a of agents) {
      const mine = calls.filter((c) => c.agentId === a);
      const n = mine.length;
      const size = new Map<string, number>();
      for (const c of mine) size.set(`${c.day}|${c.callType}`, (size.get(`${c.day}|${c.callType}`) ?? 0) + 1);
      for (const kind of ['lead', 'qa'] as const) {
        const k = Math.ceil(((kind === 'lead' ? 3 : 1) * n) / 10);
        for (const [s, ns] of size) {
          const got = rows.filter((r) => r.agent_id === a && r.kind === kind && `${r.day}|${r.call_type}` === s).length;
          const exact = (k * ns) / n;
          expect(got, `${a} ${kind} ${s}`).toBeGreaterThanOrEqual(Math.floor(exact));
          expect(got, `${a} ${kind} ${s}`).toBeLessThanOrEqual(Math.ceil(exact));
          strata++;
        }
      }
      // Every day with calls is in the lead sample's strata at least as often as its share says.
      const days = new Set(rows.filter((r) => r.agent_id === a && r.kind === 'lead').map((r) => r.day));
      expect(days.size).toBeGreaterThan(15);
    }
    expect(strata).toBeGreaterThan(2000);
  });

  it('samples each call at most once and only calls of the agent', () => {
    expect(new Set(rows.map((r) => r.linkedid)).size).toBe(rows.length);
    const byLinked = new Map(calls.map((c) => [c.linkedid, c]));
    for (const r of rows) expect(byLinked.get(r.linkedid)!.agentId).toBe(r.agent_id);
  });

  it('gives lead samples to the team lead and balances QA samples across reviewers', () => {
    for (const r of rows.filter((x) => x.kind === 'lead')) {
      const team = db.prepare<[number], { team: string }>('SELECT team FROM agents WHERE id = ?').get(r.agent_id)!.team;
      expect(r.reviewer_user_id).toBe(leads.get(team));
    }
    const per = qa.map((u) => rows.filter((r) => r.kind === 'qa' && r.reviewer_user_id === u).length);
    expect(per.reduce((s, v) => s + v, 0)).toBe(rows.filter((r) => r.kind === 'qa').length);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
  });

  it('is reproducible from its seed and changes with another seed', () => {
    const db2 = tempDb();
    generate(db2);
    service(db2).run('manual', '2026-03-15');
    expect(assignments(db2).map((r) => `${r.linkedid}:${r.kind}`)).toEqual(rows.map((r) => `${r.linkedid}:${r.kind}`));
    const db3 = tempDb();
    generate(db3);
    service(db3, { ...DEFAULT_SAMPLING, seed: 'other' }).run('manual', '2026-03-15');
    expect(assignments(db3).map((r) => `${r.linkedid}:${r.kind}`)).not.toEqual(rows.map((r) => `${r.linkedid}:${r.kind}`));
  });

  it('a second run with no new calls adds nothing', () => {
    const again = svc.run('schedule', '2026-03-20');
    expect(again.addedLead + again.addedQa).toBe(0);
    expect(assignments(db)).toHaveLength(rows.length);
  });

  it('plan status shows targets reached per agent and the reviewers', () => {
    const st = svc.status('2026-03-15');
    expect(st.agents).toHaveLength(20);
    for (const a of st.agents) {
      expect(a.lead).toBe(a.leadTarget);
      expect(a.qa).toBe(a.qaTarget);
    }
    expect(st.reviewers.map((r) => r.userId).sort()).toEqual([...leads.values(), ...qa].sort());
  });
});

describe('daily top-up and the work queue', () => {
  it('keeps ⌈rate × n⌉ as calls arrive later in the period, never re-sampling a call', () => {
    const db = tempDb();
    const { agents } = generate(db, 'month', '2026-03-13');
    const svc = service(db);
    const first = svc.run('schedule', '2026-03-13');
    expect(first.addedLead).toBeGreaterThan(0);
    const firstRows = assignments(db);
    // The rest of the month (the same generator, continued), then the daily job again.
    addCalls(db, agents, seededRng('late'), (d) => d > '2026-03-13');
    const second = svc.run('schedule', '2026-03-31');
    expect(second.calls).toBeGreaterThan(first.calls);
    const rows = assignments(db);
    expect(new Set(rows.map((r) => r.linkedid)).size).toBe(rows.length);
    for (const r of firstRows) expect(rows.find((x) => x.linkedid === r.linkedid)?.kind).toBe(r.kind);
    const calls = svc.callsOf(second.period);
    for (const a of agents) {
      const n = calls.filter((c) => c.agentId === a).length;
      expect(rows.filter((r) => r.agent_id === a && r.kind === 'lead')).toHaveLength(Math.ceil((3 * n) / 10));
      expect(rows.filter((r) => r.agent_id === a && r.kind === 'qa')).toHaveLength(Math.ceil(n / 10));
      // The late days got their share too.
      expect(rows.some((r) => r.agent_id === a && r.day > '2026-03-13')).toBe(true);
    }
  });

  it('work queue: done when that reviewer evaluated the recording, overdue after the due date', () => {
    const db = tempDb();
    const { qa } = generate(db);
    service(db).run('manual', '2026-03-10');
    const mine = assignments(db).filter((r) => r.reviewer_user_id === qa[0]);
    const evaluated = new Set([mine[0]!.recording_id, mine[1]!.recording_id]);
    const evals: EvaluationSource = { between: () => [], doneBy: (u, ids) => new Set(u === qa[0] ? ids.filter((i) => evaluated.has(i)) : []) };
    // Due 3 days after the month's end (local midnight of April 4th = 2026-04-03T16:00Z).
    const before = service(db, DEFAULT_SAMPLING, '2026-04-03T15:59:59.000Z', evals).queue(qa[0]!);
    expect(before).toHaveLength(mine.length);
    expect(before.filter((i) => i.status === 'done').map((i) => i.recordingId).sort()).toEqual([...evaluated].sort());
    expect(before.filter((i) => i.status === 'assigned')).toHaveLength(mine.length - 2);
    expect(before[0]!.dueAt).toBe('2026-04-03T16:00:00.000Z');
    const after = service(db, DEFAULT_SAMPLING, '2026-04-03T16:00:00.000Z', evals).queue(qa[0]!);
    expect(after.filter((i) => i.status === 'overdue')).toHaveLength(mine.length - 2);
    expect(after.filter((i) => i.status === 'done')).toHaveLength(2);
    // Another reviewer's evaluation does not close this reviewer's item.
    expect(service(db, DEFAULT_SAMPLING, '2026-04-01T00:00:00.000Z', evals).queue(qa[1]!).filter((i) => i.status === 'done')).toHaveLength(0);
  });

  it('weekly periods run Monday to Sunday', () => {
    const db = tempDb();
    generate(db);
    const res = service(db, { ...DEFAULT_SAMPLING, period: 'week' }).run('manual', '2026-03-11');
    expect(res.period).toEqual({ kind: 'week', from: '2026-03-09', to: '2026-03-15' });
    const days = new Set(assignments(db).map((r) => r.day));
    expect([...days].every((d) => d >= '2026-03-09' && d <= '2026-03-13')).toBe(true);
  });
});
