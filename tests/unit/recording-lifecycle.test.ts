// Storage lifecycle with the real ffmpeg of the sid root and a real SQLite file: compression
// to Opus verified by a full decode (size per channel-hour within the 8 MB goal), a faulty
// encoder (truncated output, garbage) keeps the original and records the failure, retention
// by age and by quota never deletes evidence, and the disk alarm / stop thresholds at their
// exact boundaries drive the dialplan switch.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { defaultRootDir } from '../../firmware-agent/src/pbx-runtime/sid-root.js';
import { ffmpegDecoder, ffmpegEncoder, wavFacts, type Encoder } from '../../firmware-agent/src/recording/audio.js';
import { DEFAULT_THRESHOLDS, diskLevel, type DiskStats } from '../../firmware-agent/src/recording/disk.js';
import { DEFAULT_LIFECYCLE, RecordingLifecycle, lifecycleIssues, type LifecycleSettings } from '../../firmware-agent/src/recording/lifecycle.js';
import { RecordingStore } from '../../firmware-agent/src/recording/recording-store.js';
import type { RecordingJobProgress, StorageAlarm } from '../../firmware-agent/src/recording/schemas.js';

const ROOT = defaultRootDir();
const GB = 1024 ** 3;
const DAY = 86_400_000;
const NOW = new Date('2026-11-23T03:00:00Z');

let dir: string;
let db: Db;
let store: RecordingStore;
let recRoot: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-rec-life-'));
  db = openDatabase(join(dir, 'data'));
  store = new RecordingStore(db);
  recRoot = join(dir, 'recordings');
  mkdirSync(recRoot);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An 8 kHz 16-bit mono WAV like MixMonitor's: speech-like (tones with a syllable envelope, noise). */
function wav(seconds: number): Buffer {
  const n = seconds * 8000;
  const pcm = Buffer.alloc(n * 2);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const t = i / 8000;
    const env = Math.max(0, Math.sin(2 * Math.PI * 3 * t)) * (Math.floor(t / 2) % 3 === 0 ? 0.1 : 1);
    const v = env * (6000 * Math.sin(2 * Math.PI * (180 + 40 * Math.sin(t)) * t) + 2500 * Math.sin(2 * Math.PI * 900 * t)) + ((seed % 2000) - 1000);
    pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v))), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

let seq = 0;
/** A finished recording row with its file (started `daysAgo` before NOW). */
function addRecording(o: { daysAgo: number; seconds?: number; bytes?: number; evidence?: boolean }): number {
  seq++;
  const started = new Date(NOW.getTime() - o.daysAgo * DAY);
  const d = started.toISOString().slice(0, 10).replace(/-/g, '/');
  const rel = `${d}/1700000000.${seq}-1700000000.${seq}.wav`;
  const abs = join(recRoot, rel);
  mkdirSync(dirname(abs), { recursive: true });
  const data = o.bytes !== undefined ? Buffer.alloc(o.bytes) : wav(o.seconds ?? 2);
  writeFileSync(abs, data);
  const row = store.begin({ linkedid: `1700000000.${seq}`, uniqueid: `1700000000.${seq}`, channel: null, seat: '8001', path: rel, startedAt: started.toISOString() });
  store.finish(row.id, { endedAt: started.toISOString(), durationMs: o.bytes !== undefined ? 0 : wavFacts(abs).durationMs, sizeBytes: data.length, sha256: 'x'.repeat(64), seat: null, agentId: null, agentSessionId: null });
  if (o.evidence) store.setEvidence(row.id, true, 'threatening caller', 'qa1');
  return row.id;
}

function lifecycle(o: { settings?: Partial<LifecycleSettings>; encoder?: Encoder; disk?: () => DiskStats } = {}) {
  const jobs: RecordingJobProgress[] = [];
  const alarms: StorageAlarm[] = [];
  const switches: boolean[] = [];
  const lc = new RecordingLifecycle({
    store,
    root: recRoot,
    encoder: o.encoder ?? ffmpegEncoder(ROOT),
    decoder: ffmpegDecoder(ROOT),
    disk: o.disk ?? (() => ({ totalBytes: 100 * GB, freeBytes: 50 * GB })),
    settings: () => ({ ...DEFAULT_LIFECYCLE, ...o.settings }),
    setStopped: async (s) => void switches.push(s),
    publishJob: (p) => jobs.push(p),
    publishStorage: () => undefined,
    publishAlarm: (a) => alarms.push(a),
    logger: silentLogger(),
    now: () => NOW,
    diskPollMs: 0,
  });
  return { lc, jobs, alarms, switches };
}

describe('compression to Opus (real ffmpeg)', () => {
  it('compresses the previous days, verifies by decoding, deletes the original; ≤ 8 MB per channel-hour', async () => {
    const id = addRecording({ daysAgo: 1, seconds: 600 });
    const todayId = addRecording({ daysAgo: 0.05, seconds: 2 }); // today: left for tomorrow's run
    const before = store.byId(id)!;
    const wavPath = join(recRoot, before.path);
    const { lc, jobs } = lifecycle();
    const r = await lc.run('manual');
    expect(r).toMatchObject({ status: 'ok', compressed: 1, failed: 0 });
    const after = store.byId(id)!;
    expect(after.format).toBe('opus');
    expect(after.compression).toBe('compressed');
    expect(after.path).toBe(before.path.replace(/\.wav$/, '.opus'));
    expect(existsSync(wavPath)).toBe(false);
    const opus = join(recRoot, after.path);
    expect(readFileSync(opus).subarray(0, 4).toString('ascii')).toBe('OggS');
    expect(statSync(opus).size).toBe(after.size_bytes);
    expect(after.original_size_bytes).toBe(600 * 16000 + 44);
    expect(Math.abs(after.duration_ms! - 600_000)).toBeLessThanOrEqual(250);
    const mbPerHour = (after.size_bytes! / 1e6) * (3600 / 600);
    // eslint-disable-next-line no-console
    console.info(`recording-lifecycle: Opus ${after.size_bytes} bytes for 600 s ⇒ ${mbPerHour.toFixed(2)} MB per channel-hour (WAV slin: ${((600 * 16000 + 44) / 1e6 * 6).toFixed(1)} MB)`);
    expect(mbPerHour).toBeLessThanOrEqual(8);
    expect(mbPerHour).toBeGreaterThan(3); // 16 kbit/s really used, not an empty file
    expect(store.byId(todayId)!.format).toBe('wav');
    expect(jobs.at(-1)).toMatchObject({ phase: 'done', compressed: 1 });
    expect(jobs.some((j) => j.phase === 'compress' && j.done === 1 && j.total === 1)).toBe(true);
    expect(store.lastJob()).toMatchObject({ status: 'ok', compressed: 1, trigger: 'manual' });
  }, 120_000);

  it('keeps the original and records the failure when the encoder truncates its output', async () => {
    const id = addRecording({ daysAgo: 2, seconds: 20 });
    const row = store.byId(id)!;
    const original = readFileSync(join(recRoot, row.path));
    const real = ffmpegEncoder(ROOT);
    const truncating: Encoder = async (w, o) => {
      await real(w, o);
      truncateSync(o, Math.floor(statSync(o).size / 2));
    };
    const { lc } = lifecycle({ encoder: truncating });
    const r = await lc.run('manual');
    expect(r).toMatchObject({ status: 'partial', compressed: 0, failed: 1 });
    const after = store.byId(id)!;
    expect(after.format).toBe('wav');
    expect(after.compression).toBe('failed');
    expect(after.compression_error).toMatch(/verification failed: decoded \d+ ms, original 20000 ms|ffmpeg exit/);
    expect(readFileSync(join(recRoot, row.path)).equals(original)).toBe(true);
    expect(existsSync(join(recRoot, row.path.replace(/\.wav$/, '.opus')))).toBe(false);
    expect(existsSync(join(recRoot, row.path.replace(/\.wav$/, '.opus.tmp')))).toBe(false);
  }, 60_000);

  it('keeps the original when the output does not decode at all', async () => {
    const id = addRecording({ daysAgo: 2, seconds: 5 });
    const { lc } = lifecycle({ encoder: async (_w, o) => writeFileSync(o, Buffer.from('OggS not really an ogg stream'.repeat(50))) });
    const r = await lc.run('manual');
    expect(r.failed).toBe(1);
    const after = store.byId(id)!;
    expect(after.compression).toBe('failed');
    expect(after.compression_error).toMatch(/ffmpeg|verification/);
    expect(existsSync(join(recRoot, after.path))).toBe(true);
  }, 60_000);
});

describe('retention', () => {
  const noCompress = { encoder: async () => { throw new Error('not used'); } };

  it('by age: deletes complete recordings older than retentionDays, oldest first, never evidence', async () => {
    const old1 = addRecording({ daysAgo: 40, bytes: 1000 });
    const oldEvidence = addRecording({ daysAgo: 50, bytes: 1000, evidence: true });
    const edge = addRecording({ daysAgo: 29.9, bytes: 1000 });
    // mark them compressed already so the job only does retention
    db.prepare("UPDATE recordings SET compression = 'failed'").run();
    const { lc } = lifecycle({ settings: { retentionDays: 30, quotaBytes: 0 }, ...noCompress });
    const r = await lc.run('nightly');
    expect(r).toMatchObject({ deletedAge: 1, deletedQuota: 0, freedBytes: 1000 });
    expect(store.byId(old1)).toMatchObject({ state: 'deleted', deleted_reason: 'age' });
    expect(existsSync(join(recRoot, store.byId(old1)!.path))).toBe(false);
    expect(store.byId(oldEvidence)!.state).toBe('complete');
    expect(existsSync(join(recRoot, store.byId(oldEvidence)!.path))).toBe(true);
    expect(store.byId(edge)!.state).toBe('complete');
  });

  it('by quota: deletes the oldest non-evidence files until under the quota; evidence stays even over it', async () => {
    const a = addRecording({ daysAgo: 10, bytes: 4000, evidence: true });
    const b = addRecording({ daysAgo: 9, bytes: 3000 });
    const c = addRecording({ daysAgo: 8, bytes: 3000 });
    const d = addRecording({ daysAgo: 7, bytes: 3000 });
    db.prepare("UPDATE recordings SET compression = 'failed'").run();
    // 13 000 bytes, quota 8 000: b then c go (13 000 → 10 000 → 7 000); a is evidence.
    const { lc } = lifecycle({ settings: { retentionDays: 0, quotaBytes: 8000 }, ...noCompress });
    const r = await lc.run('nightly');
    expect(r).toMatchObject({ deletedAge: 0, deletedQuota: 2, freedBytes: 6000 });
    expect(store.byId(a)!.state).toBe('complete');
    expect(store.byId(b)).toMatchObject({ state: 'deleted', deleted_reason: 'quota' });
    expect(store.byId(c)).toMatchObject({ state: 'deleted', deleted_reason: 'quota' });
    expect(store.byId(d)!.state).toBe('complete');
    // Evidence alone above the quota: nothing else to delete, evidence kept.
    const { lc: lc2 } = lifecycle({ settings: { retentionDays: 0, quotaBytes: 1000 }, ...noCompress });
    const r2 = await lc2.run('nightly');
    expect(r2.deletedQuota).toBe(1); // d
    expect(store.byId(a)!.state).toBe('complete');
    expect(store.totalBytes()).toBe(4000);
  });

  it('the database refuses a deleted evidence recording', () => {
    const a = addRecording({ daysAgo: 1, bytes: 10, evidence: true });
    store.deleted(a, 'age');
    expect(store.byId(a)!.state).toBe('complete');
    expect(() => db.prepare("UPDATE recordings SET state = 'deleted' WHERE id = ?").run(a)).toThrow(/CHECK constraint/);
  });
});

describe('disk thresholds', () => {
  const at = (usedPercent: number, total = 100 * GB): DiskStats => ({ totalBytes: total, freeBytes: Math.round(total * (1 - usedPercent / 100)) });
  const t = { ...DEFAULT_THRESHOLDS, reserveBytes: 1 * GB };

  it('alarm at 85 %, stop at 92 %, stop below the free reserve, resume only under stop − hysteresis', () => {
    expect(diskLevel(at(84.99), t)).toBe('ok');
    expect(diskLevel(at(85), t)).toBe('alarm');
    expect(diskLevel(at(91.99), t)).toBe('alarm');
    expect(diskLevel(at(92), t)).toBe('stop');
    // small disk: 10 GB at 90 % has 1 GB free = exactly the reserve (not below): alarm; 1 byte less: stop
    expect(diskLevel({ totalBytes: 10 * GB, freeBytes: 1 * GB }, t)).toBe('alarm');
    expect(diskLevel({ totalBytes: 10 * GB, freeBytes: 1 * GB - 1 }, t)).toBe('stop');
    expect(diskLevel(at(91), t, 'stop')).toBe('stop');
    expect(diskLevel(at(90.01), t, 'stop')).toBe('stop');
    expect(diskLevel(at(89.99), t, 'stop')).toBe('alarm');
    expect(diskLevel(at(50), t, 'stop')).toBe('ok');
  });

  it('checkDisk raises the alarm, turns the dialplan switch off and on, and says so', async () => {
    let stats = at(50);
    const { lc, alarms, switches } = lifecycle({ disk: () => stats, settings: { thresholds: t } });
    expect((await lc.checkDisk()).level).toBe('ok');
    expect(switches).toEqual([false]); // first check writes the switch whatever it was
    stats = at(85);
    const s1 = await lc.checkDisk();
    expect(s1).toMatchObject({ level: 'alarm', recordingStopped: false });
    expect(alarms.at(-1)).toMatchObject({ level: 'alarm', severity: 'warning' });
    expect(s1.alarms).toHaveLength(1);
    stats = at(92);
    const s2 = await lc.checkDisk();
    expect(s2).toMatchObject({ level: 'stop', recordingStopped: true });
    expect(alarms.at(-1)!.message).toMatch(/new recordings are stopped/);
    expect(switches).toEqual([false, true]);
    stats = at(91);
    expect((await lc.checkDisk()).recordingStopped).toBe(true);
    stats = at(80);
    const s3 = await lc.checkDisk();
    expect(s3).toMatchObject({ level: 'ok', recordingStopped: false, alarms: [] });
    expect(switches).toEqual([false, true, false]);
    expect(alarms.at(-1)).toMatchObject({ level: 'ok', severity: 'info' });
  });
});

describe('schedule', () => {
  it('runs the job from node-cron on its schedule, and refuses bad settings', async () => {
    const { lc } = lifecycle({ settings: { schedule: '* * * * * *' } }); // every second
    await lc.start();
    try {
      const deadline = Date.now() + 4000;
      while (!store.lastJob() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(store.lastJob()).toMatchObject({ trigger: 'nightly' });
    } finally {
      await lc.stop();
    }
    expect(lifecycleIssues({ ...DEFAULT_LIFECYCLE, schedule: 'every night' })).toMatch(/^schedule: /);
    expect(lifecycleIssues({ ...DEFAULT_LIFECYCLE, retentionDays: -1 })).toMatch(/^retentionDays: /);
    expect(lifecycleIssues({ ...DEFAULT_LIFECYCLE, thresholds: { ...DEFAULT_THRESHOLDS, stopPercent: 80 } })).toMatch(/^thresholds.stopPercent: /);
    expect(lifecycleIssues(DEFAULT_LIFECYCLE)).toBeNull();
  });
});
