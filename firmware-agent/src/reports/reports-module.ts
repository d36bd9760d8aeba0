// The reports module: records queue entries from AMI (QueueRecorder), folds detail into the
// rollups every minute (fold.ts), answers KPI reports (query.ts) and holds the report
// settings (setting reports.params) and targets (table report_targets). docs/reports.md.
import type { AmiClient, AmiMessage } from '../ami/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Module } from '../core/module.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { mkdirSync } from 'node:fs';
import { schedule, type ScheduledTask } from 'node-cron';
import { join } from 'node:path';
import { archiveDetail, type ArchiveResult } from './archive.js';
import { foldPending } from './fold.js';
import { DEFAULT_REPORT_PARAMS, type ReportParams } from './kpi.js';
import { agentDaily, kpiReport, ReportError, type KpiRequest } from './query.js';
import { QueueRecorder } from './queue-recorder.js';
import { listTargets, replaceTargets, type Target } from './targets.js';
import { checkTimeZone, localMidnight } from './time.js';
import { generateRun, getRun, listRuns, previousPeriod, publishRun, runsForAgent, type RunKind } from './runs.js';

/** When the kept reports are generated (center time): after midnight, once the day is folded. */
export const RUN_SCHEDULES: Record<RunKind, string> = { daily: '30 0 * * *', weekly: '45 0 * * 1', monthly: '0 1 1 * *' };

export const REPORT_PARAMS_KEY = 'reports.params';

export interface ReportsModuleOptions {
  db: Db;
  settings: SettingsStore;
  audit: AuditLog;
  logger: Logger;
  /** Absent in API-only tests (no queue recording then). */
  ami?: AmiClient;
  /** ms between folds (default 60 s); 0 = no timer (tests fold by hand). */
  foldEveryMs?: number;
  /** Generate the daily / weekly / monthly reports on schedule (default true). */
  schedules?: boolean;
  lagSeconds?: number;
  /** Where archived detail files go (<dataDir>/reports-archive); absent: no archiving. */
  archiveDir?: string;
  now?: () => Date;
}

export interface Actor {
  userId?: number | null;
  username?: string | null;
  ip?: string | null;
}

export function validateParams(p: ReportParams): ReportParams {
  try {
    checkTimeZone(p.timeZone);
  } catch (err) {
    throw new ReportError('invalid_settings', (err as Error).message, 'timeZone');
  }
  const int = (v: number, min: number, max: number, field: string) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new ReportError('invalid_settings', `${field}: must be a whole number ${min}-${max}`, field);
  };
  int(p.serviceLevelSeconds, 1, 3600, 'serviceLevelSeconds');
  int(p.shortAbandonSeconds, 0, 120, 'shortAbandonSeconds');
  if (!(p.flagBelowTeamShare >= 0 && p.flagBelowTeamShare <= 1)) throw new ReportError('invalid_settings', 'flagBelowTeamShare: must be between 0 and 1', 'flagBelowTeamShare');
  return p;
}

export class ReportsModule implements Module {
  readonly name = 'reports';
  readonly recorder: QueueRecorder;
  private timer?: NodeJS.Timeout;
  private readonly now: () => Date;
  private readonly onEvent = (msg: AmiMessage): void => {
    try {
      this.recorder.handle(msg);
    } catch (err) {
      this.opts.logger.error({ err, event: msg.event }, 'queue record failed');
    }
  };

  constructor(private readonly opts: ReportsModuleOptions) {
    this.now = opts.now ?? (() => new Date());
    this.recorder = new QueueRecorder(opts.db, this.now);
  }

  async start(): Promise<void> {
    this.opts.ami?.on('event', this.onEvent);
    const every = this.opts.foldEveryMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.foldInBackground(), every);
      this.timer.unref();
      // The first fold after start (may catch up a long way) off the start-up path.
      setTimeout(() => void this.foldInBackground(), 2000).unref();
    }
    if (this.opts.schedules !== false) this.startSchedules();
  }

  async stop(): Promise<void> {
    this.opts.ami?.off('event', this.onEvent);
    if (this.timer) clearInterval(this.timer);
    for (const t of this.tasks.splice(0)) void t.stop();
  }

  private readonly tasks: ScheduledTask[] = [];

  private startSchedules(): void {
    const tz = this.params().timeZone;
    for (const kind of Object.keys(RUN_SCHEDULES) as RunKind[]) {
      this.tasks.push(
        schedule(RUN_SCHEDULES[kind], () => void this.runScheduled(kind), { name: `reports-${kind}`, timezone: tz, noOverlap: true }),
      );
    }
  }

  /**
   * The scheduled job of a kind: fold, then keep the report of the last complete period.
   * Monthly reports are published to the agents at once (the center posts each agent's
   * monthly figures); daily and weekly ones when a manager publishes them.
   */
  async runScheduled(kind: RunKind): Promise<number | null> {
    try {
      await this.foldInBackground();
      const p = this.params();
      const { from } = previousPeriod(kind, this.now(), p.timeZone);
      const run = generateRun(this.opts.db, p, kind, from, { trigger: 'schedule', nowMs: this.now().getTime(), ...(kind === 'monthly' ? { publishBy: 'schedule' } : {}) });
      this.opts.logger.info({ kind, from: run.from, to: run.to, id: run.id }, 'report kept');
      return run.id;
    } catch (err) {
      this.opts.logger.error({ err, kind }, 'scheduled report failed');
      return null;
    }
  }

  /** A manager generates (or regenerates) the report of the period containing `day` (default: the last complete one). */
  async generateRun(kind: RunKind, day: string | undefined, actor: Actor) {
    await this.foldInBackground();
    const p = this.params();
    let run;
    try {
      run = generateRun(this.opts.db, p, kind, day ?? previousPeriod(kind, this.now(), p.timeZone).from, { trigger: 'manual', nowMs: this.now().getTime() });
    } catch (err) {
      if (err instanceof RangeError || err instanceof ReportError) throw new ReportError('invalid_request', err.message, 'from');
      throw err;
    }
    this.opts.audit.write({ ...actorFields(actor), action: 'reports.run_generated', target: `report_run:${run.id}`, detail: { kind, from: run.from, to: run.to } });
    return run;
  }

  runs(kind?: RunKind) {
    return listRuns(this.opts.db, kind);
  }

  run(id: number) {
    return getRun(this.opts.db, id);
  }

  publish(id: number, actor: Actor) {
    const r = publishRun(this.opts.db, id, actor.username ?? 'unknown', this.now().getTime());
    if (r) this.opts.audit.write({ ...actorFields(actor), action: 'reports.run_published', target: `report_run:${id}`, detail: { kind: r.kind, from: r.from, to: r.to } });
    return r;
  }

  runsForAgent(agentId: number) {
    return runsForAgent(this.opts.db, agentId);
  }

  params(): ReportParams {
    return { ...DEFAULT_REPORT_PARAMS, ...(this.opts.settings.get<Partial<ReportParams>>(REPORT_PARAMS_KEY) ?? {}) };
  }

  /** New settings; the next fold rebuilds the rollups from the detail still present. */
  setParams(p: ReportParams, actor: Actor): ReportParams {
    validateParams(p);
    const tzChanged = p.timeZone !== this.params().timeZone;
    this.opts.settings.set(REPORT_PARAMS_KEY, p);
    // The schedules run in the center's time zone.
    if (tzChanged && this.tasks.length) {
      for (const t of this.tasks.splice(0)) void t.stop();
      this.startSchedules();
    }
    this.opts.audit.write({ ...actorFields(actor), action: 'reports.settings_changed', detail: p });
    return p;
  }

  /** Folds detail into the rollups up to now − lag, all at once. Returns false if it failed (logged). */
  fold(): boolean {
    try {
      this.recorder.closeFromCallRecords();
      foldPending(this.opts.db, this.params(), { nowMs: this.now().getTime(), ...(this.opts.lagSeconds !== undefined ? { lagSeconds: this.opts.lagSeconds } : {}) });
      return true;
    } catch (err) {
      this.opts.logger.error({ err }, 'report fold failed');
      return false;
    }
  }

  private folding?: Promise<boolean>;

  /**
   * The same, one day-chunk per event-loop turn: the first fold after an upgrade may have a
   * year of history to go through and must not stall calls and the API meanwhile.
   */
  foldInBackground(): Promise<boolean> {
    this.folding ??= (async () => {
      try {
        this.recorder.closeFromCallRecords();
        for (;;) {
          const r = foldPending(this.opts.db, this.params(), { nowMs: this.now().getTime(), maxChunks: 1, ...(this.opts.lagSeconds !== undefined ? { lagSeconds: this.opts.lagSeconds } : {}) });
          if (r.done) return true;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        this.opts.logger.error({ err }, 'report fold failed');
        return false;
      } finally {
        this.folding = undefined;
      }
    })();
    return this.folding;
  }

  kpis(req: KpiRequest) {
    return kpiReport(this.opts.db, this.params(), req, this.now().getTime());
  }

  agentDaily(req: Omit<KpiRequest, 'dimension' | 'period'>) {
    return agentDaily(this.opts.db, this.params(), req, this.now().getTime());
  }

  targets(): Target[] {
    return listTargets(this.opts.db);
  }

  setTargets(targets: Target[], actor: Actor): Target[] {
    try {
      replaceTargets(this.opts.db, targets);
    } catch (err) {
      if (err instanceof RangeError) throw new ReportError('invalid_targets', err.message, err.message.split(':')[0]);
      throw err;
    }
    this.opts.audit.write({ ...actorFields(actor), action: 'reports.targets_changed', detail: { count: targets.length } });
    return this.targets();
  }

  /**
   * Moves folded detail from before the local date `beforeDay` (its midnight in the center's
   * time zone) into <archiveDir>/detail-before-<day>.db. Audited.
   */
  archive(beforeDay: string, actor: Actor): ArchiveResult {
    if (!this.opts.archiveDir) throw new ReportError('archive_unavailable', 'no archive directory configured');
    const p = this.params();
    let before: string;
    try {
      before = new Date(localMidnight(beforeDay, p.timeZone) * 1000).toISOString();
    } catch (err) {
      throw new ReportError('invalid_request', (err as Error).message, 'before');
    }
    mkdirSync(this.opts.archiveDir, { recursive: true });
    this.fold();
    let res: ArchiveResult;
    try {
      res = archiveDetail(this.opts.db, before, join(this.opts.archiveDir, `detail-before-${beforeDay}.db`));
    } catch (err) {
      if (err instanceof RangeError) throw new ReportError('archive_refused', err.message, 'before');
      throw err;
    }
    this.opts.audit.write({ ...actorFields(actor), action: 'reports.detail_archived', target: res.file, detail: { before: res.before, stateRows: res.stateRows, queueRows: res.queueRows } });
    return res;
  }

  /** The agent linked to a user (agents read their own figures). */
  agentOfUser(userId: number): number | null {
    return this.opts.db.prepare<[number], { id: number }>('SELECT id FROM agents WHERE user_id = ?').get(userId)?.id ?? null;
  }

  /** Teams a team lead leads (teams.lead_user_id). */
  teamsLedBy(userId: number): string[] {
    return this.opts.db.prepare<[number], { name: string }>('SELECT name FROM teams WHERE lead_user_id = ?').all(userId).map((r) => r.name);
  }
}

function actorFields(a: Actor): { userId?: number; username?: string; ip?: string } {
  return { ...(a.userId ? { userId: a.userId } : {}), ...(a.username ? { username: a.username } : {}), ...(a.ip ? { ip: a.ip } : {}) };
}
