// Backup, change everything, restore: the restored database has exactly the backed-up rows
// (per-table counts and checksums from the manifest), the config files come back, and the
// database that was replaced is kept. Also the copy taken before pending migrations.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { loadMigrations, openDatabase, schemaVersion } from '../../firmware-agent/src/db/database.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { BackupService, applyPendingRestore, backupBeforeMigrations, tableDigests } from '../../firmware-agent/src/system/backup/backup-service.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('restores the same data (row counts and checksums) and configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seatbox-restore-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    const etc = join(data, 'asterisk', 'etc');
    const rec = join(data, 'asterisk', 'spool', 'monitor');
    mkdirSync(etc, { recursive: true });
    mkdirSync(rec, { recursive: true });
    writeFileSync(join(etc, 'extensions.conf'), '[from-internal]\nexten => 100,1,Answer()\n');
    writeFileSync(join(rec, 'call-1.wav'), Buffer.alloc(4096, 7));
    const prompts = join(data, 'asterisk', 'lib', 'sounds', 'custom');
    mkdirSync(prompts, { recursive: true });
    writeFileSync(join(prompts, 'ivr-welcome.wav'), Buffer.alloc(1600, 3));
    let db = openDatabase(data);
    const settings = new SettingsStore(db);
    const audit = new AuditLog(db);
    for (let i = 0; i < 200; i++) audit.write({ username: `u${i}`, action: 'test.event', detail: { i } });
    settings.set('backup.marker', 'before');
    let restarts = 0;
    const svc = new BackupService({
      db: () => db,
      dataDir: data,
      asteriskEtcDir: etc,
      recordingsDir: rec,
      promptsDir: prompts,
      agentVersion: '0.1.0',
      latestSchema: loadMigrations().length,
      config: () => ({ target: join(dir, 'share'), keep: 3, schedule: '', includeRecordings: true }),
      requestRestart: () => void restarts++,
    });
    const m = await svc.create({ includeRecordings: true });
    expect(m.tables.audit_log!.rows).toBe(200);
    const backedUp = tableDigests(db);
    expect(m.tables).toEqual(backedUp);

    // Life goes on: rows change, config changes, a recording disappears.
    db.prepare('DELETE FROM audit_log WHERE id % 2 = 0').run();
    settings.set('backup.marker', 'after');
    settings.set('something.new', 42);
    writeFileSync(join(etc, 'extensions.conf'), '; broken\n');
    rmSync(join(rec, 'call-1.wav'));
    writeFileSync(join(prompts, 'ivr-welcome.wav'), Buffer.alloc(10, 9));
    writeFileSync(join(prompts, 'ivr-later.wav'), Buffer.alloc(10, 9));
    expect(tableDigests(db)).not.toEqual(backedUp);

    // Restore: verified and staged, then the agent restarts (here: close, apply, reopen).
    await svc.restore(m.id, m.id);
    expect(restarts).toBe(1);
    db.close();
    expect(applyPendingRestore(data, etc, rec, prompts)).toBe(m.id);
    db = openDatabase(data);
    try {
      expect(tableDigests(db)).toEqual(m.tables);
      expect(new SettingsStore(db).get('backup.marker')).toBe('before');
      expect(readFileSync(join(etc, 'extensions.conf'), 'utf8')).toContain('exten => 100');
      expect(readFileSync(join(rec, 'call-1.wav'))).toEqual(Buffer.alloc(4096, 7));
      // IVR prompts are configuration: back exactly as they were.
      expect(readdirSync(prompts)).toEqual(['ivr-welcome.wav']);
      expect(readFileSync(join(prompts, 'ivr-welcome.wav'))).toEqual(Buffer.alloc(1600, 3));
      // The replaced database is kept, and nothing is left pending.
      expect(readdirSync(data).some((f) => f.startsWith('pre-restore-'))).toBe(true);
      expect(applyPendingRestore(data, etc, rec)).toBeNull();
    } finally {
      db.close();
    }
  });

  it('copies the database before migrations run, and only then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seatbox-premig-'));
    dirs.push(dir);
    const all = loadMigrations();
    expect(all.length).toBeGreaterThan(1);
    const old = openDatabase(dir, { migrations: all.slice(0, 1) });
    new SettingsStore(old).set('kept', true);
    old.close();

    const saved = await backupBeforeMigrations(dir, all.length);
    expect(saved).toMatch(/pre-migration\/seatbox-v1-/);
    const copy = new Database(saved!, { readonly: true });
    expect(schemaVersion(copy)).toBe(1);
    expect(copy.prepare("SELECT value FROM settings WHERE key = 'kept'").get()).toEqual({ value: 'true' });
    copy.close();

    openDatabase(dir).close(); // migrated now
    expect(await backupBeforeMigrations(dir, all.length)).toBeNull();
    expect(existsSync(join(dir, 'pre-migration'))).toBe(true);
  });
});
