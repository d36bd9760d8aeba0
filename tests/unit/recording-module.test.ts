// Recording module and store logic on a real SQLite file with AMI events fed by hand
// (the real-Asterisk path is tests/integration/recording.test.ts): a start UserEvent makes a
// row, the hang-up finishes it from the file (duration, size, sha256, the agent who talked on
// the call); a call that never connected has no file and no row; a bridged call without its
// file is kept as missing; HTTP Range parsing; list filters and paging.
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmiMessage, type AmiClient } from '../../firmware-agent/src/ami/types.js';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { parseRange } from '../../firmware-agent/src/http/recording-routes.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { RecordingModule } from '../../firmware-agent/src/recording/recording-module.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';

class HandAmi extends EventEmitter {
  connected = false;
  actions: Array<[string, unknown]> = [];
  async action(name: string, headers?: unknown) {
    this.actions.push([name, headers]);
    return new AmiMessage([['Response', 'Success']]);
  }
  async listAction() {
    return { response: new AmiMessage([['Response', 'Success']]), events: [] };
  }
}
const ev = (fields: Record<string, string>) => new AmiMessage(Object.entries(fields));

let dir: string;
let db: Db;
let ami: HandAmi;
let mod: RecordingModule;
let frames: LiveMessage[];
const GB = 1024 ** 3;
const disk = { totalBytes: 100 * GB, freeBytes: 50 * GB };
const root = () => join(dir, 'monitor');

function wav(ms: number): Buffer {
  const pcm = Buffer.alloc((ms / 1000) * 16000, 1);
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

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-rec-mod-'));
  db = openDatabase(join(dir, 'data'));
  ami = new HandAmi();
  const live = new LiveFeed();
  frames = [];
  live.on('message', (m: LiveMessage) => frames.push(m));
  mod = new RecordingModule({
    db,
    ami: ami as unknown as AmiClient,
    live,
    audit: new AuditLog(db),
    settings: new SettingsStore(db),
    logger: silentLogger(),
    root: root(),
    rootDir: '/nonexistent',
    disk: () => ({ ...disk }),
    diskPollMs: 0,
    settleMs: 700,
  });
  await mod.start();
});
afterEach(async () => {
  await mod.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = (uid: string, linkedid: string, file: string, seat = '8001') =>
  ami.emit('event', ev({ Event: 'UserEvent', UserEvent: 'SeatBoxRecording', Phase: 'start', File: file, Seat: seat, Uniqueid: uid, Linkedid: linkedid, Channel: `PJSIP/${seat}-0001` }));
const hangup = (uid: string) => ami.emit('event', ev({ Event: 'Hangup', Uniqueid: uid }));
const settle = async () => {
  for (let i = 0; i < 50 && db.prepare("SELECT COUNT(*) AS n FROM recordings WHERE state = 'recording'").get() && (db.prepare("SELECT COUNT(*) AS n FROM recordings WHERE state = 'recording'").get() as { n: number }).n > 0; i++) await new Promise((r) => setTimeout(r, 100));
};

describe('recording module', () => {
  it('start event → row; hang-up → measured from the file, with the agent who talked', async () => {
    db.prepare("INSERT INTO agents (id, number, name) VALUES (7, '1007', '王芳')").run();
    db.prepare("INSERT INTO agent_sessions (id, agent_id, seat, login_at, login_source) VALUES (3, 7, '8002', '2026-01-01T00:00:00Z', 'phone')").run();
    db.prepare("INSERT INTO agent_state_history (agent_id, session_id, seat, state, linkedid, start_at) VALUES (7, 3, '8002', 'talking', '1700.1', '2026-01-01T00:00:01Z')").run();
    const file = '2026/11/23/1700.1-1700.1.wav';
    start('1700.1', '1700.1', file, '8001');
    expect(mod.store.byUniqueid('1700.1')).toMatchObject({ state: 'recording', seat: '8001', path: file });
    expect(frames.some((f) => f.type === 'recording.started')).toBe(true);
    // A replayed event adds nothing.
    start('1700.1', '1700.1', file, '8001');
    expect((db.prepare('SELECT COUNT(*) AS n FROM recordings').get() as { n: number }).n).toBe(1);
    const data = wav(3000);
    mkdirSync(dirname(join(root(), file)), { recursive: true });
    writeFileSync(join(root(), file), data);
    hangup('1700.1');
    await settle();
    const row = mod.store.byUniqueid('1700.1')!;
    expect(row).toMatchObject({ state: 'complete', duration_ms: 3000, size_bytes: data.length, agent_id: 7, agent_session_id: 3, seat: '8002' });
    expect(row.sha256).toBe(createHash('sha256').update(readFileSync(join(root(), file))).digest('hex'));
    expect(frames.find((f) => f.type === 'recording.finished')).toEqual({ type: 'recording.finished', data: { id: row.id, linkedid: '1700.1', durationMs: 3000 } });
    expect(mod.store.view(row.id)).toMatchObject({ agentName: '王芳', agentNumber: '1007', durationMs: 3000 });
  });

  it('no file: dropped when the call never connected, kept as missing when it was bridged', async () => {
    db.prepare("INSERT INTO calls (linkedid, state, created_at, bridged_at) VALUES ('1800.1', 'ended', '2026-01-01T00:00:00Z', '2026-01-01T00:00:02Z')").run();
    db.prepare("INSERT INTO calls (linkedid, state, created_at) VALUES ('1900.1', 'ended', '2026-01-01T00:00:00Z')").run();
    start('1800.1', '1800.1', '2026/11/23/1800.1-1800.1.wav');
    start('1900.1', '1900.1', '2026/11/23/1900.1-1900.1.wav');
    hangup('1800.1');
    hangup('1900.1');
    await settle();
    expect(mod.store.byUniqueid('1800.1')!.state).toBe('missing');
    expect(mod.store.byUniqueid('1900.1')).toBeUndefined();
  });

  it('a bare WAV header (MixMonitor "b" on a call that never reached a bridge) leaves no row and no file', async () => {
    db.prepare("INSERT INTO calls (linkedid, state, created_at) VALUES ('2000.1', 'ended', '2026-01-01T00:00:00Z')").run();
    const file = '2026/11/23/2000.1-2000.1.wav';
    start('2000.1', '2000.1', file);
    mkdirSync(dirname(join(root(), file)), { recursive: true });
    writeFileSync(join(root(), file), wav(0));
    expect(readFileSync(join(root(), file)).length).toBe(44);
    hangup('2000.1');
    await settle();
    expect(mod.store.byUniqueid('2000.1')).toBeUndefined();
    expect(existsSync(join(root(), file))).toBe(false);
  });

  it('refuses a start event with an unexpected file name', () => {
    start('2000.1', '2000.1', '../../etc/passwd');
    expect(mod.store.byUniqueid('2000.1')).toBeUndefined();
  });

  it('lists with filters and paging', () => {
    db.prepare("INSERT INTO calls (linkedid, state, created_at, from_num, to_num, direction) VALUES ('a', 'ended', '2026-01-01T00:00:00Z', '8001', '013812345678', 'outbound')").run();
    db.prepare("INSERT INTO calls (linkedid, state, created_at, from_num, to_num, direction) VALUES ('b', 'ended', '2026-01-02T00:00:00Z', '02088889999', '8002', 'inbound')").run();
    const a = mod.store.begin({ linkedid: 'a', uniqueid: 'a', channel: null, seat: '8001', path: '2026/01/01/a-a.wav', startedAt: '2026-01-01T00:00:00Z' });
    const b = mod.store.begin({ linkedid: 'b', uniqueid: 'b', channel: null, seat: '8002', path: '2026/01/02/b-b.wav', startedAt: '2026-01-02T00:00:00Z' });
    mod.store.setEvidence(b.id, true, 'complaint', 'qa1');
    expect(mod.store.list({}).items.map((i) => i.id)).toEqual([b.id, a.id]);
    expect(mod.store.list({ number: '1381234' }).items.map((i) => i.id)).toEqual([a.id]);
    expect(mod.store.list({ number: '%' }).total).toBe(0); // LIKE wildcards are literal
    expect(mod.store.list({ seat: '8002' }).items.map((i) => i.id)).toEqual([b.id]);
    expect(mod.store.list({ evidence: true }).items.map((i) => i.id)).toEqual([b.id]);
    expect(mod.store.list({ from: '2026-01-01T12:00:00Z' }).items.map((i) => i.id)).toEqual([b.id]);
    expect(mod.store.list({ to: '2026-01-01T12:00:00Z' }).items.map((i) => i.id)).toEqual([a.id]);
    const page = mod.store.list({ limit: 1, offset: 1 });
    expect(page).toMatchObject({ total: 2, items: [{ id: a.id, direction: 'outbound', toNumber: '013812345678' }] });
  });

  it('writes the dialplan switch when connected: on reconnect, and on each level change', async () => {
    // start() ran while AMI was down: nothing sent, the wish is kept for the connect.
    expect(ami.actions).toEqual([]);
    ami.connected = true;
    ami.emit('connect');
    await new Promise((r) => setTimeout(r, 50));
    expect(ami.actions).toEqual([['DBDel', { Family: 'seatbox-recording', Key: 'stopped' }]]);
    disk.freeBytes = 1 * GB; // 99 % used
    expect((await mod.lifecycle.checkDisk()).recordingStopped).toBe(true);
    expect(ami.actions.at(-1)).toEqual(['DBPut', { Family: 'seatbox-recording', Key: 'stopped', Val: '1' }]);
    disk.freeBytes = 50 * GB;
    await mod.lifecycle.checkDisk();
    expect(ami.actions.at(-1)![0]).toBe('DBDel');
    expect(frames.filter((f) => f.type === 'recording.storage').map((f) => (f.data as { level: string }).level)).toEqual(['stop', 'ok']);
  });
});

describe('HTTP Range', () => {
  it('parses byte ranges against the file size', () => {
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 1000)).toEqual({ start: 100, end: 999 });
    expect(parseRange('bytes=-10', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBeNull();
    expect(parseRange('bytes=50-10', 1000)).toBeNull();
    expect(parseRange('bytes=-0', 1000)).toBeNull();
    expect(parseRange('bytes=0-1,5-9', 1000)).toEqual({ start: 0, end: 1 });
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
  });
});
