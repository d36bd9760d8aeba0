// Fax inbox and outbox rows (migration 0006_fax.sql) and their API views.
import type { Db } from '../db/database.js';

export const FAX_ROUTES = ['did', 'hotline', 'line', 'demo'] as const;
export type FaxRoute = (typeof FAX_ROUTES)[number];

export interface FaxInboxItem {
  id: number;
  receivedAt: string;
  status: 'received' | 'failed';
  error: string | null;
  remoteStation: string | null;
  pages: number;
  rate: number | null;
  resolution: string | null;
  durationSeconds: number | null;
  callerNumber: string | null;
  did: string | null;
  route: string;
  trunk: string | null;
  hasPdf: boolean;
  readAt: string | null;
  readBy: string | null;
}

export const JOB_STATUSES = ['converting', 'queued', 'dialing', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type FaxJobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_STATUSES: readonly FaxJobStatus[] = ['dialing', 'sending'];
export const FINAL_STATUSES: readonly FaxJobStatus[] = ['sent', 'failed', 'cancelled'];

export interface FaxJob {
  id: number;
  createdAt: string;
  createdBy: string | null;
  number: string;
  trunk: string;
  status: FaxJobStatus;
  error: string | null;
  pages: number;
  cover: boolean;
  files: string[];
  attempts: number;
  maxAttempts: number;
  retryIntervalSeconds: number;
  /** Queued for a retry: not before this time. */
  nextAttemptAt: string | null;
  /** Outcome of the last attempt (BUSY, NOANSWER, a T.30 error …). */
  lastResult: string | null;
  remoteStation: string | null;
  rate: number | null;
  pagesSent: number | null;
  durationSeconds: number | null;
  updatedAt: string;
  finishedAt: string | null;
}

interface InboxRow {
  id: number;
  received_at: string;
  status: 'received' | 'failed';
  error: string | null;
  remote_station: string | null;
  pages: number;
  rate: number | null;
  resolution: string | null;
  duration_s: number | null;
  caller_number: string | null;
  did: string | null;
  route: string;
  trunk: string | null;
  linkedid: string | null;
  uniqueid: string;
  tiff_file: string | null;
  pdf_file: string | null;
  read_at: string | null;
  read_by: string | null;
}

interface JobRow {
  id: number;
  created_at: string;
  created_by: string | null;
  number: string;
  trunk: string;
  status: FaxJobStatus;
  error: string | null;
  pages: number;
  cover: number;
  cover_from: string | null;
  cover_to: string | null;
  cover_note: string | null;
  files: string;
  attempts: number;
  max_attempts: number;
  retry_interval_s: number;
  next_attempt_at: string | null;
  last_result: string | null;
  remote_station: string | null;
  rate: number | null;
  pages_sent: number | null;
  duration_s: number | null;
  tiff_file: string | null;
  updated_at: string;
  finished_at: string | null;
}

const inboxView = (r: InboxRow): FaxInboxItem => ({
  id: r.id,
  receivedAt: r.received_at,
  status: r.status,
  error: r.error,
  remoteStation: r.remote_station,
  pages: r.pages,
  rate: r.rate,
  resolution: r.resolution,
  durationSeconds: r.duration_s,
  callerNumber: r.caller_number,
  did: r.did,
  route: r.route,
  trunk: r.trunk,
  hasPdf: r.pdf_file !== null,
  readAt: r.read_at,
  readBy: r.read_by,
});

const jobView = (r: JobRow): FaxJob => ({
  id: r.id,
  createdAt: r.created_at,
  createdBy: r.created_by,
  number: r.number,
  trunk: r.trunk,
  status: r.status,
  error: r.error,
  pages: r.pages,
  cover: r.cover === 1,
  files: JSON.parse(r.files) as string[],
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  retryIntervalSeconds: r.retry_interval_s,
  nextAttemptAt: r.next_attempt_at,
  lastResult: r.last_result,
  remoteStation: r.remote_station,
  rate: r.rate,
  pagesSent: r.pages_sent,
  durationSeconds: r.duration_s,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

export interface NewInboxItem {
  receivedAt: string;
  status: 'received' | 'failed';
  error: string | null;
  remoteStation: string | null;
  pages: number;
  rate: number | null;
  resolution: string | null;
  durationSeconds: number | null;
  callerNumber: string | null;
  did: string | null;
  route: string;
  trunk: string | null;
  linkedid: string | null;
  uniqueid: string;
  tiffFile: string | null;
  pdfFile: string | null;
}

export interface NewJob {
  createdBy: string | null;
  number: string;
  trunk: string;
  files: string[];
  cover: { from: string; to: string; note: string } | null;
  maxAttempts: number;
  retryIntervalSeconds: number;
}

export class FaxStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private iso(): string {
    return this.now().toISOString();
  }

  // ---- inbox ----
  addInbox(i: NewInboxItem): FaxInboxItem {
    const r = this.db
      .prepare(
        `INSERT INTO fax_inbox (received_at, status, error, remote_station, pages, rate, resolution, duration_s, caller_number, did, route, trunk, linkedid, uniqueid, tiff_file, pdf_file)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(i.receivedAt, i.status, i.error, i.remoteStation, i.pages, i.rate, i.resolution, i.durationSeconds, i.callerNumber, i.did, i.route, i.trunk, i.linkedid, i.uniqueid, i.tiffFile, i.pdfFile);
    return this.inboxItem(Number(r.lastInsertRowid))!;
  }

  hasInbox(uniqueid: string): boolean {
    return this.db.prepare('SELECT 1 FROM fax_inbox WHERE uniqueid = ?').get(uniqueid) !== undefined;
  }

  inbox(limit = 200): FaxInboxItem[] {
    return (this.db.prepare('SELECT * FROM fax_inbox ORDER BY id DESC LIMIT ?').all(limit) as InboxRow[]).map(inboxView);
  }

  inboxItem(id: number): FaxInboxItem | undefined {
    const r = this.db.prepare('SELECT * FROM fax_inbox WHERE id = ?').get(id) as InboxRow | undefined;
    return r ? inboxView(r) : undefined;
  }

  inboxPdf(id: number): string | null {
    const r = this.db.prepare('SELECT pdf_file FROM fax_inbox WHERE id = ?').get(id) as { pdf_file: string | null } | undefined;
    return r?.pdf_file ?? null;
  }

  unreadCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM fax_inbox WHERE read_at IS NULL AND status = 'received'").get() as { n: number }).n;
  }

  markRead(id: number, by: string | null, read = true): FaxInboxItem | undefined {
    this.db.prepare('UPDATE fax_inbox SET read_at = ?, read_by = ? WHERE id = ?').run(read ? this.iso() : null, read ? by : null, id);
    return this.inboxItem(id);
  }

  // ---- outbox ----
  addJob(j: NewJob): FaxJob {
    const at = this.iso();
    const r = this.db
      .prepare(
        `INSERT INTO fax_outbox (created_at, created_by, number, trunk, status, files, cover, cover_from, cover_to, cover_note, max_attempts, retry_interval_s, updated_at)
         VALUES (?, ?, ?, ?, 'converting', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(at, j.createdBy, j.number, j.trunk, JSON.stringify(j.files), j.cover ? 1 : 0, j.cover?.from ?? null, j.cover?.to ?? null, j.cover?.note ?? null, j.maxAttempts, j.retryIntervalSeconds, at);
    return this.job(Number(r.lastInsertRowid))!;
  }

  job(id: number): FaxJob | undefined {
    const r = this.db.prepare('SELECT * FROM fax_outbox WHERE id = ?').get(id) as JobRow | undefined;
    return r ? jobView(r) : undefined;
  }

  cover(id: number): { from: string; to: string; note: string } | null {
    const r = this.db.prepare('SELECT cover, cover_from, cover_to, cover_note FROM fax_outbox WHERE id = ?').get(id) as JobRow | undefined;
    return r && r.cover ? { from: r.cover_from ?? '', to: r.cover_to ?? '', note: r.cover_note ?? '' } : null;
  }

  tiffFile(id: number): string | null {
    return (this.db.prepare('SELECT tiff_file FROM fax_outbox WHERE id = ?').get(id) as { tiff_file: string | null } | undefined)?.tiff_file ?? null;
  }

  jobs(limit = 200): FaxJob[] {
    return (this.db.prepare('SELECT * FROM fax_outbox ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map(jobView);
  }

  /** Jobs in a status, oldest first. */
  byStatus(...statuses: FaxJobStatus[]): FaxJob[] {
    return (this.db.prepare(`SELECT * FROM fax_outbox WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY id`).all(...statuses) as JobRow[]).map(jobView);
  }

  /** Applies a change to a job (only the given columns). */
  update(id: number, change: Partial<Record<'status' | 'error' | 'pages' | 'attempts' | 'next_attempt_at' | 'last_result' | 'remote_station' | 'rate' | 'pages_sent' | 'duration_s' | 'tiff_file' | 'finished_at', string | number | null>>): FaxJob {
    const keys = Object.keys(change);
    this.db.prepare(`UPDATE fax_outbox SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`).run(...keys.map((k) => (change as Record<string, unknown>)[k]), this.iso(), id);
    return this.job(id)!;
  }
}
