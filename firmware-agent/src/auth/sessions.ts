import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';

export const SESSION_COOKIE = 'seatbox_session';
const SESSION_HOURS = 12; // one working shift plus margin

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class SessionStore {
  constructor(private readonly db: Db) {}

  create(userId: number, meta: { ip?: string; userAgent?: string } = {}): string {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expires = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    this.db
      .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hashToken(token), userId, now.toISOString(), expires.toISOString(), meta.ip ?? null, meta.userAgent ?? null);
    return token;
  }

  /** The user id of a live session, or undefined (expired sessions are removed on sight). */
  lookup(token: string | undefined): number | undefined {
    if (!token) return undefined;
    const row = this.db
      .prepare<[string], { user_id: number; expires_at: string }>('SELECT user_id, expires_at FROM sessions WHERE token_hash = ?')
      .get(hashToken(token));
    if (!row) return undefined;
    if (row.expires_at < new Date().toISOString()) {
      this.destroy(token);
      return undefined;
    }
    return row.user_id;
  }

  destroy(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(new Date().toISOString()).changes;
  }
}
