// Archiving old report detail: agent state intervals and queue entries that are already in
// the rollups move to a separate SQLite file (kept, not deleted, so they can be audited or
// re-imported) and leave the live database. Reports over those periods keep working because
// they read the rollups (docs/reports.md "Archive").
import type { Db } from '../db/database.js';
import { ARCHIVED_BEFORE_KEY, readFoldState } from './fold.js';

export interface ArchiveResult {
  before: string;
  file: string;
  stateRows: number;
  queueRows: number;
}

const TABLES = [
  // [table, WHERE on main.<table>]: only closed rows that ended before the cut.
  ['agent_state_history', 'end_at IS NOT NULL AND end_at < @before'],
  ['queue_calls', 'entered_at < @before AND outcome IS NOT NULL AND COALESCE(ended_at, left_at, entered_at) < @before'],
] as const;

export function archivedBefore(db: Db): string | null {
  const r = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(ARCHIVED_BEFORE_KEY);
  return r ? (JSON.parse(r.value) as string) : null;
}

/**
 * Moves detail older than `before` (ISO) into `file`. Refused past the fold watermark: detail
 * that is not in the rollups yet would be lost to the reports.
 */
export function archiveDetail(db: Db, before: string, file: string): ArchiveResult {
  if (Number.isNaN(Date.parse(before))) throw new RangeError(`before: "${before}" is not a timestamp`);
  const fold = readFoldState(db);
  if (!fold) throw new RangeError('before: nothing is folded into the rollups yet; run the fold first');
  const wIso = new Date(fold.watermark * 1000).toISOString();
  if (before > wIso) throw new RangeError(`before: ${before} is after the rollups' watermark ${wIso}; only folded detail can be archived`);
  db.prepare('ATTACH DATABASE ? AS arch').run(file);
  try {
    const counts = db.transaction(() => {
      const out: number[] = [];
      for (const [table, where] of TABLES) {
        db.exec(`CREATE TABLE IF NOT EXISTS arch.${table} AS SELECT * FROM main.${table} WHERE 0`);
        const moved = db.prepare(`INSERT INTO arch.${table} SELECT * FROM main.${table} WHERE ${where}`).run({ before }).changes;
        const deleted = db.prepare(`DELETE FROM main.${table} WHERE ${where}`).run({ before }).changes;
        if (moved !== deleted) throw new Error(`${table}: copied ${moved} rows but would delete ${deleted}; nothing archived`);
        out.push(deleted);
      }
      // Folds never recompute before this point again (the detail is gone).
      db.prepare(
        `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
      ).run(ARCHIVED_BEFORE_KEY, JSON.stringify(before > (archivedBefore(db) ?? '') ? before : archivedBefore(db)));
      return out;
    })();
    return { before, file, stateRows: counts[0]!, queueRows: counts[1]! };
  } finally {
    db.prepare('DETACH DATABASE arch').run();
  }
}
