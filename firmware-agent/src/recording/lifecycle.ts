// Storage lifecycle of the recordings (docs/recording.md): a nightly node-cron job compresses
// the previous days' WAV files to Opus and verifies each result (full decode, duration within
// tolerance) before deleting the original; retention by age and by quota, oldest first,
// evidence never; a disk watch raises the alarm at 85 % and stops new recordings above the
// stop threshold or below the free-space reserve, and lets them resume when space returns.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { Module } from '../core/module.js';
import type { Logger } from '../logging.js';
import { sha256File, type Decoder, type Encoder } from './audio.js';
import { DEFAULT_THRESHOLDS, diskLevel, usedPercent, type DiskLevel, type DiskStatsFn, type DiskThresholds } from './disk.js';
import type { RecordingJobRow, RecordingRow, RecordingStore } from './recording-store.js';
import type { RecordingJobProgress, RecordingStorage, StorageAlarm } from './schemas.js';

export interface LifecycleSettings {
  /** node-cron expression of the nightly job (default 03:15 every night, after the 02:30 backup). */
  schedule: string;
  /** Delete recordings older than this many days (0 = keep forever). */
  retentionDays: number;
  /** Keep the recordings below this many bytes, oldest deleted first (0 = no quota). */
  quotaBytes: number;
  thresholds: DiskThresholds;
}

export const DEFAULT_LIFECYCLE: LifecycleSettings = { schedule: '15 3 * * *', retentionDays: 365, quotaBytes: 0, thresholds: DEFAULT_THRESHOLDS };

/** The Opus duration must be within max(TOLERANCE_MS, TOLERANCE_FRACTION × original) of the WAV's. */
export const TOLERANCE_MS = 250;
export const TOLERANCE_FRACTION = 0.01;

export function lifecycleIssues(s: LifecycleSettings): string | null {
  if (s.schedule !== '' && !validate(s.schedule)) return `schedule: "${s.schedule}" is not a valid cron expression`;
  if (!Number.isInteger(s.retentionDays) || s.retentionDays < 0) return 'retentionDays: must be a whole number ≥ 0';
  if (!Number.isInteger(s.quotaBytes) || s.quotaBytes < 0) return 'quotaBytes: must be a whole number ≥ 0';
  const t = s.thresholds;
  if (!(t.alarmPercent > 0 && t.alarmPercent < 100)) return 'thresholds.alarmPercent: must be between 0 and 100';
  if (!(t.stopPercent > t.alarmPercent && t.stopPercent <= 100)) return 'thresholds.stopPercent: must be above alarmPercent and at most 100';
  if (!(t.reserveBytes >= 0)) return 'thresholds.reserveBytes: must be ≥ 0';
  return null;
}

export interface LifecycleDeps {
  store: RecordingStore;
  /** Host directory the row paths are relative to. */
  root: string;
  encoder: Encoder;
  decoder: Decoder;
  disk: DiskStatsFn;
  settings: () => LifecycleSettings;
  /** Turns the dialplan switch (AstDB seatbox-recording/stopped). */
  setStopped: (stopped: boolean) => Promise<void>;
  publishJob: (p: RecordingJobProgress) => void;
  publishStorage: (s: RecordingStorage) => void;
  publishAlarm: (a: StorageAlarm) => void;
  logger: Logger;
  now?: () => Date;
  /** ms between disk checks (default 30 s; 0 = only on demand). */
  diskPollMs?: number;
}

export interface JobResult {
  id: number;
  status: 'ok' | 'partial' | 'failed';
  compressed: number;
  failed: number;
  deletedAge: number;
  deletedQuota: number;
  freedBytes: number;
  error: string | null;
}

const fileSize = (p: string) => (existsSync(p) ? statSync(p).size : 0);

export class RecordingLifecycle implements Module {
  readonly name = 'recording-lifecycle';
  private task?: ScheduledTask;
  private diskTimer?: NodeJS.Timeout;
  private running?: Promise<JobResult>;
  private level: DiskLevel = 'ok';
  private stopped = false;
  /** The switch is written on the first check whatever its assumed state (AstDB outlives us). */
  private switchSynced = false;
  private alarm: StorageAlarm | null = null;

  constructor(private readonly d: LifecycleDeps) {}

  private now(): Date {
    return this.d.now ? this.d.now() : new Date();
  }

  async start(): Promise<void> {
    this.reschedule();
    await this.checkDisk();
    const ms = this.d.diskPollMs ?? 30_000;
    if (ms > 0) {
      this.diskTimer = setInterval(() => void this.checkDisk().catch((err: unknown) => this.d.logger.error({ err }, 'disk check failed')), ms);
      this.diskTimer.unref();
    }
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    clearInterval(this.diskTimer);
    await this.running?.catch(() => undefined);
  }

  /** (Re)reads the schedule from the settings. */
  reschedule(): void {
    void this.task?.destroy();
    this.task = undefined;
    const cron = this.d.settings().schedule;
    if (cron && validate(cron)) this.task = schedule(cron, () => void this.run('nightly').catch((err: unknown) => this.d.logger.error({ err }, 'nightly recording job failed')), { name: 'recording-lifecycle', noOverlap: true });
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Runs the job; a second call while one runs gets the running one. */
  run(trigger: 'nightly' | 'manual'): Promise<JobResult> {
    if (!this.running) this.running = this.runJob(trigger).finally(() => (this.running = undefined));
    return this.running;
  }

  private async runJob(trigger: 'nightly' | 'manual'): Promise<JobResult> {
    const { store } = this.d;
    const id = store.startJob(trigger);
    const r: JobResult = { id, status: 'ok', compressed: 0, failed: 0, deletedAge: 0, deletedQuota: 0, freedBytes: 0, error: null };
    const progress = (phase: RecordingJobProgress['phase'], done: number, total: number) =>
      this.d.publishJob({ jobId: id, trigger, phase, done, total, compressed: r.compressed, failed: r.failed, deleted: r.deletedAge + r.deletedQuota, freedBytes: r.freedBytes, at: this.now().toISOString() });
    try {
      // The previous days: everything started before today's midnight (UTC, as the file tree).
      const today = new Date(this.now());
      today.setUTCHours(0, 0, 0, 0);
      const todo = store.toCompress(today.toISOString());
      progress('compress', 0, todo.length);
      for (const [i, row] of todo.entries()) {
        const res = await this.compressOne(row);
        if (res.ok) {
          r.compressed++;
          r.freedBytes += res.freed;
        } else r.failed++;
        progress('compress', i + 1, todo.length);
      }
      const s = this.d.settings();
      progress('retention', 0, 0);
      if (s.retentionDays > 0) {
        const cutoff = new Date(this.now().getTime() - s.retentionDays * 86_400_000).toISOString();
        for (const row of store.deletable()) {
          if (row.started_at >= cutoff) break;
          const freed = this.deleteOne(row, 'age');
          if (freed !== null) (r.deletedAge++, (r.freedBytes += freed));
        }
      }
      if (s.quotaBytes > 0) {
        let total = store.totalBytes();
        for (const row of store.deletable()) {
          if (total <= s.quotaBytes) break;
          const freed = this.deleteOne(row, 'quota');
          if (freed !== null) {
            r.deletedQuota++;
            r.freedBytes += freed;
            total -= row.size_bytes ?? freed;
          }
        }
      }
      if (r.failed > 0) r.status = 'partial';
    } catch (err) {
      r.status = 'failed';
      r.error = (err as Error).message;
      this.d.logger.error({ err }, 'recording job failed');
    }
    store.endJob(id, r);
    progress('done', 1, 1);
    await this.checkDisk();
    return r;
  }

  /** Compresses one WAV to Opus; the original stays unless the result decodes fully with the right duration. */
  async compressOne(row: RecordingRow): Promise<{ ok: true; freed: number } | { ok: false; error: string }> {
    const wav = join(this.d.root, row.path);
    const opusRel = row.path.replace(/\.wav$/, '.opus');
    const opus = join(this.d.root, opusRel);
    const tmp = `${opus}.tmp`;
    try {
      if (!existsSync(wav)) throw new Error('original file is missing');
      const original = row.duration_ms ?? 0;
      await this.d.encoder(wav, tmp);
      const size = fileSize(tmp);
      if (size === 0) throw new Error('encoder wrote nothing');
      const decoded = await this.d.decoder(tmp);
      const tolerance = Math.max(TOLERANCE_MS, original * TOLERANCE_FRACTION);
      if (Math.abs(decoded - original) > tolerance) throw new Error(`verification failed: decoded ${decoded} ms, original ${original} ms (tolerance ${Math.round(tolerance)} ms)`);
      const sha = await sha256File(tmp);
      const originalSize = fileSize(wav);
      renameSync(tmp, opus);
      // Row first, then the original: a crash in between leaves both files, never none.
      this.d.store.compressed(row.id, { path: opusRel, sizeBytes: size, sha256: sha, durationMs: decoded, originalSize });
      rmSync(wav, { force: true });
      return { ok: true, freed: Math.max(0, originalSize - size) };
    } catch (err) {
      rmSync(tmp, { force: true });
      const error = (err as Error).message;
      this.d.store.compressionFailed(row.id, error);
      this.d.logger.warn({ recording: row.id, error }, 'recording compression failed; original kept');
      return { ok: false, error };
    }
  }

  /** Deletes a file unless it became evidence meanwhile; the bytes freed, or null when skipped. */
  private deleteOne(row: RecordingRow, reason: 'age' | 'quota'): number | null {
    const fresh = this.d.store.byId(row.id);
    if (!fresh || fresh.evidence === 1 || fresh.state !== 'complete') return null;
    const path = join(this.d.root, fresh.path);
    const size = fileSize(path);
    rmSync(path, { force: true });
    this.d.store.deleted(fresh.id, reason);
    return size;
  }

  /** Reads the disk and acts on a level change (alarm frame, dialplan switch). */
  async checkDisk(): Promise<RecordingStorage> {
    const stats = this.d.disk();
    const t = this.d.settings().thresholds;
    const previous = this.level;
    const level = diskLevel(stats, t, previous);
    this.level = level;
    const used = Math.round(usedPercent(stats) * 10) / 10;
    const wantStopped = level === 'stop';
    if (wantStopped !== this.stopped || !this.switchSynced) {
      await this.d.setStopped(wantStopped);
      this.stopped = wantStopped;
      this.switchSynced = true;
    }
    if (level !== previous) {
      const at = this.now().toISOString();
      this.alarm =
        level === 'stop'
          ? { level, severity: 'critical', message: `disk ${used}% used (${stats.freeBytes} bytes free): new recordings are stopped to protect the database`, at }
          : level === 'alarm'
            ? { level, severity: 'warning', message: `disk ${used}% used: at or above the alarm threshold of ${t.alarmPercent}%`, at }
            : null;
      this.d.publishAlarm(this.alarm ?? { level: 'ok', severity: 'info', message: `disk ${used}% used: recording storage is back to normal`, at });
      this.d.logger.warn({ level, previous, used }, 'recording disk level changed');
    }
    const s = this.storage(stats);
    if (level !== previous) this.d.publishStorage(s);
    return s;
  }

  /** Disk figures and the lifecycle's state, for the API and the live feed. */
  storage(stats = this.d.disk()): RecordingStorage {
    const job: RecordingJobRow | undefined = this.d.store.lastJob();
    return {
      totalBytes: stats.totalBytes,
      freeBytes: stats.freeBytes,
      usedPercent: Math.round(usedPercent(stats) * 10) / 10,
      level: this.level,
      recordingStopped: this.stopped,
      recordingsBytes: this.d.store.totalBytes(),
      alarms: this.alarm ? [this.alarm] : [],
      jobRunning: this.isRunning,
      lastJob: job
        ? { id: job.id, trigger: job.trigger, startedAt: job.started_at, endedAt: job.ended_at, status: job.status, compressed: job.compressed, failed: job.failed, deletedAge: job.deleted_age, deletedQuota: job.deleted_quota, freedBytes: job.freed_bytes, error: job.error }
        : null,
      settings: this.d.settings(),
    };
  }
}
