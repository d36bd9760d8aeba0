// Helpers of the campaigns / custody / lead-queue tests: a real SQLite file per test, a
// campaigns module on a fixed clock, leads inserted as the importer would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { CampaignsModule } from '../../firmware-agent/src/campaigns/campaigns-module.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';

/** A clock the test sets; local times are Asia/Shanghai (UTC+8). */
export class FixedClock {
  constructor(public t = Date.parse('2026-03-02T02:00:00.000Z')) {} // Monday 10:00 Shanghai
  now(): number {
    return this.t;
  }
  setTimeout(): unknown {
    return 0;
  }
  clearTimeout(): void {}
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  /** Local Shanghai wall time on a date: at('2026-03-02', '08:59') */
  setLocal(date: string, hhmm: string, sec = 0): void {
    this.t = Date.parse(`${date}T${hhmm}:${String(sec).padStart(2, '0')}+08:00`);
  }
  advanceMin(m: number): void {
    this.t += m * 60_000;
  }
  get date(): Date {
    return new Date(this.t);
  }
}

const dirs: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'seatbox-campaigns-'));
  dirs.push(d);
  return d;
}
export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface Env {
  dir: string;
  db: Db;
  mod: CampaignsModule;
  clock: FixedClock;
  live: LiveFeed;
  audit: AuditLog;
}

export function env(dir = tempDir()): Env {
  const db = openDatabase(dir);
  const clock = new FixedClock();
  const live = new LiveFeed();
  const audit = new AuditLog(db);
  const mod = new CampaignsModule({ db, audit, live, logger: silentLogger(), clock });
  return { dir, db, mod, clock, live, audit };
}

export function addAgent(db: Db, number: string, team: string | null, userId: number | null = null): number {
  return Number(db.prepare('INSERT INTO agents (number, name, team, user_id) VALUES (?, ?, ?, ?)').run(number, `Agent ${number}`, team, userId).lastInsertRowid);
}

/** A list of n leads 139000xxxxx (or `phones`), as the importer writes them. Returns list id and lead ids. */
export function addList(db: Db, campaignId: number, n: number, opts: { prefix?: string; phones?: string[]; names?: string[] } = {}): { listId: number; leadIds: number[] } {
  const listId = Number(
    db.prepare(`INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, rows_total, rows_imported) VALUES (?, 'vendor', 'x.csv', 'abc', 'utf-8', ?, ?)`).run(campaignId, n, n).lastInsertRowid,
  );
  const ins = db.prepare(`INSERT INTO leads (campaign_id, list_id, source_line, phone, phone_kind, name, fields_json) VALUES (?, ?, ?, ?, 'mobile', ?, ?)`);
  const ids: number[] = [];
  db.transaction(() => {
  for (let i = 0; i < n; i++) {
    const phone = opts.phones?.[i] ?? `${opts.prefix ?? '139'}${String(campaignId * 100000 + listId * 1000 + i).padStart(8, '0')}`;
    ids.push(Number(ins.run(campaignId, listId, i + 2, phone, opts.names?.[i] ?? `客户${i}`, JSON.stringify({ company: `公司${i}` })).lastInsertRowid));
  }
  })();
  return { listId, leadIds: ids };
}

/** Campaign with leads received, handed to `team` and split over the agents; active. */
export function readyCampaign(e: Env, opts: { name?: string; leads?: number; team?: string; agents?: number[]; settings?: unknown; dialMode?: 'preview' | 'progressive' | 'predictive' } = {}) {
  const c = e.mod.campaigns.create({ name: opts.name ?? 'C1', settings: opts.settings, dialMode: opts.dialMode });
  const { listId, leadIds } = addList(e.db, c.id, opts.leads ?? 10);
  const actor = { userId: null, username: 'dm' };
  e.db.prepare('INSERT OR IGNORE INTO teams (name) VALUES (?)').run(opts.team ?? 'A');
  e.mod.custody.receive(listId, actor, e.clock.date);
  e.mod.custody.handToTeam(c.id, { team: opts.team ?? 'A' }, actor, e.clock.date);
  if (opts.agents?.length) e.mod.custody.handToAgents(c.id, opts.team ?? 'A', { split: { agentIds: opts.agents } }, actor, e.clock.date);
  e.mod.campaigns.setStatus(c.id, 'active', e.clock.date);
  return { campaign: e.mod.campaigns.require(c.id), listId, leadIds };
}
