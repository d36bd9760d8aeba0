// Kept daily / weekly / monthly reports: the periods the schedule reports (center time), the
// scheduled monthly run (published: each agent sees only their own figures), manual runs,
// publishing and exports through the API.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { LoginThrottle } from '../../firmware-agent/src/auth/login-throttle.js';
import { SessionStore } from '../../firmware-agent/src/auth/sessions.js';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { ReportsModule } from '../../firmware-agent/src/reports/reports-module.js';
import { periodOf, previousPeriod } from '../../firmware-agent/src/reports/runs.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { cleanupDbs, tempDb } from './agents-support.js';
import { DAY, seed } from './reports-support.js';

const TZ = 'Asia/Shanghai';

describe('periods', () => {
  it('the last complete day, ISO week and month in the center time zone', () => {
    const monday9 = new Date('2026-03-02T01:00:00Z'); // 09:00 Monday 2 March in Shanghai
    expect(previousPeriod('daily', monday9, TZ)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
    expect(previousPeriod('weekly', monday9, TZ)).toEqual({ from: '2026-02-23', to: '2026-03-01' });
    expect(previousPeriod('monthly', monday9, TZ)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    // 17:00Z on 1 March is already 01:00 on 2 March in Shanghai (but not in UTC).
    expect(previousPeriod('daily', new Date('2026-03-01T17:00:00Z'), TZ)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
    expect(previousPeriod('daily', new Date('2026-03-01T17:00:00Z'), 'UTC')).toEqual({ from: '2026-02-28', to: '2026-02-28' });
    expect(periodOf('monthly', '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(periodOf('weekly', '2026-03-08')).toEqual({ from: '2026-03-02', to: '2026-03-08' }); // a Sunday
    expect(() => periodOf('daily', '2026-02-30')).toThrow(/not a calendar date/);
  });
});

let db: Db;
let app: App;
let users: UserStore;
let reports: ReportsModule;
const now = new Date('2026-04-01T00:00:00Z'); // 08:00 on 1 April in Shanghai

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
  const raw = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const r = await raw(method, url, payload);
    return { status: r.statusCode, body: r.json() as any };
  };
  return { user, call, raw };
}

beforeAll(async () => {
  db = tempDb();
  seed(db);
  users = new UserStore(db);
  const audit = new AuditLog(db);
  reports = new ReportsModule({ db, settings: new SettingsStore(db), audit, logger: silentLogger(), foldEveryMs: 0, schedules: false, now: () => now });
  await reports.start();
  app = await buildServer({
    users,
    sessions: new SessionStore(db),
    audit,
    throttle: new LoginThrottle(),
    health: () => ({}) as never,
    status: () => ({}) as never,
    calls: () => [],
    live: new LiveFeed(),
    reports,
    cookieSecret: 'x'.repeat(32),
    loginRateLimit: 100,
    logger: silentLogger(),
  });
});
afterAll(async () => {
  await reports.stop();
  await app.close();
  cleanupDbs();
});

describe('kept reports', () => {
  it('the scheduled monthly run reports March and is published: each agent sees only their own figures', async () => {
    const id = await reports.runScheduled('monthly');
    expect(id).not.toBeNull();
    const run = reports.run(id!)!;
    expect([run.kind, run.from, run.to, run.trigger, run.publishedBy]).toEqual(['monthly', '2026-03-01', '2026-03-31', 'schedule', 'schedule']);
    const q = run.document.kpis.queue.rows;
    expect(q.map((r) => [r.period, r.key, r.kpis.offered, r.kpis.answered, r.kpis.answerRate])).toEqual([['2026-03', 'sales', 5, 2, 0.5]]);
    expect(run.document.kpis.agent.rows.map((r) => r.key)).toEqual(['1', '2', '3', '4']);
    expect(run.document.agentDaily.filter((d) => d.flagged).map((d) => d.agentId).sort()).toEqual([2, 4]);

    const agent = await client('lilei', ['agent']);
    db.prepare('UPDATE agents SET user_id = ? WHERE id = 1').run(agent.user.id);
    const mine = await agent.call('GET', '/reports/my-runs');
    expect(mine.status).toBe(200);
    expect(mine.body).toHaveLength(1);
    expect(mine.body[0].rows.map((r: any) => [r.key, r.kpis.talkSeconds])).toEqual([['1', 120]]);
    expect(mine.body[0].days.map((d: any) => d.agentId)).toEqual([1]);
    expect((await agent.call('GET', `/reports/runs/${id}`)).status).toBe(403);
  });

  it('manual daily run: kept unpublished, exported, published by a manager (audited)', async () => {
    const m = await client('boss', ['manager']);
    const r = await m.call('POST', '/reports/runs', { kind: 'daily', from: DAY });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'daily', from: DAY, to: DAY, trigger: 'manual', publishedAt: null });
    expect((await m.call('GET', '/reports/runs?kind=daily')).body.map((x: any) => x.id)).toEqual([r.body.id]);
    const x = await m.raw('GET', `/reports/runs/${r.body.id}?dimension=team&format=xlsx`);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as never);
    expect(wb.worksheets[0]!.getRow(2).getCell(2).value).toBe('A');

    const agent = await client('wang', ['agent']);
    db.prepare('UPDATE agents SET user_id = ? WHERE id = 3').run(agent.user.id);
    const before = (await agent.call('GET', '/reports/my-runs')).body;
    expect(before.map((b: any) => b.kind)).toEqual(['monthly']); // the daily one is not published yet
    const p = await m.call('POST', `/reports/runs/${r.body.id}/publish`);
    expect(p.status).toBe(200);
    expect(p.body.publishedBy).toBe('boss');
    const after = (await agent.call('GET', '/reports/my-runs')).body;
    const daily = after.find((b: any) => b.kind === 'daily');
    expect(daily.rows.map((row: any) => [row.key, row.kpis.registrations])).toEqual([['3', 2]]);
    expect(db.prepare("SELECT action FROM audit_log WHERE action LIKE 'reports.run_%' ORDER BY id").all()).toEqual([{ action: 'reports.run_generated' }, { action: 'reports.run_published' }]);
    expect((await m.call('POST', '/reports/runs', { kind: 'daily', from: '2026-02-30' })).status).toBe(400);
    expect((await m.call('POST', '/reports/runs/999/publish')).status).toBe(404);
    const nobody = await client('temp', ['qa']);
    expect((await nobody.call('GET', '/reports/my-runs')).status).toBe(403);
  });

  it('the schedules are registered in the center time zone and stop with the module', async () => {
    const m = new ReportsModule({ db, settings: new SettingsStore(db), audit: new AuditLog(db), logger: silentLogger(), foldEveryMs: 0, now: () => now });
    await m.start();
    const tasks = (m as unknown as { tasks: Array<{ name?: string }> }).tasks;
    expect(tasks.map((t) => t.name)).toEqual(['reports-daily', 'reports-weekly', 'reports-monthly']);
    await m.stop();
    expect(tasks).toHaveLength(0);
  });
});
