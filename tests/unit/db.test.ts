import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase, loadMigrations, migrate, openDatabase, schemaVersion } from '../../firmware-agent/src/db/database.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { capturedCall, multiplyCall } from '../../firmware-agent/src/bench/ami-stream.js';
import { parseAmiBytes } from '../../firmware-agent/src/ami/parser.js';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'seatbox-db-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe('database', () => {
  it('opens in WAL mode with foreign keys on and every migration applied', () => {
    const db = openDatabase(temp());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(loadMigrations().length);
    expect(() => db.prepare("INSERT INTO call_legs (uniqueid, linkedid, channel, state, created_at) VALUES ('1','nope','x','Up','t')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('is idempotent: reopening applies nothing twice', () => {
    const dir = temp();
    openDatabase(dir).close();
    const db = openDatabase(dir);
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('refuses a database newer than the code, and migration files with gaps', () => {
    const dir = temp();
    const db = openDatabase(dir);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(dir)).toThrow(/schema 99 is newer/);
    const mig = join(temp(), 'm');
    mkdirSync(mig);
    writeFileSync(join(mig, '0001_a.sql'), 'CREATE TABLE a (x);');
    writeFileSync(join(mig, '0003_c.sql'), 'CREATE TABLE c (x);');
    expect(() => loadMigrations(mig)).toThrow(/expected number 2/);
  });

  it('rolls a failing migration back whole', () => {
    const mig = join(temp(), 'm');
    mkdirSync(mig);
    writeFileSync(join(mig, '0001_a.sql'), 'CREATE TABLE a (x);');
    writeFileSync(join(mig, '0002_b.sql'), 'CREATE TABLE b (x); INSERT INTO nowhere VALUES (1);');
    const db = new Database(':memory:');
    expect(() => migrate(db, loadMigrations(mig))).toThrow(/no such table: nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
  });

  it('makes a consistent online backup while writes continue', async () => {
    const dir = temp();
    const db = openDatabase(dir);
    const settings = new SettingsStore(db);
    for (let i = 0; i < 2000; i++) settings.set(`k${i}`, { i });
    const progress: number[] = [];
    const done = backupDatabase(db, join(dir, 'backup.db'), (d) => progress.push(d));
    settings.set('during', true);
    await done;
    const copy = new Database(join(dir, 'backup.db'), { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((copy.prepare("SELECT COUNT(*) n FROM settings WHERE key LIKE 'k%'").get() as { n: number }).n).toBe(2000);
    expect(progress.length).toBeGreaterThan(0);
    copy.close();
    db.close();
  });
});

describe('settings', () => {
  it('creates a generated value once and keeps it', () => {
    const db = openDatabase(temp());
    const s = new SettingsStore(db);
    let made = 0;
    const a = s.getOrCreate('ami.secret', () => `secret-${++made}`);
    const b = s.getOrCreate('ami.secret', () => `secret-${++made}`);
    expect(a).toBe('secret-1');
    expect(b).toBe('secret-1');
    expect(made).toBe(1);
    db.close();
  });
});

describe('login throttle', () => {
  it('locks an account after N failures within the window, then lets it go', () => {
    let now = 0;
    const t = new LoginThrottle(3, 60_000, () => now);
    t.fail('Boss');
    t.fail('boss');
    expect(t.retryAfter('boss')).toBe(0);
    t.fail('BOSS');
    expect(t.retryAfter('boss')).toBe(60);
    now = 30_000;
    expect(t.retryAfter('boss')).toBe(30);
    now = 60_001;
    expect(t.retryAfter('boss')).toBe(0);
    t.fail('x');
    t.succeed('x');
    expect(t.retryAfter('x')).toBe(0);
  });
});

describe('bench stream', () => {
  it('multiplies the captured call into distinct calls with the same events', () => {
    const one = parseAmiBytes(capturedCall()).messages.filter((m) => m.event);
    const { bytes, events } = multiplyCall(capturedCall(), 3);
    const msgs = parseAmiBytes(bytes).messages.filter((m) => m.event);
    expect(msgs).toHaveLength(events);
    expect(events).toBe(one.length * 3);
    const linked = new Set(msgs.map((m) => m.get('Linkedid')).filter(Boolean));
    expect(linked.size).toBe(3);
    const uniq = new Set(msgs.map((m) => m.get('Uniqueid')).filter(Boolean));
    expect(uniq.size).toBe(3 * new Set(one.map((m) => m.get('Uniqueid')).filter(Boolean)).size);
  });
});
