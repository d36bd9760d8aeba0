import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../version.js';

export type Db = Database.Database;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Numbered SQL files in firmware-agent/migrations, in order; gaps or duplicates are refused. */
export function loadMigrations(dir = join(projectRoot(), 'firmware-agent', 'migrations')): Migration[] {
  const list: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = MIGRATION_FILE.exec(file);
    if (!m) continue;
    list.push({ version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, file), 'utf8') });
  }
  list.forEach((mig, i) => {
    if (mig.version !== i + 1) throw new Error(`migration ${mig.version}_${mig.name}: expected number ${i + 1} (no gaps or duplicates)`);
  });
  return list;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies pending migrations, each in its own transaction together with the version bump. */
export function migrate(db: Db, migrations = loadMigrations()): number[] {
  const current = schemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new Error(`database schema ${current} is newer than this SeatBox (knows ${latest}); refusing to run against it`);
  }
  const applied: number[] = [];
  for (const mig of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(mig.sql);
      db.pragma(`user_version = ${mig.version}`);
    })();
    applied.push(mig.version);
  }
  return applied;
}

/** Opens (and creates) DATA/seatbox.db: WAL, foreign keys, migrated. */
export function openDatabase(dataDir: string, opts: { migrations?: Migration[] } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'seatbox.db'));
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, opts.migrations);
  return db;
}

export interface DbInfo {
  ok: boolean;
  schemaVersion: number;
  sizeBytes: number;
  journalMode: string;
}

export function dbInfo(db: Db): DbInfo {
  let size = 0;
  for (const suffix of ['', '-wal']) {
    try {
      size += statSync(db.name + suffix).size;
    } catch {
      // the WAL may not exist yet
    }
  }
  let ok = true;
  try {
    db.prepare('SELECT 1').get();
  } catch {
    ok = false;
  }
  return { ok, schemaVersion: schemaVersion(db), sizeBytes: size, journalMode: String(db.pragma('journal_mode', { simple: true })) };
}

/** Online backup (SQLite backup API): consistent even while the agent keeps writing. */
export async function backupDatabase(db: Db, destination: string, onProgress?: (done: number, total: number) => void): Promise<void> {
  await db.backup(destination, {
    progress: ({ totalPages, remainingPages }) => {
      onProgress?.(totalPages - remainingPages, totalPages);
      return 200; // pages per step: small steps keep the event loop responsive
    },
  });
}
