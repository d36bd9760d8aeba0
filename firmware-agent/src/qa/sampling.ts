// QA sampling plans (docs/qa-sampling.md): per period (week or month) each agent's recorded
// calls are sampled for their team lead (default 30 %) and for the QA reviewers (default 10 %),
// distinct calls, stratified across days and call types with a seeded RNG. The daily job tops
// the plan up as more calls are recorded, keeping the proportions. Reviewers' work queues read
// the assignments; "done" = an evaluation of that recording by that reviewer exists.
import type { Db } from '../db/database.js';
import { addDays, localMidnight, localParts, parseDay, weekOf } from '../reports/time.js';
import type { EvaluationSource } from './qa-sampling-source.js';

export const CALL_TYPES = ['inbound', 'dialer', 'manual'] as const;
export type CallType = (typeof CALL_TYPES)[number];
export type PeriodKind = 'week' | 'month';
export type SampleKind = 'lead' | 'qa';

export interface SamplingSettings {
  period: PeriodKind;
  /** share of each agent's calls for the team lead (0-1) */
  leadRate: number;
  /** share for the QA reviewers (0-1); leadRate + qaRate <= 1 */
  qaRate: number;
  /** days after the period's end an assignment is due */
  dueDays: number;
  /** RNG seed (with the period and the agent): the same data gives the same plan */
  seed: string;
}

export const SAMPLING_KEY = 'qa.sampling';
export const DEFAULT_SAMPLING: SamplingSettings = { period: 'month', leadRate: 0.3, qaRate: 0.1, dueDays: 3, seed: 'seatbox-qa' };

export function validateSampling(s: SamplingSettings): SamplingSettings {
  if (s.period !== 'week' && s.period !== 'month') throw new RangeError('period: "week" or "month"');
  for (const k of ['leadRate', 'qaRate'] as const) if (!Number.isFinite(s[k]) || s[k] < 0 || s[k] > 1) throw new RangeError(`${k}: a share between 0 and 1`);
  if (s.leadRate + s.qaRate > 1) throw new RangeError('qaRate: leadRate + qaRate must not exceed 1 (the samples are distinct calls)');
  if (!Number.isInteger(s.dueDays) || s.dueDays < 0 || s.dueDays > 60) throw new RangeError('dueDays: whole days 0-60');
  if (typeof s.seed !== 'string' || s.seed.length < 1 || s.seed.length > 64) throw new RangeError('seed: 1-64 characters');
  return s;
}

// --- pure core ---------------------------------------------------------------------------

/** mulberry32 seeded with FNV-1a of the text: small, fast, reproducible across runs. */
export function seededRng(text: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ⌈rate × n⌉ without float noise (0.3 × 10 is 3.0000000000000004 in binary). */
export function sampleSize(rate: number, n: number): number {
  return Math.ceil(Math.round(rate * n * 1e6) / 1e6);
}

/**
 * Proportional allocation of k draws over strata (largest remainder / Hamilton): each stratum
 * gets ⌊k·nₛ/N⌋, the leftover draws go to the largest remainders (ties: seeded random). Every
 * stratum thus gets its exact share rounded down or up. `caps` (optional) bound a stratum; a
 * draw that does not fit goes to the next remainder, then to any stratum with room.
 */
export function allocate(k: number, sizes: Map<string, number>, rng: () => number, caps?: Map<string, number>): Map<string, number> {
  const keys = [...sizes.keys()].sort();
  const total = keys.reduce((s, key) => s + sizes.get(key)!, 0);
  const out = new Map<string, number>(keys.map((key) => [key, 0]));
  if (k <= 0 || total === 0) return out;
  const cap = (key: string) => Math.min(sizes.get(key)!, caps?.get(key) ?? Infinity);
  let given = 0;
  const rem: Array<{ key: string; r: number; tie: number }> = [];
  for (const key of keys) {
    const exact = (k * sizes.get(key)!) / total;
    const base = Math.min(Math.floor(exact + 1e-9), cap(key));
    out.set(key, base);
    given += base;
    rem.push({ key, r: exact - Math.floor(exact + 1e-9), tie: rng() });
  }
  rem.sort((a, b) => b.r - a.r || a.tie - b.tie);
  for (const x of rem) {
    if (given >= k) break;
    if (x.r <= 1e-9) continue;
    if (out.get(x.key)! < cap(x.key)) {
      out.set(x.key, out.get(x.key)! + 1);
      given++;
    }
  }
  // Caps left draws over: any stratum with room, in remainder order.
  for (const x of rem) {
    while (given < k && out.get(x.key)! < cap(x.key)) {
      out.set(x.key, out.get(x.key)! + 1);
      given++;
    }
  }
  return out;
}

export interface SampleCall {
  recordingId: number;
  linkedid: string;
  agentId: number;
  /** local date */
  day: string;
  callType: CallType;
  startedAt: string;
}

export const stratumOf = (c: Pick<SampleCall, 'day' | 'callType'>): string => `${c.day}|${c.callType}`;

function shuffle<T>(xs: T[], rng: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * One agent's draw. `calls`: every recorded call of the period so far; `sampled`: the calls
 * already in the plan and their kind. Targets are ⌈leadRate·n⌉ and ⌈qaRate·n⌉ of all n calls
 * (the QA target is cut so both fit in n); only the shortfall is drawn, from the calls not yet
 * sampled, allocated over their (day, call type) strata — the lead draw first, then the QA
 * draw over the room the lead draw left in each stratum.
 */
export function drawForAgent(
  calls: SampleCall[],
  sampled: Map<string, SampleKind>,
  rates: { leadRate: number; qaRate: number },
  rng: () => number,
): { lead: SampleCall[]; qa: SampleCall[] } {
  const n = calls.length;
  const kLead = Math.min(sampleSize(rates.leadRate, n), n);
  const kQa = Math.min(sampleSize(rates.qaRate, n), n - kLead);
  let hadLead = 0;
  let hadQa = 0;
  for (const k of sampled.values()) k === 'lead' ? hadLead++ : hadQa++;
  const pool = calls.filter((c) => !sampled.has(c.linkedid)).sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.recordingId - b.recordingId));
  const byStratum = new Map<string, SampleCall[]>();
  for (const c of pool) {
    const s = stratumOf(c);
    const list = byStratum.get(s) ?? [];
    list.push(c);
    byStratum.set(s, list);
  }
  const sizes = new Map([...byStratum].map(([s, l]) => [s, l.length]));
  const needLead = Math.max(0, Math.min(kLead - hadLead, pool.length));
  const leadAlloc = allocate(needLead, sizes, rng);
  const room = new Map([...sizes].map(([s, size]) => [s, size - leadAlloc.get(s)!]));
  const needQa = Math.max(0, Math.min(kQa - hadQa, pool.length - needLead));
  const qaAlloc = allocate(needQa, sizes, rng, room);
  const lead: SampleCall[] = [];
  const qa: SampleCall[] = [];
  for (const s of [...byStratum.keys()].sort()) {
    const picked = shuffle([...byStratum.get(s)!], rng);
    const l = leadAlloc.get(s)!;
    lead.push(...picked.slice(0, l));
    qa.push(...picked.slice(l, l + qaAlloc.get(s)!));
  }
  return { lead, qa };
}

// --- periods ---------------------------------------------------------------------------

export interface PeriodRange {
  kind: PeriodKind;
  from: string;
  to: string;
}

export function periodContaining(day: string, kind: PeriodKind): PeriodRange {
  parseDay(day, 'day');
  if (kind === 'week') {
    const from = weekOf(day);
    return { kind, from, to: addDays(from, 6) };
  }
  const from = `${day.slice(0, 7)}-01`;
  return { kind, from, to: addDays(addDays(from, 32).slice(0, 7) + '-01', -1) };
}

// --- store ----------------------------------------------------------------------------

export interface SamplingDeps {
  db: Db;
  settings: () => SamplingSettings;
  timeZone: () => string;
  evaluations: EvaluationSource;
  now?: () => Date;
}

export interface RunResult {
  runId: number;
  period: PeriodRange;
  calls: number;
  addedLead: number;
  addedQa: number;
}

export interface QueueItem {
  assignmentId: number;
  recordingId: number;
  linkedid: string;
  agentId: number;
  agentLabel: string;
  kind: SampleKind;
  day: string;
  callType: CallType;
  startedAt: string;
  durationMs: number | null;
  dueAt: string;
  status: 'assigned' | 'done' | 'overdue';
}

export interface PlanStatus {
  period: PeriodRange;
  settings: SamplingSettings;
  lastRunAt: string | null;
  agents: Array<{ agentId: number; label: string; team: string; calls: number; leadTarget: number; qaTarget: number; lead: number; qa: number; leadUnassigned: number }>;
  reviewers: Array<{ userId: number; name: string; assigned: number; done: number; overdue: number }>;
}

export class SamplingService {
  private readonly now: () => Date;

  constructor(private readonly d: SamplingDeps) {
    this.now = d.now ?? (() => new Date());
  }

  today(): string {
    return localParts(Math.floor(this.now().getTime() / 1000), this.d.timeZone()).day;
  }

  period(day?: string): PeriodRange {
    return periodContaining(day ?? this.today(), this.d.settings().period);
  }

  /** Recorded calls of the period (one per call: its first complete recording) with their type. */
  callsOf(p: PeriodRange): SampleCall[] {
    const tz = this.d.timeZone();
    const fromIso = new Date(localMidnight(p.from, tz) * 1000).toISOString();
    const toIso = new Date(localMidnight(addDays(p.to, 1), tz) * 1000).toISOString();
    // Call type: a leg in the dialer's contexts → dialer; an inbound call or a queue entry →
    // inbound; anything else an agent placed or took → manual.
    const rows = this.d.db
      .prepare<[string, string], { id: number; linkedid: string; agent_id: number; started_at: string; call_type: CallType }>(
        `SELECT r.id, r.linkedid, r.agent_id, r.started_at,
           CASE WHEN EXISTS (SELECT 1 FROM call_legs l WHERE l.linkedid = r.linkedid AND (l.context LIKE 'seatbox-dialer%' OR l.endpoint LIKE 'Local/%@seatbox-dialer%')) THEN 'dialer'
                WHEN c.direction = 'inbound' OR EXISTS (SELECT 1 FROM queue_calls q WHERE q.linkedid = r.linkedid) THEN 'inbound'
                ELSE 'manual' END AS call_type
         FROM recordings r LEFT JOIN calls c ON c.linkedid = r.linkedid
         WHERE r.id IN (SELECT MIN(id) FROM recordings WHERE started_at >= ? AND started_at < ? AND agent_id IS NOT NULL AND state = 'complete' GROUP BY linkedid)`,
      )
      .all(fromIso, toIso);
    return rows.map((r) => ({ recordingId: r.id, linkedid: r.linkedid, agentId: r.agent_id, startedAt: r.started_at, callType: r.call_type, day: localParts(Math.floor(Date.parse(r.started_at) / 1000), tz).day }));
  }

  /** Samples (or tops up) the plan of the period containing `day` (default today). */
  run(trigger: 'schedule' | 'manual', day?: string): RunResult {
    const s = validateSampling(this.d.settings());
    const p = this.period(day);
    const db = this.d.db;
    const calls = this.callsOf(p);
    const nowIso = this.now().toISOString();
    const dueAt = new Date(localMidnight(addDays(p.to, 1 + s.dueDays), this.d.timeZone()) * 1000).toISOString();
    return db.transaction((): RunResult => {
      const runId = Number(
        db.prepare('INSERT INTO qa_sampling_runs (period_kind, period_from, period_to, trigger, at, calls, added_lead, added_qa) VALUES (?, ?, ?, ?, ?, ?, 0, 0)').run(p.kind, p.from, p.to, trigger, nowIso, calls.length).lastInsertRowid,
      );
      // Already sampled calls of the period (any period kind: a call is never sampled twice).
      const sampled = new Map<number, Map<string, SampleKind>>();
      const taken = new Set<string>();
      const linked = calls.map((c) => c.linkedid);
      for (let i = 0; i < linked.length; i += 500) {
        const chunk = linked.slice(i, i + 500);
        for (const r of db.prepare(`SELECT linkedid, agent_id, kind FROM qa_sample_assignments WHERE linkedid IN (${chunk.map(() => '?').join(',')})`).all(...chunk) as Array<{ linkedid: string; agent_id: number; kind: SampleKind }>) {
          taken.add(r.linkedid);
          const m = sampled.get(r.agent_id) ?? new Map<string, SampleKind>();
          m.set(r.linkedid, r.kind);
          sampled.set(r.agent_id, m);
        }
      }
      const byAgent = new Map<number, SampleCall[]>();
      for (const c of calls) {
        const l = byAgent.get(c.agentId) ?? [];
        l.push(c);
        byAgent.set(c.agentId, l);
      }
      const leads = new Map<number, number | null>();
      for (const a of db.prepare<[], { id: number; lead: number | null }>(`SELECT a.id, (SELECT t.lead_user_id FROM teams t JOIN users u ON u.id = t.lead_user_id WHERE t.name = a.team AND u.disabled = 0) AS lead FROM agents a`).iterate()) leads.set(a.id, a.lead);
      const reviewers = db.prepare<[], { id: number }>("SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'qa' WHERE u.disabled = 0 ORDER BY u.id").all().map((r) => r.id);
      const load = new Map<number, number>(reviewers.map((id) => [id, 0]));
      for (const r of db.prepare<[string, string], { u: number; n: number }>("SELECT reviewer_user_id AS u, COUNT(*) AS n FROM qa_sample_assignments WHERE kind = 'qa' AND period_kind = ? AND period_from = ? AND reviewer_user_id IS NOT NULL GROUP BY u").iterate(p.kind, p.from)) {
        if (load.has(r.u)) load.set(r.u, r.n);
      }
      const nextReviewer = (): number | null => {
        let best: number | null = null;
        for (const [id, n] of load) if (best === null || n < load.get(best)!) best = id;
        if (best !== null) load.set(best, load.get(best)! + 1);
        return best;
      };
      const ins = db.prepare(
        'INSERT INTO qa_sample_assignments (run_id, period_kind, period_from, recording_id, linkedid, agent_id, kind, reviewer_user_id, day, call_type, assigned_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      let addedLead = 0;
      let addedQa = 0;
      for (const agentId of [...byAgent.keys()].sort((a, b) => a - b)) {
        // A call sampled in another period's plan (period kind changed) counts as sampled.
        const own = sampled.get(agentId) ?? new Map<string, SampleKind>();
        for (const c of byAgent.get(agentId)!) if (taken.has(c.linkedid) && !own.has(c.linkedid)) own.set(c.linkedid, 'qa');
        const rng = seededRng(`${s.seed}|${p.kind}|${p.from}|${agentId}|${own.size}`);
        const draw = drawForAgent(byAgent.get(agentId)!, own, s, rng);
        for (const c of draw.lead) {
          ins.run(runId, p.kind, p.from, c.recordingId, c.linkedid, agentId, 'lead', leads.get(agentId) ?? null, c.day, c.callType, nowIso, dueAt);
          addedLead++;
        }
        for (const c of draw.qa) {
          ins.run(runId, p.kind, p.from, c.recordingId, c.linkedid, agentId, 'qa', nextReviewer(), c.day, c.callType, nowIso, dueAt);
          addedQa++;
        }
      }
      db.prepare('UPDATE qa_sampling_runs SET added_lead = ?, added_qa = ? WHERE id = ?').run(addedLead, addedQa, runId);
      return { runId, period: p, calls: calls.length, addedLead, addedQa };
    })();
  }

  /** A reviewer's work queue (all open periods' assignments, newest period first). */
  queue(reviewerUserId: number, opts: { periodFrom?: string; status?: QueueItem['status'] } = {}): QueueItem[] {
    const args: Array<string | number> = [reviewerUserId];
    let where = 's.reviewer_user_id = ?';
    if (opts.periodFrom) {
      where += ' AND s.period_from = ?';
      args.push(opts.periodFrom);
    }
    const rows = this.d.db
      .prepare(
        `SELECT s.id, s.recording_id, s.linkedid, s.agent_id, a.number || ' ' || a.name AS label, s.kind, s.day, s.call_type, r.started_at, r.duration_ms, s.due_at
         FROM qa_sample_assignments s JOIN agents a ON a.id = s.agent_id JOIN recordings r ON r.id = s.recording_id
         WHERE ${where} ORDER BY s.period_from DESC, r.started_at`,
      )
      .all(...args) as Array<{ id: number; recording_id: number; linkedid: string; agent_id: number; label: string; kind: SampleKind; day: string; call_type: CallType; started_at: string; duration_ms: number | null; due_at: string }>;
    const done = this.d.evaluations.doneBy(reviewerUserId, rows.map((r) => r.recording_id));
    const nowIso = this.now().toISOString();
    const items = rows.map((r): QueueItem => ({
      assignmentId: r.id,
      recordingId: r.recording_id,
      linkedid: r.linkedid,
      agentId: r.agent_id,
      agentLabel: r.label,
      kind: r.kind,
      day: r.day,
      callType: r.call_type,
      startedAt: r.started_at,
      durationMs: r.duration_ms,
      dueAt: r.due_at,
      status: done.has(r.recording_id) ? 'done' : nowIso >= r.due_at ? 'overdue' : 'assigned',
    }));
    return opts.status ? items.filter((i) => i.status === opts.status) : items;
  }

  /** The plan of a period: per agent calls, targets and samples; per reviewer the work state. */
  status(day?: string): PlanStatus {
    const s = this.d.settings();
    const p = this.period(day);
    const db = this.d.db;
    const calls = this.callsOf(p);
    const n = new Map<number, number>();
    for (const c of calls) n.set(c.agentId, (n.get(c.agentId) ?? 0) + 1);
    const counts = new Map<number, { lead: number; qa: number; leadUnassigned: number }>();
    for (const r of db.prepare<[string, string], { agent_id: number; kind: SampleKind; unassigned: number; n: number }>('SELECT agent_id, kind, reviewer_user_id IS NULL AS unassigned, COUNT(*) AS n FROM qa_sample_assignments WHERE period_kind = ? AND period_from = ? GROUP BY agent_id, kind, unassigned').iterate(p.kind, p.from)) {
      const c = counts.get(r.agent_id) ?? { lead: 0, qa: 0, leadUnassigned: 0 };
      c[r.kind] += r.n;
      if (r.kind === 'lead' && r.unassigned) c.leadUnassigned += r.n;
      counts.set(r.agent_id, c);
    }
    const agents = db
      .prepare<[], { id: number; number: string; name: string; team: string | null }>('SELECT id, number, name, team FROM agents ORDER BY number')
      .all()
      .filter((a) => n.has(a.id) || counts.has(a.id))
      .map((a) => {
        const calls = n.get(a.id) ?? 0;
        const leadTarget = Math.min(sampleSize(s.leadRate, calls), calls);
        const c = counts.get(a.id) ?? { lead: 0, qa: 0, leadUnassigned: 0 };
        return { agentId: a.id, label: `${a.number} ${a.name}`, team: a.team ?? '', calls, leadTarget, qaTarget: Math.min(sampleSize(s.qaRate, calls), calls - leadTarget), ...c };
      });
    const reviewerIds = db.prepare<[string, string], { u: number; name: string }>('SELECT DISTINCT s.reviewer_user_id AS u, u.display_name AS name FROM qa_sample_assignments s JOIN users u ON u.id = s.reviewer_user_id WHERE s.period_kind = ? AND s.period_from = ? ORDER BY u').all(p.kind, p.from);
    const reviewers = reviewerIds.map((r) => {
      const q = this.queue(r.u, { periodFrom: p.from });
      return { userId: r.u, name: r.name, assigned: q.length, done: q.filter((i) => i.status === 'done').length, overdue: q.filter((i) => i.status === 'overdue').length };
    });
    const last = db.prepare<[string, string], { at: string }>('SELECT MAX(at) AS at FROM qa_sampling_runs WHERE period_kind = ? AND period_from = ?').get(p.kind, p.from);
    return { period: p, settings: s, lastRunAt: last?.at ?? null, agents, reviewers };
  }
}
