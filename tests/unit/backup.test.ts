// Backup service: manifest (row counts, checksums), retention, verification, refusals.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations, openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { BackupService, tableDigests, type BackupConfig, type BackupProgress } from '../../firmware-agent/src/system/backup/backup-service.js';
import { validateBackupConfig } from '../../firmware-agent/src/system/backup/backup-scheduler.js';

let dir: string;
let db: Db;
let cfg: BackupConfig;
let svc: BackupService;
let restarts: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-backup-'));
  db = openDatabase(join(dir, 'data'));
  new SettingsStore(db).set('demo.odds', { answer: 0.5 });
  mkdirSync(join(dir, 'data', 'asterisk', 'etc'), { recursive: true });
  writeFileSync(join(dir, 'data', 'asterisk', 'etc', 'pjsip.conf'), '[global]\ntype=global\n');
  cfg = { target: join(dir, 'usb'), keep: 2, schedule: '30 2 * * *', includeRecordings: false };
  restarts = 0;
  svc = new BackupService({
    db: () => db,
    dataDir: join(dir, 'data'),
    asteriskEtcDir: join(dir, 'data', 'asterisk', 'etc'),
    recordingsDir: join(dir, 'data', 'asterisk', 'spool', 'monitor'),
    agentVersion: '0.1.0',
    latestSchema: loadMigrations().length,
    config: () => cfg,
    requestRestart: () => void restarts++,
  });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backup service', () => {
  it('writes the database, the Asterisk config and a manifest with row counts and checksums', async () => {
    const progress: BackupProgress[] = [];
    svc.on('progress', (p: BackupProgress) => progress.push(p));
    const m = await svc.create();
    expect(m.tables.settings).toMatchObject({ rows: 1 });
    expect(m.tables).toEqual(tableDigests(db));
    expect(m.files.map((f) => f.path).sort()).toEqual(['config/asterisk/pjsip.conf', 'seatbox.db']);
    expect(readFileSync(join(cfg.target, m.id, 'config/asterisk/pjsip.conf'), 'utf8')).toContain('type=global');
    expect(progress.map((p) => p.phase)).toContain('database');
    expect(progress.at(-1)).toMatchObject({ op: 'backup', phase: 'done', id: m.id });
    const rows = Object.values(m.tables).reduce((n, t) => n + t.rows, 0);
    expect(svc.list()).toEqual([expect.objectContaining({ id: m.id, rows, schemaVersion: loadMigrations().length })]);
    await expect(svc.verify(m.id)).resolves.toMatchObject({ id: m.id });
  });

  it('table digests change with the data', () => {
    const before = tableDigests(db);
    new SettingsStore(db).set('x', 1);
    const after = tableDigests(db);
    expect(after.settings!.rows).toBe(before.settings!.rows + 1);
    expect(after.settings!.sha256).not.toBe(before.settings!.sha256);
    expect(after.users).toEqual(before.users);
  });

  it('keeps the newest N backups', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await svc.create()).id);
      await new Promise((r) => setTimeout(r, 5)); // distinct ids (millisecond resolution)
    }
    expect(svc.list().map((b) => b.id)).toEqual([ids[3], ids[2]]);
    expect(readdirSync(cfg.target).sort()).toEqual([ids[2], ids[3]].sort());
  });

  it('detects a damaged backup and refuses to restore it', async () => {
    const m = await svc.create();
    writeFileSync(join(cfg.target, m.id, 'config/asterisk/pjsip.conf'), 'tampered');
    await expect(svc.verify(m.id)).rejects.toMatchObject({ code: 'corrupt' });
    await expect(svc.restore(m.id, m.id)).rejects.toMatchObject({ code: 'corrupt' });
    expect(restarts).toBe(0);
  });

  it('needs the backup name typed exactly, and refuses backups from a newer schema', async () => {
    const m = await svc.create();
    await expect(svc.restore(m.id, 'yes')).rejects.toMatchObject({ code: 'bad_confirmation' });
    const manifestPath = join(cfg.target, m.id, 'manifest.json');
    const mf = JSON.parse(readFileSync(manifestPath, 'utf8'));
    mf.schemaVersion = 999;
    writeFileSync(manifestPath, JSON.stringify(mf));
    await expect(svc.restore(m.id, m.id)).rejects.toMatchObject({ code: 'too_new' });
    expect(restarts).toBe(0);
  });

  it('validates its configuration', () => {
    expect(validateBackupConfig(cfg)).toBeNull();
    expect(validateBackupConfig({ ...cfg, target: 'relative' })).toMatch(/absolute/);
    expect(validateBackupConfig({ ...cfg, keep: 0 })).toMatch(/keep/);
    expect(validateBackupConfig({ ...cfg, schedule: 'every night' })).toMatch(/cron/);
    expect(validateBackupConfig({ ...cfg, schedule: '' })).toBeNull();
  });
});
