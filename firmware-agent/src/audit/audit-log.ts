import type { Db } from '../db/database.js';

export interface AuditEntry {
  userId?: number | null;
  username?: string | null;
  action: string;
  target?: string | null;
  detail?: unknown;
  ip?: string | null;
}

export interface AuditRow {
  id: number;
  at: string;
  user_id: number | null;
  username: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

/** Append-only audit trail: every config change, login and sensitive read goes here. */
export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO audit_log (user_id, username, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  write(e: AuditEntry): void {
    this.insert.run(e.userId ?? null, e.username ?? null, e.action, e.target ?? null, e.detail === undefined ? null : JSON.stringify(e.detail), e.ip ?? null);
  }

  recent(limit = 100): AuditRow[] {
    return this.db.prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit);
  }
}
