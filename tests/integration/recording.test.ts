// Call recording end to end on the real Asterisk 22 (whole agent in-process, SIPp seat
// phones): three seat-to-seat calls with different talk times, each caller sending RTP
// (SIPp rtp_stream of a µ-law tone). Every call gets exactly one recording file, linked to
// its call row, whose duration (measured from the file) matches the talk time. The API
// serves it with HTTP Range (206, exact bytes), refuses download to a role without the
// right, and audits listen and download. A call from a trunk to a seat and a call from a seat
// through a route and trunk are recorded once as well. Storage settings and "run now" are
// admin-only, validated, audited, and the job reports progress on the websocket. With the dialplan switch off (disk at the stop
// threshold through the injected disk stats) a call is not recorded; back under it, it is.
import { readFileSync, writeFileSync, existsSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { DiskStats } from '../../firmware-agent/src/recording/disk.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';
import { cleanSipp, csvFile, describeRun, freeUdpPortFor, scenario, startSipp, stopAllSipp, type SippProcess } from '../support/sipp.js';

const GB = 1024 ** 3;
const disk: DiskStats = { totalBytes: 100 * GB, freeBytes: 60 * GB };
/** Talk time tolerance: the recording covers the bridge, which starts at the 200 OK and ends at the BYE. */
const TOLERANCE_MS = 500;

let t: TestAgent;
let audioDir: string;
let tone: string;
const secrets = new Map<string, string>();
const events: AmiMessage[] = [];
/** Measured recording durations (printed at the end for the report). */
const durations: string[] = [];
/** Every SIPp run of this file, its temp dir removed at the end. */
const sippRuns: SippProcess[] = [];

/** G.711 µ-law encoding of one 16-bit sample. */
function ulaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | mant) & 0xff;
}

beforeAll(async () => {
  audioDir = mkdtempSync(join(tmpdir(), 'seatbox-rec-audio-'));
  // 2 s of a 440 Hz tone, raw µ-law (SIPp loops it for the whole call).
  tone = join(audioDir, 'tone.ulaw');
  writeFileSync(tone, Buffer.from(Array.from({ length: 16000 }, (_, i) => ulaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))))));
  t = await startTestAgent({ options: { recording: { disk: () => ({ ...disk }), diskPollMs: 0, settleMs: 4000 } } });
  t.agent.ami.on('event', (m: AmiMessage) => events.push(m));
  const seats = await t.api<{ provisioning: Array<{ extension: string; secret: string }> }>('POST', '/api/v1/seats/bulk', { from: '8001', to: '8006', namePattern: '坐席 {n}', kind: 'agent' });
  expect(seats.status, seats.text).toBe(200);
  for (const p of seats.body.provisioning) secrets.set(p.extension, p.secret);
}, 120_000);

afterAll(async () => {
  // eslint-disable-next-line no-console
  if (durations.length) console.info(`recording durations (talk → file): ${durations.join('; ')}`);
  await stopAllSipp();
  for (const p of sippRuns) cleanSipp(p);
  await t?.stop();
  rmSync(audioDir, { recursive: true, force: true });
});

const remote = () => `127.0.0.1:${t.agent.opts.asterisk.sipPort}`;
const cred = (ext: string) => ({ user: ext, password: secrets.get(ext)! });

async function phone(ext: string, holdMs = 60_000): Promise<SippProcess> {
  const p = await startSipp({
    label: `rec-phone-${ext}`,
    scenario: scenario('seat-phone.xml', { HOLD_MS: holdMs }),
    outOfCallScenario: scenario('uas-answer.xml'),
    csv: csvFile([[ext, cred(ext)]]),
    remote: remote(),
    calls: 1,
    autoAnswer: true,
    timeoutSeconds: Math.ceil(holdMs / 1000) + 10,
  });
  sippRuns.push(p);
  await p.waitForMessage(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/m);
  return p;
}

/** uac-call.xml offering PCMU only and streaming the tone from the answer on. */
function talkingCaller(talkMs: number): string {
  let x = scenario('uac-call.xml', { TALK_MS: talkMs });
  x = x.split('m=audio [media_port] RTP/AVP 8 0').join('m=audio [media_port] RTP/AVP 0').split('      a=rtpmap:8 PCMA/8000\n').join('');
  const marker = '  <!-- Either we hang up';
  if (!x.includes(marker)) throw new Error('uac-call.xml changed: no talk marker');
  return x.replace(marker, `  <nop><action><exec rtp_stream="${tone},-1,0"/></action></nop>\n${marker}`);
}

async function call(from: string, to: string, talkMs: number) {
  const mediaPort = await freeUdpPortFor('127.0.0.1');
  return startSipp({
    label: `rec-call-${from}`,
    scenario: talkingCaller(talkMs),
    csv: csvFile([[from, cred(from), to]]),
    remote: remote(),
    calls: 1,
    timeoutSeconds: Math.ceil(talkMs / 1000) + 20,
    extraArgs: ['-mp', String(mediaPort - (mediaPort % 2))],
  });
}

interface RecRow { id: number; linkedid: string; uniqueid: string; seat: string | null; path: string; state: string; duration_ms: number | null; size_bytes: number | null; sha256: string | null }
const rows = () => t.agent.db.prepare<[], RecRow>('SELECT * FROM recordings ORDER BY id').all();
const root = () => join(t.agent.instanceDir, 'spool', 'monitor');

describe('recording on the real Asterisk', () => {
  const talks: Record<string, number> = { '8001': 2000, '8002': 4000, '8003': 6500 };

  it('records every call of a SIPp run once, linked to its call, with the talk time as duration', async () => {
    // Agent 1001 works at seat 8001: its recording names the agent and the login session.
    const created = await t.api<{ agent: { id: number } }>('POST', '/api/v1/agents', { number: '1001', name: '张伟' });
    expect(created.status, created.text).toBe(200);
    const agentId = created.body.agent.id;
    const login = await t.api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8001' });
    expect(login.status, login.text).toBe(200);
    const phones = await Promise.all(['8004', '8005', '8006'].map((e) => phone(e)));
    const runs = await Promise.all([
      call('8001', '8004', talks['8001']!),
      call('8002', '8005', talks['8002']!),
      call('8003', '8006', talks['8003']!),
    ]);
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) {
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.logs).toMatch(/OUTCOME 200/);
      cleanSipp(r);
    }
    await waitFor('three finished recordings', () => rows().length === 3 && rows().every((r) => r.state === 'complete'), 20_000);
    const list = rows();
    const calls = t.agent.db.prepare<[], { linkedid: string; from_num: string; to_num: string }>('SELECT linkedid, from_num, to_num FROM calls').all();
    // Exactly one recording per call (the callee leg inherits the guard variable).
    expect(new Set(list.map((r) => r.linkedid)).size).toBe(3);
    for (const r of list) {
      const c = calls.find((x) => x.linkedid === r.linkedid);
      expect(c, `call row of ${r.linkedid}`).toBeTruthy();
      expect(r.path).toMatch(/^\d{4}\/\d{2}\/\d{2}\/[0-9.]+-[0-9.]+\.wav$/);
      const file = join(root(), r.path);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBe(r.size_bytes);
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      const talk = talks[r.seat ?? ''];
      expect(talk, `seat of recording ${r.id}: ${r.seat}`).toBeDefined();
      durations.push(`seat ${r.seat} ${talk} ms → ${r.duration_ms} ms`);
      expect(Math.abs(r.duration_ms! - talk!), `recording of ${r.seat}: ${r.duration_ms} ms for ${talk} ms of talk`).toBeLessThanOrEqual(TOLERANCE_MS);
      // The file holds the caller's tone, not silence: some samples are loud.
      const pcm = readFileSync(file).subarray(44);
      let peak = 0;
      for (let i = 0; i + 1 < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
      expect(peak).toBeGreaterThan(2000);
    }
    const withAgent = list.find((r) => r.seat === '8001')!;
    const agentRow = t.agent.db.prepare<[number], { agent_id: number | null; agent_session_id: number | null }>('SELECT agent_id, agent_session_id FROM recordings WHERE id = ?').get(withAgent.id)!;
    expect(agentRow.agent_id).toBe(agentId);
    expect(agentRow.agent_session_id).toBeGreaterThan(0);
    const others = t.agent.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM recordings WHERE seat IN ('8002', '8003') AND agent_id IS NULL").get()!;
    expect(others.n).toBe(2);
    const listed = await t.api<{ items: Array<{ agentName: string | null; seat: string }> }>('GET', `/api/v1/recordings?agent=1001`);
    expect(listed.body.items.map((i) => [i.agentName, i.seat])).toEqual([['张伟', '8001']]);
    // Started events came from the dialplan subroutine, one per call.
    expect(events.filter((e) => e.get('UserEvent') === 'SeatBoxRecording' && e.get('Phase') === 'start')).toHaveLength(3);
    for (const p of phones) await p.stop();
  }, 90_000);

  it('serves the audio with HTTP Range, refuses download to a role without the right, audits listen and download', async () => {
    const users = new UserStore(t.agent.db);
    await users.create({ username: 'qa1', password: 'Long-Enough-Pw-qa', roles: ['qa'] });
    await users.create({ username: 'lead1', password: 'Long-Enough-Pw-lead', roles: ['team_lead'] });
    await users.create({ username: 'agent1', password: 'Long-Enough-Pw-agent', roles: ['agent'] });
    const login = async (username: string, password: string) => {
      const r = await fetch(`${t.base}/api/v1/auth/csrf`);
      let cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const { token } = (await r.json()) as { token: string };
      const l = await fetch(`${t.base}/api/v1/auth/login`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': token }, body: JSON.stringify({ username, password }) });
      expect(l.status).toBe(200);
      cookie = [cookie, ...l.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
      return (path: string, headers: Record<string, string> = {}) => fetch(`${t.base}${path}`, { headers: { cookie, ...headers } });
    };
    const rec = rows()[0]!;
    const bytes = readFileSync(join(root(), rec.path));
    const qa = await login('qa1', 'Long-Enough-Pw-qa');
    const list = await qa('/api/v1/recordings?limit=10');
    expect(list.status).toBe(200);
    const body = (await list.json()) as { total: number; items: Array<{ id: number; durationMs: number; fromNumber: string | null }> };
    expect(body.total).toBe(3);

    const part = await qa(`/api/v1/recordings/${rec.id}/audio`, { range: 'bytes=100-1099' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${bytes.length}`);
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    const got = Buffer.from(await part.arrayBuffer());
    expect(got.length).toBe(1000);
    expect(got.equals(bytes.subarray(100, 1100))).toBe(true);
    const tail = await qa(`/api/v1/recordings/${rec.id}/audio`, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const beyond = await qa(`/api/v1/recordings/${rec.id}/audio`, { range: `bytes=${bytes.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.length}`);

    const dl = await qa(`/api/v1/recordings/${rec.id}/download`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toMatch(/^attachment; filename="recording-\d+-.+\.wav"$/);
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);

    const lead = await login('lead1', 'Long-Enough-Pw-lead');
    expect((await lead(`/api/v1/recordings/${rec.id}/audio`, { range: 'bytes=0-99' })).status).toBe(206);
    expect((await lead(`/api/v1/recordings/${rec.id}/download`)).status).toBe(403);
    // Without a session: refused (CSRF first for a POST, 401 for a GET).
    expect((await fetch(`${t.base}/api/v1/recordings/${rec.id}/audio`)).status).toBe(401);
    const agent = await login('agent1', 'Long-Enough-Pw-agent');
    expect((await agent('/api/v1/recordings')).status).toBe(403);
    expect((await agent(`/api/v1/recordings/${rec.id}/audio`)).status).toBe(403);

    const audit = t.agent.db.prepare<[], { username: string; action: string; target: string }>("SELECT username, action, target FROM audit_log WHERE action LIKE 'recording.%' ORDER BY id").all();
    expect(audit).toEqual(
      expect.arrayContaining([
        { username: 'qa1', action: 'recording.listen', target: `recording:${rec.id}` },
        { username: 'qa1', action: 'recording.download', target: `recording:${rec.id}` },
        { username: 'lead1', action: 'recording.listen', target: `recording:${rec.id}` },
      ]),
    );
    // Refused requests leave no listen/download entry.
    expect(audit.filter((a) => a.username === 'lead1' && a.action === 'recording.download')).toHaveLength(0);
    expect(audit.filter((a) => a.username === 'agent1')).toHaveLength(0);
  }, 30_000);

  it('storage: settings and run-now are admin-only and audited; the job reports progress live', async () => {
    await t.openLive();
    const storage = await t.api('GET', '/api/v1/recordings/storage');
    expect(storage.status, storage.text).toBe(200);
    expect(storage.body).toMatchObject({ level: 'ok', recordingStopped: false, usedPercent: 40 });
    const bad = await t.api('PUT', '/api/v1/recordings/storage/settings', { ...storage.body.settings, schedule: 'every night' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^schedule: /);
    const ok = await t.api('PUT', '/api/v1/recordings/storage/settings', { ...storage.body.settings, schedule: '0 4 * * *', retentionDays: 90 });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.settings).toMatchObject({ schedule: '0 4 * * *', retentionDays: 90 });
    const run = await t.api('POST', '/api/v1/recordings/storage/run');
    expect(run.status).toBe(202);
    await waitFor('job done frame', () => t.frames.find((f) => f.type === 'recording.job' && f.data.phase === 'done'));
    // Today's recordings are not compressed yet (the previous days only).
    expect(rows().every((r) => r.path.endsWith('.wav'))).toBe(true);
    const after = await t.api('GET', '/api/v1/recordings/storage');
    expect(after.body.lastJob).toMatchObject({ trigger: 'manual', status: 'ok', compressed: 0 });
    const actions = t.agent.db.prepare<[], { action: string }>("SELECT action FROM audit_log WHERE action IN ('recording.settings_changed', 'recording.job_run')").all().map((a) => a.action);
    expect(actions).toEqual(['recording.settings_changed', 'recording.job_run']);
  }, 30_000);

  const CARRIER = '127.0.0.2';
  let carrierPort = 0;
  let trunkId = 0;

  it('records a call from a trunk to a seat once (trunk entry and seat both call the subroutine)', async () => {
    carrierPort = await freeUdpPortFor(CARRIER);
    const trunk = await t.api<{ trunk: { id: number } }>('POST', '/api/v1/trunks', { name: '运营商', kind: 'sip', host: CARRIER, port: carrierPort, register: false, qualifySeconds: 0 });
    expect(trunk.status, trunk.text).toBe(200);
    trunkId = trunk.body.trunk.id;
    const route = await t.api('POST', '/api/v1/routes/inbound', { name: '热线', did: '4008001234', destination: 'seat', seat: '8005' });
    expect(route.status, route.text).toBe(200);
    const callee = await phone('8005');
    const before = rows().length;
    let x = scenario('carrier-call.xml', { TALK_MS: 3000 });
    x = x.split('RTP/AVP 8 0').join('RTP/AVP 0').split('      a=rtpmap:8 PCMA/8000\n').join('');
    const marker = '  <!-- Either we hang up';
    expect(x).toContain(marker);
    x = x.replace(marker, `  <nop><action><exec rtp_stream="${tone},-1,0"/></action></nop>\n${marker}`);
    const mediaPort = await freeUdpPortFor(CARRIER);
    const carrier = await startSipp({ label: 'rec-carrier', scenario: x, csv: csvFile([['13912345678', '0', '4008001234']]), localIp: CARRIER, localPort: carrierPort, remote: remote(), calls: 1, timeoutSeconds: 25, extraArgs: ['-mp', String(mediaPort - (mediaPort % 2))] });
    const r = await carrier.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toMatch(/OUTCOME 200/);
    await waitFor('the trunk call recorded', () => rows().length === before + 1 && rows().at(-1)!.state === 'complete', 15_000);
    const rec = rows().at(-1)!;
    const all = t.agent.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM recordings WHERE linkedid = ?').get(rec.linkedid)!;
    expect(all.n).toBe(1);
    // Recorded on the trunk's channel (the call's first), the seat resolved from the call's legs.
    expect(rec.linkedid).toBe(rec.uniqueid);
    expect(rec.seat).toBe('8005');
    expect(Math.abs(rec.duration_ms! - 3000)).toBeLessThanOrEqual(TOLERANCE_MS);
    durations.push(`trunk→seat 3000 ms → ${rec.duration_ms} ms`);
    const call = t.agent.db.prepare<[string], { from_num: string }>('SELECT from_num FROM calls WHERE linkedid = ?').get(rec.linkedid);
    expect(call?.from_num).toBe('13912345678');
    cleanSipp(r);
    await callee.stop();
  }, 60_000);

  it('records a seat-to-outside call through a route and trunk once', async () => {
    const route = await t.api('POST', '/api/v1/routes/outbound', { name: '手机', patterns: ['1[3-9]XXXXXXXXX'], trunkIds: [trunkId] });
    expect(route.status, route.text).toBe(200);
    const carrier = await startSipp({ label: 'rec-carrier-uas', scenario: scenario('uas-answer.xml'), localIp: CARRIER, localPort: carrierPort, calls: 1, timeoutSeconds: 25 });
    const before = rows().length;
    const r = await (await call('8002', '913812345678', 2500)).done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toMatch(/OUTCOME 200/);
    await waitFor('the outbound call recorded', () => rows().length === before + 1 && rows().at(-1)!.state === 'complete', 15_000);
    const rec = rows().at(-1)!;
    expect(t.agent.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM recordings WHERE linkedid = ?').get(rec.linkedid)!.n).toBe(1);
    expect(rec.seat).toBe('8002');
    expect(Math.abs(rec.duration_ms! - 2500)).toBeLessThanOrEqual(TOLERANCE_MS);
    durations.push(`outbound 2500 ms → ${rec.duration_ms} ms`);
    cleanSipp(r);
    cleanSipp(await carrier.stop());
  }, 60_000);

  it('stops new recordings when the disk reaches the stop threshold, and resumes below it', async () => {
    const callee = await phone('8004');
    await t.openLive();
    disk.freeBytes = 7 * GB; // 93 % used: above the 92 % stop threshold
    const s = await t.agent.recording.lifecycle.checkDisk();
    expect(s.level).toBe('stop');
    expect(s.recordingStopped).toBe(true);
    const db = await t.agent.ami.action('DBGet', { Family: 'seatbox-recording', Key: 'stopped' }).catch((e: Error) => e);
    expect(db).not.toBeInstanceOf(Error);
    const before = rows().length;
    const from = events.length;
    const r1 = await (await call('8001', '8004', 1500)).done;
    expect(r1.code, describeRun(r1)).toBe(0);
    await waitFor('skipped event', () => events.slice(from).find((e) => e.get('UserEvent') === 'SeatBoxRecording' && e.get('Phase') === 'skipped'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(rows().length).toBe(before);
    expect(t.frames.some((f) => f.type === 'alarm' && f.data.source === 'recording.disk' && f.data.severity === 'critical')).toBe(true);

    disk.freeBytes = 60 * GB;
    const back = await t.agent.recording.lifecycle.checkDisk();
    expect(back.level).toBe('ok');
    expect(back.recordingStopped).toBe(false);
    const r2 = await (await call('8001', '8004', 1500)).done;
    expect(r2.code, describeRun(r2)).toBe(0);
    await waitFor('a new recording', () => rows().length === before + 1 && rows().at(-1)!.state === 'complete', 15_000);
    cleanSipp(r1);
    cleanSipp(r2);
    await callee.stop();
  }, 60_000);

  it('keeps the rows across an agent restart and adopts a file written while it was down', async () => {
    const before = rows();
    const orphanRel = '2026/01/02/1767312000.1-1767312000.2.wav';
    const orphan = join(root(), orphanRel);
    const src = join(root(), before[0]!.path);
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(join(root(), '2026/01/02'), { recursive: true });
    copyFileSync(src, orphan);
    await t.restart();
    const after = await waitFor('adopted orphan', () => {
      const r = rows();
      return r.find((x) => x.path === orphanRel && x.state === 'complete') ? r : undefined;
    }, 20_000);
    expect(after.length).toBe(before.length + 1);
    for (const b of before) expect(after.find((a) => a.id === b.id)?.sha256).toBe(b.sha256);
    expect(after.find((x) => x.path === orphanRel)!.duration_ms).toBe(before[0]!.duration_ms);
  }, 60_000);
});
