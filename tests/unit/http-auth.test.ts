import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';

let dir: string;
let db: Db;
let app: App;
let users: UserStore;
let audit: AuditLog;

function cookieJar() {
  const jar = new Map<string, string>();
  return {
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    take(res: { headers: Record<string, unknown> }) {
      const set = res.headers['set-cookie'];
      for (const c of ([] as string[]).concat((set as string[] | string | undefined) ?? [])) {
        const [pair] = c.split(';');
        const i = pair!.indexOf('=');
        const name = pair!.slice(0, i);
        const value = pair!.slice(i + 1);
        if (value === '' || /Expires=Thu, 01 Jan 1970/.test(c)) jar.delete(name);
        else jar.set(name, value);
      }
    },
  };
}

async function client() {
  const jar = cookieJar();
  const csrf = async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie: jar.header() } });
    jar.take(r);
    return (r.json() as { token: string }).token;
  };
  const post = async (url: string, payload: unknown, token?: string) => {
    const r = await app.inject({ method: 'POST', url, payload: payload as object, headers: { cookie: jar.header(), ...(token ? { 'x-csrf-token': token } : {}) } });
    jar.take(r);
    return r;
  };
  const get = async (url: string) => app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  return { jar, csrf, post, get };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-http-'));
  db = openDatabase(dir);
  users = new UserStore(db);
  audit = new AuditLog(db);
  const status = () => ({
    product: 'SeatBox' as const, version: '0.0.0', agentUptimeSeconds: 1, rssBytes: 1, demo: false,
    asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null },
  });
  app = await buildServer({
    users, sessions: new SessionStore(db), audit, throttle: new LoginThrottle(3, 60_000),
    health: () => ({ status: 'degraded', version: '0.0.0', uptime: 1, db: { ok: true, schemaVersion: 1, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
    status, calls: () => [], live: new LiveFeed(), cookieSecret: 'x'.repeat(32), logger: silentLogger(), loginRateLimit: 100,
  });
});
afterEach(async () => {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('first run and login', () => {
  it('needs setup until the admin exists; setup cannot run twice', async () => {
    const c = await client();
    expect((await c.get('/api/v1/setup/status')).json()).toEqual({ needsSetup: true });
    const token = await c.csrf();
    const r = await c.post('/api/v1/setup', { username: 'boss', password: 'Correct-Horse-9', displayName: '王经理' }, token);
    expect(r.statusCode).toBe(200);
    expect(r.json().user).toMatchObject({ username: 'boss', displayName: '王经理', roles: ['admin'], language: 'zh-CN' });
    expect((await c.get('/api/v1/setup/status')).json()).toEqual({ needsSetup: false });
    // The setup response logged the admin in.
    expect((await c.get('/api/v1/auth/me')).json().user.username).toBe('boss');
    const again = await c.post('/api/v1/setup', { username: 'eve', password: 'Another-Pass-77' }, await c.csrf());
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('setup_done');
    expect(audit.recent().map((a) => a.action)).toContain('setup.admin_created');
  });

  it('stores argon2id hashes, never the password', async () => {
    const c = await client();
    await c.post('/api/v1/setup', { username: 'boss', password: 'Correct-Horse-9' }, await c.csrf());
    const row = db.prepare('SELECT password_hash FROM users').get() as { password_hash: string };
    expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(await argon2.verify(row.password_hash, 'Correct-Horse-9')).toBe(true);
  });

  it('refuses weak passwords and bad usernames with the field named', async () => {
    const c = await client();
    const t = await c.csrf();
    const weak = await c.post('/api/v1/setup', { username: 'boss', password: '1234567890' }, t);
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: 'weak_password', field: 'password' });
    const short = await c.post('/api/v1/setup', { username: 'boss', password: 'short' }, t);
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ error: 'validation', field: 'password' });
    const badName = await c.post('/api/v1/setup', { username: 'a b', password: 'Correct-Horse-9' }, t);
    expect(badName.statusCode).toBe(400);
    expect(badName.json().field).toBe('username');
    expect(users.count()).toBe(0);
  });

  it('rejects state-changing requests without a CSRF token', async () => {
    const c = await client();
    const r = await c.post('/api/v1/setup', { username: 'boss', password: 'Correct-Horse-9' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toBe('csrf');
    const forged = await c.post('/api/v1/setup', { username: 'boss', password: 'Correct-Horse-9' }, 'forged-token');
    expect(forged.statusCode).toBe(403);
    expect(users.count()).toBe(0);
  });

  it('logs in and out; wrong passwords are refused and then throttled per account', async () => {
    await users.createFirstAdmin({ username: 'boss', password: 'Correct-Horse-9' });
    const c = await client();
    const t = await c.csrf();
    for (let i = 0; i < 3; i++) {
      const bad = await c.post('/api/v1/auth/login', { username: 'boss', password: 'wrong-password' }, t);
      expect(bad.statusCode).toBe(401);
      expect(bad.json().error).toBe('invalid_credentials');
    }
    const locked = await c.post('/api/v1/auth/login', { username: 'boss', password: 'Correct-Horse-9' }, t);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(audit.recent().filter((a) => a.action === 'auth.login_failed')).toHaveLength(3);
  });

  it('a session cookie opens /auth/me and /system/status; logout closes them', async () => {
    await users.createFirstAdmin({ username: 'boss', password: 'Correct-Horse-9' });
    const c = await client();
    expect((await c.get('/api/v1/system/status')).statusCode).toBe(401);
    const ok = await c.post('/api/v1/auth/login', { username: 'boss', password: 'Correct-Horse-9' }, await c.csrf());
    expect(ok.statusCode).toBe(200);
    const cookie = ok.headers['set-cookie'];
    expect(String(cookie)).toMatch(/seatbox_session=.*HttpOnly.*SameSite=Strict/i);
    expect((await c.get('/api/v1/system/status')).json().product).toBe('SeatBox');
    await c.post('/api/v1/auth/logout', {}, await c.csrf());
    expect((await c.get('/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('limits login attempts per address (HTTP rate limit)', async () => {
    await app.close();
    app = await buildServer({
      users, sessions: new SessionStore(db), audit, throttle: new LoginThrottle(1000, 60_000),
      health: () => { throw new Error('unused'); }, status: () => { throw new Error('unused'); }, calls: () => [],
      live: new LiveFeed(), cookieSecret: 'y'.repeat(32), logger: silentLogger(), loginRateLimit: 4,
    });
    const c = await client();
    const t = await c.csrf();
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await c.post('/api/v1/auth/login', { username: `u${i}`, password: 'whatever-pass' }, t)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

describe('health and OpenAPI', () => {
  it('health needs no login and has the documented shape', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'degraded', db: { ok: true }, asterisk: { connected: false } });
  });

  it('openapi.json lists every route with a schema', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.openapi).toBe('3.0.3');
    for (const p of ['/api/v1/health', '/api/v1/auth/login', '/api/v1/setup', '/api/v1/system/status', '/api/v1/live']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/api/v1/auth/login'].post.requestBody).toBeDefined();
  });

  it('unknown API routes answer JSON 404', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toBe('not_found');
  });
});

describe('profile', () => {
  it('PATCH /auth/me saves the language on the server (CSRF and login required)', async () => {
    await users.createFirstAdmin({ username: 'boss', password: 'Correct-Horse-9' });
    const c = await client();
    const t = await c.csrf();
    const anon = await app.inject({ method: 'PATCH', url: '/api/v1/auth/me', payload: { language: 'en' }, headers: { cookie: c.jar.header(), 'x-csrf-token': t } });
    expect(anon.statusCode).toBe(401);
    await c.post('/api/v1/auth/login', { username: 'boss', password: 'Correct-Horse-9' }, t);
    const t2 = await c.csrf();
    const bad = await app.inject({ method: 'PATCH', url: '/api/v1/auth/me', payload: { language: 'fr' }, headers: { cookie: c.jar.header(), 'x-csrf-token': t2 } });
    expect(bad.statusCode).toBe(400);
    const ok = await app.inject({ method: 'PATCH', url: '/api/v1/auth/me', payload: { language: 'en' }, headers: { cookie: c.jar.header(), 'x-csrf-token': t2 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.language).toBe('en');
    expect(users.byId(ok.json().user.id)?.language).toBe('en');
    expect(audit.recent()[0]?.action).toBe('user.profile_changed');
  });
});
