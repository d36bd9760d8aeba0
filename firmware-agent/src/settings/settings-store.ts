import type { Db } from '../db/database.js';

/** Small JSON key/value store for agent-wide settings (secrets, ports, demo odds). */
export class SettingsStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.putStmt = db.prepare(
      `INSERT INTO settings (key, value) VALUES (?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    );
  }

  get<T>(key: string): T | undefined {
    const row = this.getStmt.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  set<T>(key: string, value: T): void {
    this.putStmt.run(key, JSON.stringify(value));
  }

  /** Returns the stored value, creating it once with make() (e.g. generated secrets). */
  getOrCreate<T>(key: string, make: () => T): T {
    return this.db.transaction(() => {
      const existing = this.get<T>(key);
      if (existing !== undefined) return existing;
      const value = make();
      this.set(key, value);
      return value;
    })();
  }
}
