// The recordings table (migration 0005): one row per MixMonitor file.
import type { Db } from '../db/database.js';

export type RecordingFormat = 'wav' | 'opus';
export type RecordingState = 'recording' | 'complete' | 'missing' | 'deleted';

export interface RecordingRow {
  id: number;
  linkedid: string;
  uniqueid: string;
  channel: string | null;
  seat: string | null;
  agent_id: number | null;
  agent_session_id: number | null;
  path: string;
  format: RecordingFormat;
  state: RecordingState;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  size_bytes: number | null;
  sha256: string | null;
  evidence: number;
  evidence_reason: string | null;
  evidence_by: string | null;
  evidence_at: string | null;
  compression: 'none' | 'compressed' | 'failed';
  compression_error: string | null;
  compressed_at: string | null;
  original_size_bytes: number | null;
  deleted_at: string | null;
  deleted_reason: 'age' | 'quota' | null;
}

/** A recording as the API shows it: the row plus its call and agent. */
export interface RecordingView {
  id: number;
  linkedid: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  direction: string | null;
  fromNumber: string | null;
  toNumber: string | null;
  seat: string | null;
  agentId: number | null;
  agentNumber: string | null;
  agentName: string | null;
  format: RecordingFormat;
  state: RecordingState;
  sizeBytes: number | null;
  sha256: string | null;
  evidence: boolean;
  evidenceReason: string | null;
  evidenceBy: string | null;
  evidenceAt: string | null;
  compression: 'none' | 'compressed' | 'failed';
  compressionError: string | null;
}

export interface RecordingQuery {
  from?: string;
  to?: string;
  agentId?: number;
  /** Agent number. */
  agent?: string;
  seat?: string;
  /** Part of the calling or called number. */
  number?: string;
  evidence?: boolean;
  linkedid?: string;
  limit?: number;
  offset?: number;
}

const nowIso = () => new Date().toISOString();

const VIEW_SQL = `SELECT r.*, c.direction AS call_direction, c.from_num AS call_from, c.to_num AS call_to,
  a.number AS agent_number, a.name AS agent_name
  FROM recordings r LEFT JOIN calls c ON c.linkedid = r.linkedid LEFT JOIN agents a ON a.id = r.agent_id`;

type ViewRow = RecordingRow & { call_direction: string | null; call_from: string | null; call_to: string | null; agent_number: string | null; agent_name: string | null };

function toView(r: ViewRow): RecordingView {
  return {
    id: r.id,
    linkedid: r.linkedid,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    direction: r.call_direction,
    fromNumber: r.call_from,
    toNumber: r.call_to,
    seat: r.seat,
    agentId: r.agent_id,
    agentNumber: r.agent_number,
    agentName: r.agent_name,
    format: r.format,
    state: r.state,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    evidence: r.evidence === 1,
    evidenceReason: r.evidence_reason,
    evidenceBy: r.evidence_by,
    evidenceAt: r.evidence_at,
    compression: r.compression,
    compressionError: r.compression_error,
  };
}

export class RecordingStore {
  constructor(readonly db: Db) {}

  /** A new recording (idempotent on uniqueid: a replayed event does not add a second row). */
  begin(r: { linkedid: string; uniqueid: string; channel: string | null; seat: string | null; path: string; startedAt?: string }): RecordingRow {
    this.db
      .prepare(`INSERT INTO recordings (linkedid, uniqueid, channel, seat, path, format, state, started_at) VALUES (?, ?, ?, ?, ?, 'wav', 'recording', ?) ON CONFLICT(uniqueid) DO NOTHING`)
      .run(r.linkedid, r.uniqueid, r.channel, r.seat || null, r.path, r.startedAt ?? nowIso());
    return this.byUniqueid(r.uniqueid)!;
  }

  byId(id: number): RecordingRow | undefined {
    return this.db.prepare<[number], RecordingRow>('SELECT * FROM recordings WHERE id = ?').get(id);
  }

  byUniqueid(uniqueid: string): RecordingRow | undefined {
    return this.db.prepare<[string], RecordingRow>('SELECT * FROM recordings WHERE uniqueid = ?').get(uniqueid);
  }

  byPath(path: string): RecordingRow | undefined {
    return this.db.prepare<[string], RecordingRow>('SELECT * FROM recordings WHERE path = ?').get(path);
  }

  open(): RecordingRow[] {
    return this.db.prepare<[], RecordingRow>("SELECT * FROM recordings WHERE state = 'recording' ORDER BY id").all();
  }

  /** Rows whose file should exist (reconciliation on start). */
  present(): RecordingRow[] {
    return this.db.prepare<[], RecordingRow>("SELECT * FROM recordings WHERE state IN ('recording', 'complete') ORDER BY id").all();
  }

  finish(id: number, f: { endedAt: string; durationMs: number; sizeBytes: number; sha256: string; seat: string | null; agentId: number | null; agentSessionId: number | null }): void {
    this.db
      .prepare(`UPDATE recordings SET state = 'complete', ended_at = ?, duration_ms = ?, size_bytes = ?, sha256 = ?, seat = COALESCE(?, seat), agent_id = COALESCE(?, agent_id), agent_session_id = COALESCE(?, agent_session_id) WHERE id = ?`)
      .run(f.endedAt, f.durationMs, f.sizeBytes, f.sha256, f.seat, f.agentId, f.agentSessionId, id);
  }

  markMissing(id: number): void {
    this.db.prepare("UPDATE recordings SET state = 'missing', ended_at = COALESCE(ended_at, ?) WHERE id = ?").run(nowIso(), id);
  }

  setEvidence(id: number, on: boolean, reason: string | null, by: string | null): void {
    if (on) this.db.prepare('UPDATE recordings SET evidence = 1, evidence_reason = ?, evidence_by = ?, evidence_at = ? WHERE id = ?').run(reason, by, nowIso(), id);
    else this.db.prepare('UPDATE recordings SET evidence = 0, evidence_reason = ?, evidence_by = ?, evidence_at = ? WHERE id = ?').run(reason, by, nowIso(), id);
  }

  compressed(id: number, f: { path: string; sizeBytes: number; sha256: string; durationMs: number; originalSize: number }): void {
    this.db
      .prepare("UPDATE recordings SET format = 'opus', path = ?, size_bytes = ?, sha256 = ?, duration_ms = ?, original_size_bytes = ?, compression = 'compressed', compression_error = NULL, compressed_at = ? WHERE id = ?")
      .run(f.path, f.sizeBytes, f.sha256, f.durationMs, f.originalSize, nowIso(), id);
  }

  compressionFailed(id: number, error: string): void {
    this.db.prepare("UPDATE recordings SET compression = 'failed', compression_error = ? WHERE id = ?").run(error.slice(0, 500), id);
  }

  deleted(id: number, reason: 'age' | 'quota'): void {
    this.db.prepare("UPDATE recordings SET state = 'deleted', deleted_at = ?, deleted_reason = ? WHERE id = ? AND evidence = 0").run(nowIso(), reason, id);
  }

  /** Complete WAV recordings that started before `before` and were not compressed yet (nor failed). */
  toCompress(before: string): RecordingRow[] {
    return this.db.prepare<[string], RecordingRow>("SELECT * FROM recordings WHERE state = 'complete' AND format = 'wav' AND compression = 'none' AND started_at < ? ORDER BY started_at").all(before);
  }

  /** Deletable files, oldest first (evidence never). */
  deletable(): RecordingRow[] {
    return this.db.prepare<[], RecordingRow>("SELECT * FROM recordings WHERE state = 'complete' AND evidence = 0 ORDER BY started_at, id").all();
  }

  /** Bytes of every file present. */
  totalBytes(): number {
    return this.db.prepare<[], { n: number | null }>("SELECT SUM(size_bytes) AS n FROM recordings WHERE state = 'complete'").get()?.n ?? 0;
  }

  view(id: number): RecordingView | undefined {
    const r = this.db.prepare<[number], ViewRow>(`${VIEW_SQL} WHERE r.id = ?`).get(id);
    return r ? toView(r) : undefined;
  }

  list(q: RecordingQuery): { total: number; items: RecordingView[] } {
    const where: string[] = ["r.state <> 'deleted'"];
    const args: Array<string | number> = [];
    if (q.from) (where.push('r.started_at >= ?'), args.push(q.from));
    if (q.to) (where.push('r.started_at < ?'), args.push(q.to));
    if (q.agentId !== undefined) (where.push('r.agent_id = ?'), args.push(q.agentId));
    if (q.agent) (where.push('a.number = ?'), args.push(q.agent));
    if (q.seat) (where.push('r.seat = ?'), args.push(q.seat));
    if (q.linkedid) (where.push('r.linkedid = ?'), args.push(q.linkedid));
    if (q.evidence !== undefined) (where.push('r.evidence = ?'), args.push(q.evidence ? 1 : 0));
    if (q.number) {
      const like = `%${q.number.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push("(c.from_num LIKE ? ESCAPE '\\' OR c.to_num LIKE ? ESCAPE '\\')");
      args.push(like, like);
    }
    const sqlWhere = `WHERE ${where.join(' AND ')}`;
    const total = this.db.prepare<Array<string | number>, { n: number }>(`SELECT COUNT(*) AS n FROM recordings r LEFT JOIN calls c ON c.linkedid = r.linkedid LEFT JOIN agents a ON a.id = r.agent_id ${sqlWhere}`).get(...args)?.n ?? 0;
    const items = this.db
      .prepare<Array<string | number>, ViewRow>(`${VIEW_SQL} ${sqlWhere} ORDER BY r.started_at DESC, r.id DESC LIMIT ? OFFSET ?`)
      .all(...args, q.limit ?? 50, q.offset ?? 0)
      .map(toView);
    return { total, items };
  }

  // ---- jobs ----

  startJob(trigger: 'nightly' | 'manual'): number {
    return Number(this.db.prepare("INSERT INTO recording_jobs (trigger, started_at) VALUES (?, ?)").run(trigger, nowIso()).lastInsertRowid);
  }

  endJob(id: number, r: { status: 'ok' | 'partial' | 'failed'; compressed: number; failed: number; deletedAge: number; deletedQuota: number; freedBytes: number; error: string | null }): void {
    this.db
      .prepare('UPDATE recording_jobs SET ended_at = ?, status = ?, compressed = ?, failed = ?, deleted_age = ?, deleted_quota = ?, freed_bytes = ?, error = ? WHERE id = ?')
      .run(nowIso(), r.status, r.compressed, r.failed, r.deletedAge, r.deletedQuota, r.freedBytes, r.error, id);
  }

  lastJob(): RecordingJobRow | undefined {
    return this.db.prepare<[], RecordingJobRow>('SELECT * FROM recording_jobs ORDER BY id DESC LIMIT 1').get();
  }
}

export interface RecordingJobRow {
  id: number;
  trigger: 'nightly' | 'manual';
  started_at: string;
  ended_at: string | null;
  status: 'running' | 'ok' | 'partial' | 'failed';
  compressed: number;
  failed: number;
  deleted_age: number;
  deleted_quota: number;
  freed_bytes: number;
  error: string | null;
}
