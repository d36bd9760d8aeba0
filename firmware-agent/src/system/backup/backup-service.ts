/**
 * Backups: the SQLite database (online backup API: consistent while the agent keeps
 * writing), the generated Asterisk configuration and, optionally, the call recordings, into
 * one directory per backup on a target (a USB disk mount point, a network share mounted on
 * the box, or the data partition), with a manifest of per-table row counts + checksums and a
 * sha256 per file. Retention keeps the newest N. Restores are staged and applied by the agent
 * at its next start, before it opens the database (applyPendingRestore), so nothing has the
 * database open while it is swapped.
 *
 * Layout of one backup:  TARGET/seatbox-backup-YYYYMMDDTHHMMSSZ/
 *   manifest.json   BackupManifest
 *   seatbox.db      the database
 *   config/asterisk/*.conf
 *   recordings/...  (optional)
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync, cpSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { backupDatabase, schemaVersion, type Db } from '../../db/database.js';

export const BACKUP_PREFIX = 'seatbox-backup-';
const ID_RE = /^seatbox-backup-\d{8}T\d{6}(?:\d{3})?Z$/;

export interface TableDigest {
  rows: number;
  sha256: string;
}

export interface BackupManifest {
  format: 1;
  product: 'seatbox';
  id: string;
  createdAt: string;
  agentVersion: string;
  schemaVersion: number;
  trigger: 'manual' | 'schedule' | 'console';
  includesRecordings: boolean;
  tables: Record<string, TableDigest>;
  files: Array<{ path: string; size: number; sha256: string }>;
}

export interface BackupInfo {
  id: string;
  createdAt: string;
  agentVersion: string;
  schemaVersion: number;
  trigger: string;
  includesRecordings: boolean;
  sizeBytes: number;
  tables: number;
  rows: number;
}

export interface BackupConfig {
  /** Directory backups go to (USB disk mount point, mounted network share, ...). */
  target: string;
  /** Backups to keep (oldest removed first). */
  keep: number;
  /** node-cron expression for the nightly backup; empty disables it. */
  schedule: string;
  includeRecordings: boolean;
}

export interface BackupProgress {
  op: 'backup' | 'restore';
  phase: 'database' | 'config' | 'recordings' | 'manifest' | 'verifying' | 'staging' | 'restarting' | 'done' | 'failed';
  done: number;
  total: number;
  id: string | null;
  error: string | null;
}

export class BackupError extends Error {
  constructor(
    readonly code: 'busy' | 'not_found' | 'corrupt' | 'too_new' | 'no_target' | 'bad_confirmation',
    message: string,
  ) {
    super(message);
  }
}

/** Per-table row count and sha256 over every row (all columns, in a total order). */
export function tableDigests(db: Db): Record<string, TableDigest> {
  const out: Record<string, TableDigest> = {};
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all();
  for (const { name } of tables) {
    const q = `"${name.replace(/"/g, '""')}"`;
    const ncols = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM pragma_table_info(${`'${name.replace(/'/g, "''")}'`})`).get()!.n;
    const order = Array.from({ length: ncols }, (_, i) => i + 1).join(', ');
    const h = createHash('sha256');
    let rows = 0;
    for (const row of db.prepare(`SELECT * FROM ${q} ORDER BY ${order}`).raw().iterate() as IterableIterator<unknown[]>) {
      h.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v)));
      h.update('\n');
      rows++;
    }
    out[name] = { rows, sha256: h.digest('hex') };
  }
  return out;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walkFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export function backupId(at = new Date()): string {
  return BACKUP_PREFIX + at.toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1Z');
}

export interface BackupServiceOptions {
  /** The open database (the agent's). */
  db: () => Db;
  dataDir: string;
  /** Generated Asterisk configuration (the instance's etc/). */
  asteriskEtcDir: string;
  /** Call recordings (the instance's spool/monitor). */
  recordingsDir: string;
  /** IVR prompts (the instance's lib/sounds/custom): the prompt records in the DB point at them. */
  promptsDir?: string;
  agentVersion: string;
  /** Newest schema this agent knows (restores of newer backups are refused). */
  latestSchema: number;
  config: () => BackupConfig;
  /** Restart the agent (it applies the staged restore before opening the database). */
  requestRestart?: () => void;
  logger?: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export class BackupService extends EventEmitter {
  private busy = false;
  private last: BackupProgress = { op: 'backup', phase: 'done', done: 0, total: 0, id: null, error: null };

  constructor(private readonly opts: BackupServiceOptions) {
    super();
  }

  progress(): BackupProgress {
    return { ...this.last };
  }

  private report(p: BackupProgress): void {
    this.last = p;
    this.emit('progress', { ...p });
  }

  private lock(): void {
    if (this.busy) throw new BackupError('busy', 'a backup or restore is already running');
    this.busy = true;
  }

  list(): BackupInfo[] {
    const target = this.opts.config().target;
    if (!existsSync(target)) return [];
    const out: BackupInfo[] = [];
    for (const name of readdirSync(target)) {
      if (!ID_RE.test(name)) continue;
      try {
        const m = JSON.parse(readFileSync(join(target, name, 'manifest.json'), 'utf8')) as BackupManifest;
        out.push({
          id: m.id,
          createdAt: m.createdAt,
          agentVersion: m.agentVersion,
          schemaVersion: m.schemaVersion,
          trigger: m.trigger,
          includesRecordings: m.includesRecordings,
          sizeBytes: m.files.reduce((s, f) => s + f.size, 0),
          tables: Object.keys(m.tables).length,
          rows: Object.values(m.tables).reduce((s, t) => s + t.rows, 0),
        });
      } catch {
        // an unfinished or foreign directory: not listed
      }
    }
    return out.sort((a, b) => b.id.localeCompare(a.id));
  }

  manifest(id: string): BackupManifest {
    if (!ID_RE.test(id)) throw new BackupError('not_found', `no backup ${id}`);
    const p = join(this.opts.config().target, id, 'manifest.json');
    if (!existsSync(p)) throw new BackupError('not_found', `no backup ${id}`);
    return JSON.parse(readFileSync(p, 'utf8')) as BackupManifest;
  }

  /** Makes a backup now; resolves with its manifest. */
  async create(opts: { trigger?: BackupManifest['trigger']; includeRecordings?: boolean } = {}): Promise<BackupManifest> {
    this.lock();
    const cfg = this.opts.config();
    const id = backupId();
    const staging = join(cfg.target, `.${id}.partial`);
    try {
      if (!cfg.target) throw new BackupError('no_target', 'no backup target configured');
      mkdirSync(cfg.target, { recursive: true });
      mkdirSync(staging, { recursive: true });
      const withRec = opts.includeRecordings ?? cfg.includeRecordings;
      // 1. database (online backup)
      const dbFile = join(staging, 'seatbox.db');
      this.report({ op: 'backup', phase: 'database', done: 0, total: 0, id, error: null });
      await backupDatabase(this.opts.db(), dbFile, (done, total) => this.report({ op: 'backup', phase: 'database', done, total, id, error: null }));
      // The copy inherits WAL mode: make it a single self-contained file.
      const rw = new Database(dbFile, { fileMustExist: true });
      rw.pragma('journal_mode = DELETE');
      rw.close();
      const copy = new Database(dbFile, { readonly: true, fileMustExist: true });
      let tables: Record<string, TableDigest>;
      let schema: number;
      try {
        tables = tableDigests(copy);
        schema = schemaVersion(copy);
      } finally {
        copy.close();
      }
      // 2. configuration
      const confFiles = walkFiles(this.opts.asteriskEtcDir);
      confFiles.forEach((f, i) => {
        const dest = join(staging, 'config', 'asterisk', relative(this.opts.asteriskEtcDir, f));
        mkdirSync(dirname(dest), { recursive: true });
        copyFileSync(f, dest);
        this.report({ op: 'backup', phase: 'config', done: i + 1, total: confFiles.length, id, error: null });
      });
      // 2b. IVR prompts: always, they are configuration (the DB's prompt rows name these files)
      if (this.opts.promptsDir) {
        const prompts = walkFiles(this.opts.promptsDir);
        prompts.forEach((f, i) => {
          const dest = join(staging, 'prompts', relative(this.opts.promptsDir!, f));
          mkdirSync(dirname(dest), { recursive: true });
          copyFileSync(f, dest);
          this.report({ op: 'backup', phase: 'config', done: i + 1, total: prompts.length, id, error: null });
        });
      }
      // 3. recordings (optional)
      if (withRec) {
        const recs = walkFiles(this.opts.recordingsDir);
        recs.forEach((f, i) => {
          const dest = join(staging, 'recordings', relative(this.opts.recordingsDir, f));
          mkdirSync(dirname(dest), { recursive: true });
          copyFileSync(f, dest);
          this.report({ op: 'backup', phase: 'recordings', done: i + 1, total: recs.length, id, error: null });
        });
      }
      // 4. manifest with checksums, then the directory appears under its final name
      const files = walkFiles(staging);
      const entries: BackupManifest['files'] = [];
      for (const [i, f] of files.entries()) {
        entries.push({ path: relative(staging, f), size: statSync(f).size, sha256: await sha256File(f) });
        this.report({ op: 'backup', phase: 'manifest', done: i + 1, total: files.length, id, error: null });
      }
      const manifest: BackupManifest = {
        format: 1,
        product: 'seatbox',
        id,
        createdAt: new Date().toISOString(),
        agentVersion: this.opts.agentVersion,
        schemaVersion: schema,
        trigger: opts.trigger ?? 'manual',
        includesRecordings: withRec,
        tables,
        files: entries.sort((a, b) => a.path.localeCompare(b.path)),
      };
      writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      renameSync(staging, join(cfg.target, id));
      this.prune(cfg);
      this.report({ op: 'backup', phase: 'done', done: 1, total: 1, id, error: null });
      this.opts.logger?.info({ id, target: cfg.target, rows: Object.values(tables).reduce((s, t) => s + t.rows, 0) }, 'backup written');
      return manifest;
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      this.report({ op: 'backup', phase: 'failed', done: 0, total: 0, id, error: (err as Error).message });
      throw err;
    } finally {
      this.busy = false;
    }
  }

  /** Keeps the newest cfg.keep backups; removes leftovers of interrupted runs. */
  prune(cfg = this.opts.config()): string[] {
    const removed: string[] = [];
    const all = this.list();
    for (const b of all.slice(Math.max(1, cfg.keep))) {
      rmSync(join(cfg.target, b.id), { recursive: true, force: true });
      removed.push(b.id);
    }
    for (const name of readdirSync(cfg.target)) {
      if (name.startsWith(`.${BACKUP_PREFIX}`) && name.endsWith('.partial') && !this.busy) rmSync(join(cfg.target, name), { recursive: true, force: true });
    }
    return removed;
  }

  /** Recomputes every file's sha256 and the database's table digests against the manifest. */
  async verify(id: string): Promise<BackupManifest> {
    const m = this.manifest(id);
    const dir = join(this.opts.config().target, id);
    for (const [i, f] of m.files.entries()) {
      const p = join(dir, f.path);
      if (!existsSync(p) || statSync(p).size !== f.size || (await sha256File(p)) !== f.sha256) {
        throw new BackupError('corrupt', `backup ${id}: ${f.path} is missing or does not match its checksum`);
      }
      this.report({ op: 'restore', phase: 'verifying', done: i + 1, total: m.files.length, id, error: null });
    }
    const db = new Database(join(dir, 'seatbox.db'), { readonly: true, fileMustExist: true });
    try {
      const now = tableDigests(db);
      if (JSON.stringify(now) !== JSON.stringify(m.tables)) throw new BackupError('corrupt', `backup ${id}: database contents do not match the manifest`);
    } finally {
      db.close();
    }
    return m;
  }

  /**
   * Restore: verify, stage into DATA/restore-pending, then restart the agent, which swaps the
   * files in before it opens the database (and regenerates + reloads Asterisk's config).
   * `confirm` must equal the backup id (the UI makes the user type it).
   */
  async restore(id: string, confirm: string): Promise<BackupManifest> {
    if (confirm !== id) throw new BackupError('bad_confirmation', 'type the backup name exactly to confirm the restore');
    this.lock();
    try {
      const m = await this.verify(id);
      if (m.schemaVersion > this.opts.latestSchema) {
        throw new BackupError('too_new', `backup ${id} has database schema ${m.schemaVersion}; this SeatBox knows ${this.opts.latestSchema}`);
      }
      this.report({ op: 'restore', phase: 'staging', done: 0, total: 1, id, error: null });
      stageRestore(this.opts.dataDir, join(this.opts.config().target, id), m);
      this.report({ op: 'restore', phase: 'restarting', done: 1, total: 1, id, error: null });
      this.opts.logger?.info({ id }, 'restore staged; restarting the agent to apply it');
      this.opts.requestRestart?.();
      return m;
    } catch (err) {
      this.report({ op: 'restore', phase: 'failed', done: 0, total: 0, id, error: (err as Error).message });
      throw err;
    } finally {
      this.busy = false;
    }
  }
}

const PENDING = 'restore-pending';

/** Copies a verified backup into DATA/restore-pending (marker written last). */
export function stageRestore(dataDir: string, backupDir: string, m: BackupManifest): void {
  const pending = join(dataDir, PENDING);
  rmSync(pending, { recursive: true, force: true });
  mkdirSync(pending, { recursive: true });
  cpSync(backupDir, join(pending, 'backup'), { recursive: true });
  writeFileSync(join(pending, 'READY'), `${m.id}\n`);
}

/**
 * Called by the agent before it opens the database: swaps a staged restore in. The database
 * being replaced is kept as DATA/pre-restore-<id>.db. Returns the restored backup id, or null.
 */
export function applyPendingRestore(dataDir: string, asteriskEtcDir: string, recordingsDir: string, promptsDir?: string): string | null {
  const pending = join(dataDir, PENDING);
  if (!existsSync(join(pending, 'READY'))) {
    rmSync(pending, { recursive: true, force: true });
    return null;
  }
  const id = readFileSync(join(pending, 'READY'), 'utf8').trim();
  const src = join(pending, 'backup');
  const dbPath = join(dataDir, 'seatbox.db');
  if (existsSync(dbPath)) renameSync(dbPath, join(dataDir, `pre-restore-${basename(id)}.db`));
  rmSync(`${dbPath}-wal`, { force: true });
  rmSync(`${dbPath}-shm`, { force: true });
  copyFileSync(join(src, 'seatbox.db'), `${dbPath}.restoring`);
  renameSync(`${dbPath}.restoring`, dbPath);
  const conf = join(src, 'config', 'asterisk');
  if (existsSync(conf)) {
    mkdirSync(asteriskEtcDir, { recursive: true });
    cpSync(conf, asteriskEtcDir, { recursive: true });
  }
  const prompts = join(src, 'prompts');
  if (promptsDir) {
    // The prompts become exactly the backup's: files made after it would be orphans.
    rmSync(promptsDir, { recursive: true, force: true });
    mkdirSync(promptsDir, { recursive: true });
    if (existsSync(prompts)) cpSync(prompts, promptsDir, { recursive: true });
  }
  const rec = join(src, 'recordings');
  if (existsSync(rec)) {
    mkdirSync(recordingsDir, { recursive: true });
    cpSync(rec, recordingsDir, { recursive: true });
  }
  rmSync(pending, { recursive: true, force: true });
  return id;
}

/**
 * Before migrations run: if DATA/seatbox.db exists with an older schema than `latest`, copy it
 * (online backup) to DATA/pre-migration/seatbox-v<N>-<time>.db, keeping the newest 3.
 * Returns the path written, or null when nothing needed saving.
 */
export async function backupBeforeMigrations(dataDir: string, latest: number): Promise<string | null> {
  const dbPath = join(dataDir, 'seatbox.db');
  if (!existsSync(dbPath)) return null;
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    const v = schemaVersion(db);
    if (v === 0 || v >= latest) return null; // fresh, current, or newer (openDatabase refuses that)
    const dir = join(dataDir, 'pre-migration');
    mkdirSync(dir, { recursive: true });
    const dest = join(dir, `seatbox-v${v}-${new Date().toISOString().replace(/[-:.]/g, '')}.db`);
    await backupDatabase(db, dest);
    const old = readdirSync(dir).filter((f) => f.endsWith('.db')).sort();
    for (const f of old.slice(0, Math.max(0, old.length - 3))) rmSync(join(dir, f), { force: true });
    return dest;
  } finally {
    db.close();
  }
}
