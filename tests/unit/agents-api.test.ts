// The agents API through fastify inject: CRUD and validation errors, roles (an agent acts on
// themself, team leads on anyone), forced actions audited, pause reasons, wrap-up setting,
// /seats/live and the history of intervals.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentsModule } from '../../firmware-agent/src/agents/agents-module.js';
import { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { assertHistoryExact, cleanupDbs, FakeClock, tempDb } from './agents-support.js';

let db: Db;
let app: App;
let users: UserStore;
let mod: AgentsModule;
let clock: FakeClock;

class IdleAmi extends EventEmitter {
  connected = false;
  asteriskVersion = undefined;
  async action() {
    return new AmiMessage([['Response', 'Success']]);
  }
}

async function client(username: string, roles: Role[]) {
  const password = 'Quiet-Harbor-4821';
  const user = await users.create({ username, password, roles });
  let cookie = '';
  const take = (r: { headers: Record<string, unknown> }) => {
    for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
  };
  const r0 = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf' });
  take(r0);
  let token = (r0.json() as { token: string }).token;
  take(await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { cookie, 'x-csrf-token': token } }));
  const r1 = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie } });
  take(r1);
  token = (r1.json() as { token: string }).token;
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const r = await app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
    return { status: r.statusCode, body: r.body ? (r.json() as any) : undefined };
  };
  return { user, call };
}

beforeEach(async () => {
  db = tempDb();
  clock = new FakeClock();
  users = new UserStore(db);
  const audit = new AuditLog(db);
  const live = new LiveFeed();
  mod = new AgentsModule({
    db,
    ami: new IdleAmi() as never,
    settings: new SettingsStore(db),
    audit,
    live,
    seats: { list: () => ['8001', '8002', '8003'].map((extension) => ({ extension, kind: 'sip' as const, registered: true })) },
    logger: silentLogger(),
    clock,
  });
  await mod.start();
  app = await buildServer({
    users,
    sessions: new SessionStore(db),
    audit,
    throttle: new LoginThrottle(),
    health: () => ({ status: 'ok', version: '0', uptime: 1, db: { ok: true, schemaVersion: 3, sizeBytes: 0, journalMode: 'wal' }, asterisk: { connected: false, version: null, channels: 0 } }),
    status: () => ({ product: 'SeatBox', version: '0', agentUptimeSeconds: 1, rssBytes: 1, demo: false, asterisk: { connected: false, version: null, channels: 0, calls: 0, uptimeSeconds: null, lastReloadError: null } }),
    calls: () => [],
    live,
    agents: mod,
    cookieSecret: 'y'.repeat(32),
    logger: silentLogger(),
    loginRateLimit: 1000,
  });
});
afterEach(async () => {
  await app.close();
  await mod.stop();
  assertHistoryExact(db);
  db.close();
  cleanupDbs();
});

describe('agents API', () => {
  it('managers create, change and delete agents; bad input says which field and why; agents cannot administer', async () => {
    const m = await client('manager1', ['manager']);
    const ag = await client('agent1', ['agent']);
    const created = await m.call('POST', '/agents', { number: '1001', name: '张三', pin: '1234', userId: ag.user.id, level: 3, team: 'A 组' });
    expect(created.status).toBe(200);
    expect(created.body.agent).toMatchObject({ number: '1001', name: '张三', hasPin: true, userId: ag.user.id, level: 3, team: 'A 组', active: true, live: null, wrapUpSeconds: null });
    expect(JSON.stringify(created.body)).not.toMatch(/pin_hash|sha1|salt|\$argon2/);

    expect(await m.call('POST', '/agents', { number: '1001', name: 'Dup' })).toMatchObject({ status: 400, body: { error: 'number_taken', field: 'number' } });
    expect(await m.call('POST', '/agents', { number: '12', name: 'Short' })).toMatchObject({ status: 400, body: { error: 'validation', field: 'number' } });
    expect(await m.call('POST', '/agents', { number: '1005', name: 'P', pin: '12a4' })).toMatchObject({ status: 400, body: { field: 'pin' } });
    expect(await m.call('POST', '/agents', { number: '1006', name: 'U', userId: ag.user.id })).toMatchObject({ status: 400, body: { error: 'user_taken', field: 'userId' } });
    expect(await m.call('POST', '/agents', { number: '1007', name: 'W', wrapUpSeconds: 4000 })).toMatchObject({ status: 400, body: { field: 'wrapUpSeconds' } });
    expect((await m.call('GET', '/agents')).body.agents).toHaveLength(1);

    const id = created.body.agent.id as number;
    expect((await m.call('PATCH', `/agents/${id}`, { name: '张三丰', wrapUpSeconds: 30 })).body.agent).toMatchObject({ name: '张三丰', wrapUpSeconds: 30 });
    expect(await ag.call('POST', '/agents', { number: '1009', name: 'X' })).toMatchObject({ status: 403 });
    expect(await ag.call('GET', '/agents')).toMatchObject({ status: 403 });
    expect((await ag.call('GET', '/agents/me')).body.agent.id).toBe(id);

    const reset = await m.call('POST', `/agents/${id}/pin/reset`);
    expect(reset.body.pin).toMatch(/^[0-9]{6}$/);
    expect(await mod.store.verifyPin(id, reset.body.pin)).toBe(true);
    expect((await ag.call('PUT', `/agents/${id}/pin`, { pin: '8642' })).status).toBe(200);
    expect(await mod.store.verifyPin(id, '8642')).toBe(true);

    const other = (await m.call('POST', '/agents', { number: '1002', name: '李四' })).body.agent.id as number;
    expect(await ag.call('PUT', `/agents/${other}/pin`, { pin: '8642' })).toMatchObject({ status: 403 });
    expect((await m.call('DELETE', `/agents/${other}`)).status).toBe(200);
    expect(await m.call('DELETE', `/agents/${other}`)).toMatchObject({ status: 404, body: { error: 'agent_not_found' } });

    const actions = new AuditLog(db).recent(50).map((r) => r.action);
    for (const a of ['agent.created', 'agent.updated', 'agent.pin_reset', 'agent.pin_set', 'agent.deleted']) expect(actions).toContain(a);
  });

  it('an agent logs in, pauses, gets ready and logs out; a team lead forces; everything shows on /seats/live and in the history', async () => {
    const m = await client('manager1', ['manager']);
    const ag = await client('agent1', ['agent']);
    const lead = await client('lead1', ['team_lead']);
    const id = (await m.call('POST', '/agents', { number: '1001', name: '张三', userId: ag.user.id })).body.agent.id as number;
    const other = (await m.call('POST', '/agents', { number: '1002', name: '李四' })).body.agent.id as number;
    const t0 = clock.now();

    expect(await ag.call('POST', `/agents/${id}/login`, { seat: '8999' })).toMatchObject({ status: 404, body: { error: 'unknown_seat' } });
    const li = await ag.call('POST', `/agents/${id}/login`, { seat: '8001' });
    expect(li.body).toMatchObject({ effect: 'now', agent: { live: { seat: '8001', state: 'ready' } } });
    expect(await ag.call('POST', `/agents/${other}/login`, { seat: '8002' })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    clock.advance(10_000);
    expect(await ag.call('POST', `/agents/${id}/pause`, { reasonCode: '9' })).toMatchObject({ status: 400, body: { error: 'unknown_reason' } });
    expect((await ag.call('POST', `/agents/${id}/pause`, { reasonCode: '2' })).body.agent.live).toMatchObject({ state: 'paused', pauseReason: '2' });
    const seats = (await ag.call('GET', '/seats/live')).body as Array<Record<string, unknown>>;
    expect(seats.map((s) => [s.extension, s.state])).toEqual([['8001', 'paused'], ['8002', 'logged_out'], ['8003', 'logged_out']]);
    expect(seats[0]).toMatchObject({ agent: { id, number: '1001', name: '张三' }, pauseReason: '2', since: new Date(t0 + 10_000).toISOString() });

    // Taking the seat: refused without force; the lead forces (audited), the agent sees it.
    expect(await lead.call('POST', `/agents/${other}/login`, { seat: '8001' })).toMatchObject({ status: 409, body: { error: 'seat_taken' } });
    expect(await ag.call('POST', `/agents/${id}/login`, { seat: '8002', force: true })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(await ag.call('POST', `/agents/${id}/login`, { seat: '8001' })).toMatchObject({ status: 200 }); // where one is already: no change
    clock.advance(5000);
    expect((await lead.call('POST', `/agents/${other}/login`, { seat: '8001', force: true })).body.agent.live.seat).toBe('8001');
    expect((await ag.call('GET', '/agents/me')).body.agent.live).toBeNull();
    clock.advance(5000);
    expect((await lead.call('POST', `/agents/${other}/ready`)).status).toBe(200);
    expect((await lead.call('POST', `/agents/${other}/logout`)).body.agent.live).toBeNull();
    expect(await lead.call('POST', `/agents/${other}/logout`)).toMatchObject({ status: 409, body: { error: 'not_logged_in' } });
    const actions = new AuditLog(db).recent(20).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.displaced', 'agent.forced_login', 'agent.forced_ready', 'agent.forced_logout']));

    const h = await ag.call('GET', `/agents/${id}/history?from=${encodeURIComponent(new Date(t0 - 1000).toISOString())}&to=${encodeURIComponent(new Date(t0 + 60_000).toISOString())}`);
    expect(h.body.sessions).toMatchObject([{ seat: '8001', loginSource: 'ui', logoutReason: 'displaced' }]);
    expect(h.body.intervals.map((i: any) => [i.state, i.reason, i.startAt, i.endAt])).toEqual([
      ['ready', null, new Date(t0).toISOString(), new Date(t0 + 10_000).toISOString()],
      ['paused', '2', new Date(t0 + 10_000).toISOString(), new Date(t0 + 15_000).toISOString()],
    ]);
    expect(await ag.call('GET', `/agents/${id}/history?from=yesterday`)).toMatchObject({ status: 400, body: { message: expect.stringMatching(/querystring.from/) } });
    expect(await ag.call('GET', `/agents/${other}/history`)).toMatchObject({ status: 403 });
  });

  it('pause reasons and the wrap-up setting: managers change them (audited), everyone reads them', async () => {
    const m = await client('manager1', ['manager']);
    const ag = await client('agent1', ['agent']);
    expect((await ag.call('GET', '/pause-reasons')).body.reasons.map((r: any) => [r.code, r.labelZh, r.labelEn])).toEqual([
      ['1', '小休', 'Short break'],
      ['2', '用餐', 'Meal'],
      ['3', '培训', 'Training'],
      ['4', '会议', 'Meeting'],
      ['5', '后台工作', 'Back-office work'],
    ]);
    expect((await m.call('POST', '/pause-reasons', { code: '6', labelZh: '如厕', labelEn: 'Restroom' })).status).toBe(200);
    expect(await m.call('POST', '/pause-reasons', { code: '6', labelZh: 'x', labelEn: 'y' })).toMatchObject({ status: 400, body: { error: 'code_taken', field: 'code' } });
    expect(await m.call('POST', '/pause-reasons', { code: '12', labelZh: 'x', labelEn: 'y' })).toMatchObject({ status: 400, body: { field: 'code' } });
    expect((await m.call('PATCH', '/pause-reasons/6', { labelEn: 'Bathroom', active: false })).body).toMatchObject({ code: '6', labelEn: 'Bathroom', active: false });
    expect(await ag.call('PATCH', '/pause-reasons/6', { labelEn: 'x' })).toMatchObject({ status: 403 });
    expect((await m.call('DELETE', '/pause-reasons/6')).status).toBe(200);
    expect(await m.call('DELETE', '/pause-reasons/6')).toMatchObject({ status: 404 });

    expect((await ag.call('GET', '/agent-settings')).body).toEqual({ wrapUpSeconds: 15 });
    expect(await m.call('PUT', '/agent-settings', { wrapUpSeconds: -1 })).toMatchObject({ status: 400, body: { field: 'wrapUpSeconds' } });
    expect((await m.call('PUT', '/agent-settings', { wrapUpSeconds: 30 })).body).toEqual({ wrapUpSeconds: 30 });
    const actions = new AuditLog(db).recent(20).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['pause_reason.created', 'pause_reason.updated', 'pause_reason.deleted', 'agent_settings.updated']));
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/agents', '/api/v1/agents/{id}/login', '/api/v1/agents/{id}/history', '/api/v1/seats/live', '/api/v1/pause-reasons/{code}', '/api/v1/agent-settings']) expect(Object.keys(doc.paths)).toContain(p);
  });

  it('a reason or agent with history cannot be deleted (deactivate instead); deactivating logs the agent out', async () => {
    const m = await client('manager1', ['manager']);
    const id = (await m.call('POST', '/agents', { number: '1001', name: 'A' })).body.agent.id as number;
    await m.call('POST', `/agents/${id}/login`, { seat: '8001' });
    await m.call('POST', `/agents/${id}/pause`, { reasonCode: '1' });
    clock.advance(1000);
    expect(await m.call('DELETE', `/agents/${id}`)).toMatchObject({ status: 409, body: { error: 'agent_logged_in' } });
    expect(await m.call('DELETE', '/pause-reasons/1')).toMatchObject({ status: 409, body: { error: 'reason_in_use' } });
    expect((await m.call('PATCH', `/agents/${id}`, { active: false })).body.agent).toMatchObject({ active: false, live: null });
    expect(await m.call('DELETE', `/agents/${id}`)).toMatchObject({ status: 409, body: { error: 'agent_has_history' } });
    expect(await m.call('POST', `/agents/${id}/login`, { seat: '8001' })).toMatchObject({ status: 409, body: { error: 'agent_inactive' } });
  });
});
