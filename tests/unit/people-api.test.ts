// People API on a real SQLite file: users administration (roles, disable, reset, delete,
// last admin), grades / joining date / line, career path with promotion records, ratios.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { PeopleService } from '../../firmware-agent/src/people/people-service.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';

let dir: string;
let db: Db;
let app: App;
let users: UserStore;

const PW = 'Long-Enough-Pw-1';

/** A logged-in client (real login through the API, CSRF included). */
async function login(username: string, password = PW) {
  let cookie = '';
  const take = (r: { headers: Record<string, unknown> }) => {
    for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
  };
  const csrfOf = async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie } });
    take(r);
    return (r.json() as { token: string }).token;
  };
  let token = await csrfOf();
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { cookie, 'x-csrf-token': token } });
  take(res);
  token = await csrfOf();
  const call = async (method: string, url: string, payload?: unknown) => {
    const r = await app.inject({ method: method as 'GET', url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}), headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
    take(r);
    return { status: r.statusCode, body: r.json() as any };
  };
  return { loginStatus: res.statusCode, call };
}

async function mkUser(username: string, roles: Role[]) {
  return users.create({ username, password: PW, roles });
}

function addAgent(number: string, userId: number | null, line: 'service' | 'telesales' = 'telesales', active = 1): number {
  return Number(db.prepare('INSERT INTO agents (number, name, user_id, line, active) VALUES (?, ?, ?, ?, ?)').run(number, `Agent ${number}`, userId, line, active).lastInsertRowid);
}

function auditActions(): string[] {
  return (db.prepare('SELECT action FROM audit_log ORDER BY id').all() as { action: string }[]).map((r) => r.action);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-people-'));
  db = openDatabase(dir);
  users = new UserStore(db);
  const audit = new AuditLog(db);
  app = await buildServer({
    users, sessions: new SessionStore(db), audit, throttle: new LoginThrottle(100, 60_000),
    health: () => ({ status: 'degraded', version: '0.0.0', uptime: 1, db: { ok: true, schemaVersion: 1, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
    status: () => ({ product: 'SeatBox' as const, version: '0.0.0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null } }),
    calls: () => [], live: new LiveFeed(), cookieSecret: 'x'.repeat(32), logger: silentLogger(), loginRateLimit: 1000,
    people: new PeopleService({ db, users, audit, settings: new SettingsStore(db), now: () => new Date('2026-03-02T02:00:00Z') }),
  });
  await mkUser('root', ['admin']);
});
afterEach(async () => {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('users administration', () => {
  it('admin creates a user who can log in; weak passwords and taken names are refused with the field', async () => {
    const a = await login('root');
    const r = await a.call('POST', '/users', { username: 'li.lei', displayName: '李雷', roles: ['agent'], password: PW });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'li.lei', displayName: '李雷', roles: ['agent'], disabled: false });
    expect((await login('li.lei')).loginStatus).toBe(200);
    const weak = await a.call('POST', '/users', { username: 'han', roles: ['agent'], password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ error: 'weak_password', field: 'password' });
    const taken = await a.call('POST', '/users', { username: 'LI.LEI', roles: ['agent'], password: PW });
    expect(taken.body.error).toBe('username_taken');
    const noRole = await a.call('POST', '/users', { username: 'norole', roles: [], password: PW });
    expect(noRole.status).toBe(400);
    expect(auditActions()).toContain('user.created');
    const list = await a.call('GET', '/users');
    expect(list.body.users.map((u: { username: string }) => u.username)).toEqual(['li.lei', 'root']);
  });

  it('a manager manages non-admin users but cannot grant or touch admin / technician', async () => {
    await mkUser('boss', ['manager']);
    const tech = await mkUser('tech', ['technician']);
    const m = await login('boss');
    expect((await m.call('POST', '/users', { username: 'lead1', roles: ['team_lead'], password: PW })).status).toBe(200);
    const grant = await m.call('POST', '/users', { username: 'evil', roles: ['admin'], password: PW });
    expect(grant.status).toBe(403);
    expect(grant.body.message).toMatch(/only an admin/);
    expect((await m.call('PUT', `/users/${tech.id}/disabled`, { disabled: true })).status).toBe(403);
    expect((await m.call('POST', `/users/${tech.id}/reset-password`)).status).toBe(403);
    // A team lead cannot manage users at all.
    const l = await login('lead1');
    expect((await l.call('GET', '/users')).status).toBe(403);
  });

  it('nobody can remove, disable or delete the last admin', async () => {
    const a = await login('root');
    const rootId = users.byId(1)!.id;
    const other = await mkUser('admin2', ['admin']);
    const demote = await a.call('PUT', `/users/${other.id}/roles`, { roles: ['manager'] });
    expect(demote.status).toBe(200);
    const last = await a.call('PUT', `/users/${rootId}/roles`, { roles: ['manager'] });
    expect(last.status).toBe(400);
    expect(last.body.error).toBe('last_admin');
    const self = await a.call('PUT', `/users/${rootId}/disabled`, { disabled: true });
    expect(self.status).toBe(400);
    // admin2 (now a manager) cannot touch the admin either.
    const m = await login('admin2');
    expect((await m.call('DELETE', `/users/${rootId}`)).status).toBe(403);
    expect(users.byId(rootId)!.roles).toEqual(['admin']);
  });

  it('disable ends sessions and blocks login; enable restores it', async () => {
    const u = await mkUser('zhang', ['agent']);
    const z = await login('zhang');
    expect((await z.call('GET', '/auth/me')).status).toBe(200);
    const a = await login('root');
    expect((await a.call('PUT', `/users/${u.id}/disabled`, { disabled: true })).body.user.disabled).toBe(true);
    expect((await z.call('GET', '/auth/me')).status).toBe(401);
    expect((await login('zhang')).loginStatus).toBe(401);
    await a.call('PUT', `/users/${u.id}/disabled`, { disabled: false });
    expect((await login('zhang')).loginStatus).toBe(200);
    expect(auditActions()).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
  });

  it('reset password: the new one works once shown, the old one not, and the flag is set', async () => {
    const u = await mkUser('wang', ['qa']);
    const a = await login('root');
    const r = await a.call('POST', `/users/${u.id}/reset-password`);
    expect(r.status).toBe(200);
    expect(r.body.password).toMatch(/^.{14}$/);
    expect(r.body.user.mustChangePassword).toBe(true);
    expect((await login('wang')).loginStatus).toBe(401);
    expect((await login('wang', r.body.password)).loginStatus).toBe(200);
    const row = db.prepare('SELECT detail FROM audit_log WHERE action = ?').get('user.password_reset') as { detail: string | null };
    expect(row.detail ?? '').not.toContain(r.body.password);
  });

  it('delete works only without history; otherwise the answer says to disable', async () => {
    const fresh = await mkUser('fresh', ['agent']);
    const used = await mkUser('used', ['agent']);
    await login('used'); // a login is history (audit row)
    const a = await login('root');
    expect((await a.call('DELETE', `/users/${fresh.id}`)).status).toBe(200);
    expect(db.prepare('SELECT 1 FROM users WHERE id = ?').get(fresh.id)).toBeUndefined();
    const r = await a.call('DELETE', `/users/${used.id}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'has_history' });
    expect(r.body.message).toMatch(/disable/);
    expect((await a.call('DELETE', '/users/999')).status).toBe(404);
  });
});

describe('people records and careers', () => {
  it('grade, line and joining date are set and validated; joined_at is backfilled', async () => {
    const id = addAgent('801', null);
    const a = await login('root');
    const people = await a.call('GET', '/people');
    expect(people.body.people[0]).toMatchObject({ agentId: id, grade: 'junior', line: 'telesales' });
    expect(people.body.people[0].joinedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const ok = await a.call('PATCH', `/people/${id}`, { grade: 'senior', line: 'service', joinedAt: '2024-05-06' });
    expect(ok.body.person).toMatchObject({ grade: 'senior', line: 'service', joinedAt: '2024-05-06' });
    expect((await a.call('PATCH', `/people/${id}`, { grade: 'expert' })).status).toBe(400);
    const future = await a.call('PATCH', `/people/${id}`, { joinedAt: '2027-01-01' });
    expect(future.body).toMatchObject({ error: 'invalid_input', field: 'joinedAt' });
    expect((await a.call('PATCH', `/people/${id}`, { joinedAt: '2024-02-30' })).body.field).toBe('joinedAt');
  });

  it('career path: allowed moves make promotion records, refused moves say what is allowed', async () => {
    const u = await mkUser('chen', ['agent']);
    const a = await login('root');
    expect((await a.call('POST', `/users/${u.id}/promotions`, { to: 'agent' })).body.error).toBe('no_stage');
    expect((await a.call('PUT', `/users/${u.id}/stage`, { stage: 'trainee' })).body.user.stage).toBe('trainee');
    const skip = await a.call('POST', `/users/${u.id}/promotions`, { to: 'team_lead' });
    expect(skip.status).toBe(400);
    expect(skip.body.error).toBe('move_not_allowed');
    expect(skip.body.message).toContain('trainee may move to: agent');
    for (const to of ['agent', 'supervisor', 'team_lead', 'manager']) {
      const r = await a.call('POST', `/users/${u.id}/promotions`, { to, at: '2026-01-0' + (to.length % 9 + 1), note: `to ${to}` });
      expect(r.status, to).toBe(200);
    }
    const end = await a.call('POST', `/users/${u.id}/promotions`, { to: 'qa' });
    expect(end.body.message).toContain('nothing further');
    const hist = await a.call('GET', `/users/${u.id}/promotions`);
    expect(hist.body.promotions.map((p: { from: string; to: string }) => `${p.from}>${p.to}`).sort()).toEqual(
      ['trainee>agent', 'agent>supervisor', 'supervisor>team_lead', 'team_lead>manager'].sort(),
    );
    expect(hist.body.promotions[0].byUsername).toBe('root');
    const q = await mkUser('qa1', ['qa']);
    await a.call('PUT', `/users/${q.id}/stage`, { stage: 'qa' });
    expect((await a.call('POST', `/users/${q.id}/promotions`, { to: 'trainer' })).status).toBe(200);
    expect((await a.call('POST', `/users/${q.id}/promotions`, { to: 'qa' })).status).toBe(200);
    expect((await a.call('POST', `/users/${q.id}/promotions`, { to: 'manager' })).body.error).toBe('move_not_allowed');
    expect(auditActions().filter((x) => x === 'people.promoted')).toHaveLength(6);
  });
});

describe('ratios', () => {
  it('warns when a ratio slips past its limit, counting only active people; limits are configurable', async () => {
    const lead = await mkUser('lead', ['team_lead']);
    await mkUser('qa', ['qa']);
    for (let i = 0; i < 10; i++) addAgent(String(900 + i), null, 'service');
    for (let i = 0; i < 5; i++) addAgent(String(950 + i), null, 'telesales');
    addAgent('999', null, 'telesales', 0); // inactive: not counted
    const a = await login('root');
    const byKey = async () => Object.fromEntries(((await a.call('GET', '/people/ratios')).body.ratios as { key: string }[]).map((r) => [r.key, r])) as Record<string, any>;
    let r = await byKey();
    expect(r.leadToService).toMatchObject({ per: 1, counted: 10, limit: 10, actual: 10, warning: false });
    expect(r.leadToTelesales).toMatchObject({ per: 1, counted: 5, limit: 5, warning: false });
    expect(r.qaToLeads).toMatchObject({ per: 1, counted: 1, warning: false });
    // No trainer at all while there is a lead: nobody covers them.
    expect(r.trainerToLeads).toMatchObject({ per: 0, counted: 1, actual: null, warning: true });
    addAgent('960', null, 'telesales');
    r = await byKey();
    expect(r.leadToTelesales).toMatchObject({ counted: 6, actual: 6, warning: true });
    expect((await a.call('PUT', '/people/ratio-limits', { leadToTelesales: 6 })).body.limits.leadToTelesales).toBe(6);
    expect((await byKey()).leadToTelesales.warning).toBe(false);
    expect((await a.call('PUT', '/people/ratio-limits', { leadToTelesales: 0 })).status).toBe(400);
    // Disabling the only lead: every agent is uncovered.
    await a.call('PUT', `/users/${lead.id}/disabled`, { disabled: true });
    expect((await byKey()).leadToService).toMatchObject({ per: 0, warning: true });
  });
});
