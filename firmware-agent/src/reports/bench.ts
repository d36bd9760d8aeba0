// `seatbox bench reports`: one year of generated center data (1.5 M calls, ~20 M agent-state
// intervals; 48 agents in 6 teams, 3 queues, 6 campaigns) in a SQLite file cached outside the
// repository (reused while the generator version and sizes match), folded into the rollups,
// then every standard report timed (p50/p95 over several runs). Target: < 300 ms each.
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../db/database.js';
import { lognormal, mulberry32 } from '../dialer/rng.js';
import { foldPending } from './fold.js';
import { DEFAULT_REPORT_PARAMS, type ReportParams } from './kpi.js';
import { agentDaily, kpiReport, type Dimension } from './query.js';
import { addDays, localMidnight, localParts, type Period } from './time.js';

const GENERATOR_VERSION = 5;
const QUEUES = ['sales', 'service', 'vip'];
const TEAMS = ['A', 'B', 'C', 'D', 'E', 'F'];

export interface ReportsBenchOptions {
  calls?: number;
  days?: number;
  agents?: number;
  runs?: number;
  cacheDir?: string;
  regenerate?: boolean;
  log?: (line: string) => void;
}

export interface ReportsBenchResult {
  calls: number;
  stateEvents: number;
  reports: Array<{ name: string; p50Ms: number; p95Ms: number; rows: number }>;
  cache: string;
  reusedCache: boolean;
  generateMs: number | null;
  foldMs: number | null;
  dbBytes: number;
  dataFrom: string;
  dataTo: string;
  runs: number;
}

export function defaultCacheDir(): string {
  if (process.env.SEATBOX_BENCH_CACHE) return process.env.SEATBOX_BENCH_CACHE;
  const system = '/var/cache/seatbox';
  try {
    accessSync(system, constants.W_OK);
    return join(system, 'bench');
  } catch {
    return join(homedir(), '.cache', 'seatbox', 'bench');
  }
}

interface Meta {
  calls: number;
  stateEvents: number;
  dataFrom: string;
  dataTo: string;
}

/** Generates the data set into db (fresh, migrated). Returns counts. */
export function generateYear(db: Db, o: { calls: number; days: number; agents: number; endDay: string; tz: string; log?: (s: string) => void }): Meta {
  const rand = mulberry32(20261123);
  const ri = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  const iso = (ms: number) => new Date(ms).toISOString();
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('foreign_keys = OFF');
  // Bulk load without indexes, rebuilt once at the end (sorted builds are far faster).
  const idx = db
    .prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('agent_state_history', 'queue_calls', 'dialer_calls', 'agent_sessions', 'call_surveys', 'call_transfers', 'registrations', 'tickets')")
    .all();
  for (const i of idx) db.exec(`DROP INDEX ${i.name}`);

  const agentIns = db.prepare('INSERT INTO agents (id, number, name, team, level, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const firstDay = addDays(o.endDay, -(o.days - 1));
  for (let a = 1; a <= o.agents; a++) {
    // Half joined long ago (over one year of service), half during the year.
    const created = a % 2 ? '2023-03-01T00:00:00.000Z' : iso(localMidnight(addDays(firstDay, ri(0, 200)), o.tz) * 1000);
    agentIns.run(a, String(1000 + a), `Agent ${1000 + a}`, TEAMS[(a - 1) % TEAMS.length], 1 + (a % 3), created);
  }
  for (const t of TEAMS) db.prepare('INSERT INTO teams (name) VALUES (?)').run(t);
  for (let c = 1; c <= 6; c++) db.prepare("INSERT INTO campaigns (id, name, status, dial_mode) VALUES (?, ?, 'active', 'predictive')").run(c, `Campaign ${c}`);

  const sesIns = db.prepare("INSERT INTO agent_sessions (id, agent_id, seat, login_at, logout_at, login_source, logout_reason) VALUES (?, ?, ?, ?, ?, 'phone', 'agent')");
  const stIns = db.prepare('INSERT INTO agent_state_history (agent_id, session_id, seat, state, reason, linkedid, start_at, end_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const qIns = db.prepare('INSERT INTO queue_calls (linkedid, uniqueid, queue, entered_at, answered_at, seat, agent_id, team, ring_ms, left_at, ended_at, outcome, transferred) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)');
  const dIns = db.prepare('INSERT INTO dialer_calls (campaign_id, dialed_at, answered_at, connected_at, ended_at, outcome, live_answer, dropped, agent_id, seat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const sIns = db.prepare('INSERT INTO call_surveys (linkedid, score, at) VALUES (?, ?, ?)');
  const tIns = db.prepare('INSERT INTO call_transfers (linkedid, kind, result, transferer, target, at) VALUES (?, ?, ?, ?, ?, ?)');
  const regIns = db.prepare("INSERT INTO registrations (at, campaign_id, linkedid, agent_id, values_json) VALUES (?, ?, ?, ?, '{}')");
  const tkIns = db.prepare(
    "INSERT INTO tickets (created_at, agent_id, team, linkedid, category, severity, description, status, due_at, updated_at) VALUES (?, ?, ?, ?, 'service', 'normal', 'bench', 'closed', ?, ?)",
  );

  // Per day: every agent handles `inPer` queue calls and `outPer` dialer calls; the rest of
  // the day's calls are unanswered (abandoned / timed-out inbound, unconnected dials).
  const perDay = Math.round(o.calls / o.days);
  const inPer = Math.max(1, Math.round((perDay * 0.233) / o.agents));
  const outPer = Math.max(1, Math.round((perDay * 0.467) / o.agents));
  const unansweredIn = Math.round(perDay * 0.0365);
  let calls = 0;
  let states = 0;
  let sid = 0;
  let callNo = 0;
  let dayIndex = 0;
  const manualPer = 470;
  const items: number[] = [];
  const t0 = Date.now();
  const oneDay = db.transaction((day: string) => {
    const open = localMidnight(day, o.tz) + 9 * 3600; // 09:00 local
    const dayCalls = dayIndex === o.days - 1 ? o.calls - calls : perDay; // the last day tops up to the exact total
    let handled = 0;
    for (let a = 1; a <= o.agents; a++) {
      const seat = String(8000 + a);
      const team = TEAMS[(a - 1) % TEAMS.length]!;
      // 0 = manual dial (ring, no answer), 1 = inbound queue call, 2 = dialer call, 3 = pause
      items.length = 0;
      for (let i = 0; i < manualPer; i++) items.push(0);
      for (let i = 0; i < inPer; i++) items.push(1);
      for (let i = 0; i < outPer; i++) items.push(2);
      for (let i = 0; i < 4; i++) items.push(3);
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        const x = items[i]!;
        items[i] = items[j]!;
        items[j] = x;
      }
      const login = (open + ri(0, 600)) * 1000;
      let t = login;
      const rows: Array<[string, string | null, string | null, number, number]> = [];
      const push = (state: string, reason: string | null, linkedid: string | null, ms: number) => {
        rows.push([state, reason, linkedid, t, t + ms]);
        t += ms;
      };
      for (const it of items) {
        push('ready', null, null, ri(2, 25) * 1000);
        if (it === 0) push('ringing', null, null, ri(8, 25) * 1000);
        else if (it === 1) {
          const id = `q${++callNo}`;
          const ring = ri(2, 8) * 1000;
          const wait = ri(0, 45) * 1000 + ring;
          const entered = t - (wait - ring);
          push('ringing', null, id, ring);
          const answered = t;
          const talk = Math.min(1800_000, Math.round(lognormal(rand, 150, 0.5) * 1000));
          push('talking', null, id, talk);
          push('wrap_up', null, id, ri(5, 30) * 1000);
          qIns.run(id, id, QUEUES[callNo % 3], iso(entered), iso(answered), seat, a, team, ring, iso(answered), iso(answered + talk), 'answered');
          if (rand() < 0.6) sIns.run(id, rand() < 0.96 ? ri(4, 5) : ri(1, 3), iso(answered + talk + 5000));
          if (rand() < 0.03) tIns.run(id, 'blind', rand() < 0.88 ? 'Success' : 'Fail', `PJSIP/${seat}-0001`, '8100', iso(answered + talk - 2000));
          if (rand() < 0.003) tkIns.run(iso(answered + talk + 60_000), a, team, id, iso(answered + talk + 86_400_000), iso(answered + talk + 60_000));
          handled++;
        } else if (it === 2) {
          const id = `d${++callNo}`;
          const talk = Math.min(1800_000, Math.round(lognormal(rand, 140, 0.5) * 1000));
          const dialed = t - ri(6, 25) * 1000;
          const start = t;
          push('talking', null, id, talk);
          push('wrap_up', null, id, ri(5, 30) * 1000);
          dIns.run(1 + ((a + (callNo % 2)) % 6), iso(dialed), iso(start - 800), iso(start), iso(start + talk), 'connected', 1, 0, a, seat);
          if (rand() < 0.08) regIns.run(iso(start + talk), 1 + ((a + (callNo % 2)) % 6), id, a);
          handled++;
        } else push('paused', rand() < 0.5 ? '1' : '2', null, ri(5, 20) * 60_000);
      }
      push('ready', null, null, ri(10, 120) * 1000);
      sesIns.run(++sid, a, seat, iso(login), iso(t));
      for (const r of rows) stIns.run(a, sid, seat, r[0], r[1], r[2], iso(r[3]), iso(r[4]));
      states += rows.length;
    }
    // Unanswered inbound: abandoned (some short) or timed out.
    for (let i = 0; i < unansweredIn; i++) {
      const id = `u${++callNo}`;
      const entered = (open + ri(0, 9 * 3600)) * 1000;
      const wait = rand() < 0.2 ? ri(0, 4) * 1000 : ri(5, 120) * 1000;
      const timeout = rand() < 0.2;
      qIns.run(id, id, QUEUES[callNo % 3], iso(entered), null, null, null, null, null, iso(entered + wait), iso(entered + wait), timeout ? 'timeout' : 'abandoned');
    }
    // The day's remaining calls: dials that did not reach an agent.
    const rest = dayCalls - handled - unansweredIn;
    for (let i = 0; i < rest; i++) {
      const dialed = (open + ri(0, 9 * 3600)) * 1000;
      const r = rand();
      const outcome = r < 0.6 ? 'no_answer' : r < 0.8 ? 'busy' : r < 0.88 ? 'dropped' : 'machine';
      const live = outcome === 'dropped' ? 1 : 0;
      dIns.run(1 + (i % 6), iso(dialed), live ? iso(dialed + 9000) : null, null, iso(dialed + (outcome === 'no_answer' ? 26_000 : 10_000)), outcome, live, live, null, null);
    }
    calls += handled + unansweredIn + Math.max(0, rest);
  });
  for (let d = 0; d < o.days; d++) {
    dayIndex = d;
    oneDay(addDays(firstDay, d));
    if (d % 30 === 29) o.log?.(`[bench reports] generated ${d + 1}/${o.days} days, ${states.toLocaleString('en')} state intervals, ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  o.log?.('[bench reports] building indexes …');
  for (const i of idx) db.exec(i.sql);
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE bench_meta (json TEXT NOT NULL)');
  const meta: Meta = { calls, stateEvents: states, dataFrom: firstDay, dataTo: o.endDay };
  db.prepare('INSERT INTO bench_meta (json) VALUES (?)').run(JSON.stringify(meta));
  return meta;
}

function pct(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)]! * 10) / 10;
}

export async function runReportsBench(o: ReportsBenchOptions = {}): Promise<ReportsBenchResult> {
  const calls = o.calls ?? 1_500_000;
  const days = o.days ?? 365;
  const agents = o.agents ?? 48;
  const runs = o.runs ?? 9;
  const log = o.log ?? (() => undefined);
  const params: ReportParams = { ...DEFAULT_REPORT_PARAMS };
  const cacheRoot = o.cacheDir ?? defaultCacheDir();
  mkdirSync(cacheRoot, { recursive: true });
  const dir = join(cacheRoot, `reports-v${GENERATOR_VERSION}-${calls}-${days}-${agents}`);
  let generateMs: number | null = null;
  let foldMs: number | null = null;
  let reused = existsSync(join(dir, 'seatbox.db')) && !o.regenerate;
  let db: Db | undefined;
  if (reused) {
    try {
      db = openDatabase(dir); // applies newer migrations of this build to the cached file
    } catch (err) {
      log(`[bench reports] cached data set unusable (${(err as Error).message}); regenerating`);
      reused = false;
    }
  }
  if (!db) {
    // Generated beside the cache and renamed into place: a killed run leaves no half data set.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    const gen = openDatabase(tmp);
    const yesterday = addDays(localParts(Math.floor(Date.now() / 1000), params.timeZone).day, -1);
    let t = performance.now();
    log(`[bench reports] generating ${calls.toLocaleString('en')} calls over ${days} days into ${dir} …`);
    generateYear(gen, { calls, days, agents, endDay: yesterday, tz: params.timeZone, log });
    generateMs = Math.round(performance.now() - t);
    t = performance.now();
    log('[bench reports] folding into rollups …');
    foldPending(gen, params, { onProgress: (done, total) => (done % (30 * 86_400) === 0 ? log(`[bench reports] folded ${Math.round((100 * done) / total)} %`) : undefined) });
    gen.pragma('analysis_limit = 2000');
    gen.exec('ANALYZE');
    foldMs = Math.round(performance.now() - t);
    gen.pragma('wal_checkpoint(TRUNCATE)');
    gen.close();
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    db = openDatabase(dir);
  }
  try {
    const meta = JSON.parse((db.prepare('SELECT json FROM bench_meta').get() as { json: string }).json) as Meta;
    // Whatever arrived since (none) and the watermark up to now.
    foldPending(db, params);
    const end = meta.dataTo;
    const kp = (dimension: Dimension, period: Period, back: number) => () => kpiReport(db!, params, { dimension, period, from: addDays(end, -back), to: end }).rows.length;
    const standard: Array<[string, () => number]> = [
      ['agent by day, 31 days', kp('agent', 'day', 30)],
      ['agent by week, 13 weeks', kp('agent', 'week', 90)],
      ['agent by month, 12 months', kp('agent', 'month', 364)],
      ['agent by half-hour, 1 day', kp('agent', 'halfhour', 0)],
      ['team by day, 31 days', kp('team', 'day', 30)],
      ['team by month, 12 months', kp('team', 'month', 364)],
      ['queue by half-hour, 1 day', kp('queue', 'halfhour', 0)],
      ['queue by half-hour, 7 days', kp('queue', 'halfhour', 6)],
      ['queue by day, 31 days', kp('queue', 'day', 30)],
      ['queue by month, 12 months', kp('queue', 'month', 364)],
      ['campaign by day, 31 days', kp('campaign', 'day', 30)],
      ['campaign by month, 12 months', kp('campaign', 'month', 364)],
      ['center by half-hour, 1 day', kp('center', 'halfhour', 0)],
      ['center by day, 12 months', kp('center', 'day', 364)],
      ['center by month, 12 months', kp('center', 'month', 364)],
      ['agent daily vs team average, 31 days', () => agentDaily(db!, params, { from: addDays(end, -30), to: end }).rows.length],
    ];
    const reports: ReportsBenchResult['reports'] = [];
    for (const [name, fn] of standard) {
      const rows = fn(); // warm-up
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        fn();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      reports.push({ name, p50Ms: pct(times, 50), p95Ms: pct(times, 95), rows });
      log(`[bench reports] ${name}: p50 ${pct(times, 50)} ms, p95 ${pct(times, 95)} ms (${rows} rows)`);
    }
    let dbBytes = 0;
    for (const s of ['', '-wal']) if (existsSync(join(dir, `seatbox.db${s}`))) dbBytes += statSync(join(dir, `seatbox.db${s}`)).size;
    return { calls: meta.calls, stateEvents: meta.stateEvents, reports, cache: dir, reusedCache: reused, generateMs, foldMs, dbBytes, dataFrom: meta.dataFrom, dataTo: meta.dataTo, runs };
  } finally {
    db.close();
  }
}

export async function runReportsBenchCli(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      calls: { type: 'string' },
      days: { type: 'string' },
      agents: { type: 'string' },
      runs: { type: 'string' },
      cache: { type: 'string' },
      regenerate: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: "${v}" is not a positive whole number`);
    return n;
  };
  const res = await runReportsBench({
    calls: num(values.calls, 'calls'),
    days: num(values.days, 'days'),
    agents: num(values.agents, 'agents'),
    runs: num(values.runs, 'runs'),
    ...(values.cache ? { cacheDir: values.cache } : {}),
    regenerate: values.regenerate,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  if (values.json) process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
  else {
    process.stdout.write(`${res.calls.toLocaleString('en')} calls, ${res.stateEvents.toLocaleString('en')} agent-state intervals (${res.dataFrom} … ${res.dataTo}), cache ${res.cache}\n`);
    for (const r of res.reports) process.stdout.write(`  ${r.name.padEnd(40)} p50 ${String(r.p50Ms).padStart(7)} ms  p95 ${String(r.p95Ms).padStart(7)} ms\n`);
  }
  return 0;
}
