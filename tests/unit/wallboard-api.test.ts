// GET /api/v1/wallboard: who may read it, and the snapshot through the route's TypeBox schema
// (serialised by fastify: a missing or mistyped field would fail the response).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { inAudience, LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { DEFAULT_REPORT_PARAMS } from '../../firmware-agent/src/reports/kpi.js';
import { WALLBOARD_ROLES, WallboardModule } from '../../firmware-agent/src/reports/wallboard.js';
import { cleanupDbs, tempDb } from './agents-support.js';

let db: Db;
let app: App;
let users: UserStore;
let wb: WallboardModule;

async function get(username: string | null, roles: Role[]) {
  let cookie = '';
  if (username) {
    const password = 'Quiet-Harbor-4821';
    await users.create({ username, password, roles });
    const take = (r: { headers: Record<string, unknown> }) => {
      for (const c of ([] as string[]).concat((r.headers['set-cookie'] as string[] | string | undefined) ?? [])) {
        const pair = c.split(';')[0]!;
        cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${pair.split('=')[0]}=`)), pair].join('; ');
      }
    };
    const r0 = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf' });
    take(r0);
    take(await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers: { cookie, 'x-csrf-token': (r0.json() as { token: string }).token } }));
  }
  const r = await app.inject({ method: 'GET', url: '/api/v1/wallboard', headers: { cookie } });
  return { status: r.statusCode, body: r.json() as any };
}

beforeAll(async () => {
  db = tempDb();
  // One clock reading: separate Date.now() calls can straddle a millisecond (ASA 10.001 s).
  const now = Date.now();
  db.prepare("INSERT INTO queue_calls (linkedid, uniqueid, queue, entered_at, answered_at, left_at, ended_at, outcome) VALUES ('L1', 'L1', 'hotline', ?, ?, ?, ?, 'answered')").run(
    new Date(now - 60_000).toISOString(), new Date(now - 50_000).toISOString(), new Date(now - 50_000).toISOString(), new Date(now - 20_000).toISOString(),
  );
  users = new UserStore(db);
  const live = new LiveFeed();
  wb = new WallboardModule({ db, live, params: () => DEFAULT_REPORT_PARAMS, seats: () => [], queues: () => [{ name: 'hotline', label: '400 热线' }] });
  await wb.start();
  app = await buildServer({
    users, sessions: new SessionStore(db), audit: new AuditLog(db), throttle: new LoginThrottle(),
    health: () => ({}) as never, status: () => ({}) as never, calls: () => [], live, wallboard: wb,
    cookieSecret: 'x'.repeat(32), loginRateLimit: 100, logger: silentLogger(),
  });
});
afterAll(async () => {
  await wb.stop();
  await app?.close();
  cleanupDbs();
});

describe('GET /api/v1/wallboard', () => {
  it('manager and team lead read the board; the snapshot passes the schema', async () => {
    for (const [name, role] of [['mgr', 'manager'], ['lead', 'team_lead'], ['root', 'admin']] as const) {
      const r = await get(name, [role]);
      expect(r.status, name).toBe(200);
      const q = r.body.queues.find((x: { name: string }) => x.name === 'hotline');
      // One call today, answered after 10 s: 1 offered, 1 answered, SL 1, ASA 10 s, talk 30 s.
      expect([q.label, q.today.offered, q.today.answered, q.today.serviceLevel, q.today.asaSeconds, q.today.avgTalkSeconds]).toEqual(['400 热线', 1, 1, 1, 10, 30]);
      expect(r.body.trigger).toBeNull();
      expect(Math.abs(Date.parse(r.body.serverTime) - Date.now())).toBeLessThan(5000);
    }
  });

  it('agents, technicians and visitors do not', async () => {
    expect((await get('ag', ['agent'])).status).toBe(403);
    expect((await get('tech', ['technician'])).status).toBe(403);
    expect((await get('qa1', ['qa'])).status).toBe(403);
    expect((await get(null, [])).status).toBe(401);
  });

  it('the live frames go to the same roles', () => {
    const aud = { roles: WALLBOARD_ROLES };
    expect(inAudience({ id: 1, roles: ['team_lead'] }, aud)).toBe(true);
    expect(inAudience({ id: 2, roles: ['admin'] }, aud)).toBe(true);
    expect(inAudience({ id: 3, roles: ['agent'] }, aud)).toBe(false);
    expect(inAudience({ id: 4, roles: ['technician'] }, aud)).toBe(false);
  });
});
