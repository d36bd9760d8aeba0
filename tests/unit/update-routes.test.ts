// System → Update and System → Backup over HTTP: admin only, CSRF, audited; a badly signed
// upload is refused (400) without touching the slot; install answers 202 and switches GRUB.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { createSystemServices } from '../../firmware-agent/src/system/backup/wiring.js';
import { makeBundle } from '../../firmware-agent/src/system/update/bundle.js';
import { formatGrubEnv, readGrubEnv } from '../../firmware-agent/src/system/update/grubenv.js';
import type { SlotLayout } from '../../firmware-agent/src/system/update/slots.js';

const keys = generateKeyPairSync('ed25519');
let dir: string;
let db: Db;
let app: App;
let audit: AuditLog;
let layout: SlotLayout;
let reboots: number;
let restarts: number;
let live: LiveFeed;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-update-http-'));
  db = openDatabase(join(dir, 'data'));
  audit = new AuditLog(db);
  const users = new UserStore(db);
  await users.createFirstAdmin({ username: 'admin', password: 'Boss-Passw0rd-x' });
  await users.create({ username: 'lead', password: 'Team-Passw0rd-y', roles: ['team_lead'] });
  layout = { cmdlinePath: join(dir, 'cmdline'), grubenvPath: join(dir, 'grubenv'), devices: { a: join(dir, 'a'), b: join(dir, 'b') } };
  writeFileSync(layout.cmdlinePath, 'seatbox.slot=a quiet\n');
  writeFileSync(layout.grubenvPath, formatGrubEnv({ boot_slot: 'a', prev_slot: 'a', boot_success: '1', boot_tries: '0' }));
  writeFileSync(layout.devices.a, Buffer.alloc(1 << 20, 0xaa));
  writeFileSync(layout.devices.b, Buffer.alloc(1 << 20, 0xbb));
  reboots = 0;
  restarts = 0;
  live = new LiveFeed();
  const sys = createSystemServices(
    {
      dataDir: join(dir, 'data'),
      instanceDir: join(dir, 'data', 'asterisk'),
      version: '0.1.0',
      update: { layout, publicKey: keys.publicKey, reboot: async () => void reboots++ },
      requestRestart: () => void restarts++,
      logger: silentLogger(),
    },
    db,
    new SettingsStore(db),
    audit,
    live,
  );
  app = await buildServer({
    users, sessions: new SessionStore(db), audit, throttle: new LoginThrottle(10, 60_000),
    health: () => ({ status: 'ok', version: '0.1.0', uptime: 1, db: { ok: true, schemaVersion: 1, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: true, version: '22', channels: 0 } }),
    status: () => ({ product: 'SeatBox' as const, version: '0.1.0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: true, version: '22', channels: 0, calls: 0, uptimeSeconds: 1, lastReloadError: null } }),
    calls: () => [], live, cookieSecret: 'x'.repeat(32), logger: silentLogger(), loginRateLimit: 100,
    update: sys.routes.update, backup: sys.routes.backup,
  });
});
afterEach(async () => {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function login(username: string, password: string) {
  let cookie = '';
  const take = (r: { headers: Record<string, unknown> }) => {
    for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
      const pair = c.split(';')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(pair.split('=')[0]! + '=')), pair].join('; ');
    }
  };
  const csrf = async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie } });
    take(r);
    return (r.json() as { token: string }).token;
  };
  const token = await csrf();
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { cookie, 'x-csrf-token': token } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  take(res);
  return {
    async send(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object | Buffer, contentType?: string) {
      const headers: Record<string, string> = { cookie };
      if (method !== 'GET') headers['x-csrf-token'] = await csrf();
      if (contentType) headers['content-type'] = contentType;
      return app.inject({ method, url, payload, headers });
    },
  };
}

async function bundleBytes(privateKey = keys.privateKey): Promise<Buffer> {
  const rootfs = join(dir, 'root.ext4');
  writeFileSync(rootfs, Buffer.concat([randomBytes(50_000), Buffer.alloc(200_000)]));
  const out = join(dir, `x-${Math.random()}.bundle`);
  await makeBundle({ rootfs, version: '2.0.0', privateKey, out, level: 1 });
  return readFileSync(out);
}
const actions = () => audit.recent(50).map((r) => r.action);

describe('System → Update API', () => {
  it('refuses a badly signed bundle with 400, writes nothing, audits the refusal', async () => {
    const admin = await login('admin', 'Boss-Passw0rd-x');
    const res = await admin.send('POST', '/api/v1/system/update/bundle', await bundleBytes(generateKeyPairSync('ed25519').privateKey), 'application/octet-stream');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_signature' });
    expect(actions()).toContain('system.update_refused');
    expect((await admin.send('POST', '/api/v1/system/update/install', { reboot: true })).statusCode).toBe(409);
    expect(readFileSync(layout.devices.b).equals(Buffer.alloc(1 << 20, 0xbb))).toBe(true);
  });

  it('uploads, verifies, installs into slot B and reboots; progress on the live feed', async () => {
    const frames: Array<{ type: string; data: { phase: string } }> = [];
    live.on('message', (m: { type: string; data: { phase: string } }) => frames.push(m));
    const admin = await login('admin', 'Boss-Passw0rd-x');
    const up = await admin.send('POST', '/api/v1/system/update/bundle', await bundleBytes(), 'application/octet-stream');
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ version: '2.0.0', imageBytes: 250_000 });
    const inst = await admin.send('POST', '/api/v1/system/update/install', { reboot: true });
    expect(inst.statusCode).toBe(202);
    for (let i = 0; i < 200 && reboots === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(reboots).toBe(1);
    expect(readGrubEnv(layout.grubenvPath)).toMatchObject({ boot_slot: 'b', boot_success: '0', boot_tries: '1', prev_slot: 'a' });
    const st = (await admin.send('GET', '/api/v1/system/update')).json();
    expect(st).toMatchObject({ slot: 'a', pendingSlot: 'b', state: { phase: 'rebooting', version: '2.0.0' } });
    expect(frames.filter((f) => f.type === 'update.progress').map((f) => f.data.phase)).toEqual(expect.arrayContaining(['receiving', 'verified', 'writing', 'rebooting']));
    expect(actions()).toEqual(expect.arrayContaining(['system.update_uploaded', 'system.update_install_started', 'system.update_installed']));
  });

  it('is for admins only', async () => {
    const lead = await login('lead', 'Team-Passw0rd-y');
    expect((await lead.send('GET', '/api/v1/system/update')).statusCode).toBe(403);
    expect((await lead.send('POST', '/api/v1/system/update/bundle', await bundleBytes(), 'application/octet-stream')).statusCode).toBe(403);
    expect((await lead.send('GET', '/api/v1/system/backups')).statusCode).toBe(403);
    expect(readFileSync(layout.devices.b).equals(Buffer.alloc(1 << 20, 0xbb))).toBe(true);
  });
});

describe('System → Backup API', () => {
  it('backs up, lists, refuses a wrong confirmation, stages a restore and restarts', async () => {
    const admin = await login('admin', 'Boss-Passw0rd-x');
    const made = await admin.send('POST', '/api/v1/system/backups', {});
    expect(made.statusCode).toBe(200);
    const id = (made.json() as { id: string }).id;
    const list = (await admin.send('GET', '/api/v1/system/backups')).json() as { backups: Array<{ id: string }>; config: { keep: number } };
    expect(list.backups.map((b) => b.id)).toEqual([id]);
    expect(list.config.keep).toBe(7);
    const wrong = await admin.send('POST', `/api/v1/system/backups/${id}/restore`, { confirm: 'yes' });
    expect(wrong.statusCode).toBe(400);
    expect(restarts).toBe(0);
    const ok = await admin.send('POST', `/api/v1/system/backups/${id}/restore`, { confirm: id });
    expect(ok.statusCode).toBe(202);
    expect(restarts).toBe(1);
    expect(actions()).toEqual(expect.arrayContaining(['system.backup_created', 'system.restore_requested', 'system.restore_refused']));
    const bad = await admin.send('PUT', '/api/v1/system/backups/config', { target: join(dir, 'usb'), keep: 3, schedule: 'nightly', includeRecordings: false });
    expect(bad.statusCode).toBe(400);
    const good = await admin.send('PUT', '/api/v1/system/backups/config', { target: join(dir, 'usb'), keep: 3, schedule: '0 3 * * *', includeRecordings: false });
    expect(good.json()).toMatchObject({ keep: 3, schedule: '0 3 * * *' });
  });
});
