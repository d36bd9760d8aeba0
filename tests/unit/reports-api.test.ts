// The reports API through fastify inject on the hand-worked data set: JSON KPIs with targets,
// CSV (BOM, formula-safe) and XLSX exports opened with exceljs, who sees what (manager, team
// lead of some teams, agent = own figures), targets and settings (validated, audited).
import ExcelJS from 'exceljs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { cleanupDbs, tempDb } from './agents-support.js';
import { AFTER, DAY, seed } from './reports-support.js';

let db: Db;
let app: App;
let users: UserStore;

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
  const raw = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
    app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
  const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => {
    const r = await raw(method, url, payload);
    return { status: r.statusCode, body: r.json() as any };
  };
  return { user, call, raw };
}

const KPIS = (q: string) => `/reports/kpis?from=${DAY}&to=${DAY}&${q}`;

beforeAll(async () => {
  db = tempDb();
  seed(db);
  // A name that would run as a formula in a spreadsheet.
  db.prepare("UPDATE campaigns SET name = '=HYPERLINK(\"http://x\")' WHERE id = 1").run();
  users = new UserStore(db);
  const audit = new AuditLog(db);
  const reports = new ReportsModule({ db, settings: new SettingsStore(db), audit, logger: silentLogger(), foldEveryMs: 0, schedules: false, archiveDir: join(db.name, '..', 'reports-archive'), now: () => new Date(AFTER) });
  await reports.start();
  reports.fold();
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
    loginRateLimit: 100, // one login per role and test
    logger: silentLogger(),
  });
});
afterAll(async () => {
  await app.close();
  cleanupDbs();
});

describe('reports API', () => {
  it('manager: KPIs with targets against actuals', async () => {
    const m = await client('boss', ['manager']);
    const r = await m.call('GET', KPIS('dimension=queue&period=day'));
    expect(r.status).toBe(200);
    expect(r.body.timeZone).toBe('Asia/Shanghai');
    expect(r.body.foldedUntil).not.toBeNull();
    const sales = r.body.rows[0];
    expect([sales.period, sales.key, sales.kpis.answerRate, sales.kpis.serviceLevel]).toEqual([DAY, 'sales', 0.5, 0.25]);
    expect(sales.targets.find((t: any) => t.metric === 'answerRate')).toMatchObject({ target: 0.96, actual: 0.5, met: false });

    const bad = await m.call('GET', `/reports/kpis?dimension=agent&period=halfhour&from=2026-01-01&to=2026-03-01`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'range_too_long', field: 'to' });
    const worse = await m.call('GET', `/reports/kpis?dimension=agent&period=day&from=2026-02-30&to=2026-03-01`);
    expect(worse.status).toBe(400);
    expect(worse.body.message).toContain('from');
    expect((await m.call('GET', KPIS('dimension=seat&period=day'))).status).toBe(400);
  });

  it('CSV: BOM, Chinese headers, formula-safe cells, percentages', async () => {
    const m = await client('boss2', ['manager']);
    const r = await m.raw('GET', KPIS('dimension=agent&period=day&format=csv&lang=zh-CN'));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    expect(r.body.startsWith('\uFEFF')).toBe(true);
    const lines = r.body.slice(1).trim().split('\r\n');
    expect(lines[0]).toContain('接通率 %');
    expect(lines).toHaveLength(5); // header + 4 agents
    const camp = (await m.raw('GET', KPIS('dimension=campaign&period=day&format=csv'))).body.trim().split('\r\n');
    // period, key, name (apostrophe: no formula), 4 dials, 1 connected, drop rate 50 %, avg talk 60 s,
    // 3 registrations, 0 complaints; no agent time; no target missed
    expect(camp[1]).toBe(`2026-03-02,1,"'=HYPERLINK(""http://x"")",0,0,0,0,,,,,,60,,,0,,0,,4,1,50,,3,0,,,,,,,,`);
    const li = lines.find((l) => l.includes('Li Lei'))!.split(',');
    const header = lines[0]!.split(',');
    expect(li[header.indexOf('占用率 %')]).toBe('13.3'); // 139 / 1045 = 13.301… %
  });

  it('XLSX opens in exceljs with the figures', async () => {
    const m = await client('boss3', ['manager']);
    const r = await m.raw('GET', KPIS('dimension=team&period=month&format=xlsx'));
    expect(r.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as never);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toContain('Occupancy %');
    const col = header.indexOf('Occupancy %') + 1;
    const teamA = ws.getRow(2);
    expect(teamA.getCell(1).value).toBe('2026-03');
    expect(teamA.getCell(2).value).toBe('A');
    expect(teamA.getCell(col).value).toBeCloseTo(355 / 1645, 10);
    expect(teamA.getCell(col).numFmt).toBe('0.00%');
    expect(ws.rowCount).toBe(3); // header, A, B
  });

  it('agent-daily export: XLSX with the flag, CSV in Chinese', async () => {
    const m = await client('boss6', ['manager']);
    const x = await m.raw('GET', `/reports/agent-daily?from=${DAY}&to=${DAY}&format=xlsx`);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as never);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1, 5)).toEqual(['Day', 'Agent', 'Team', 'Conversations']);
    const rows = [2, 3, 4, 5].map((i) => ws.getRow(i));
    const zhao = rows.find((r) => String(r.getCell(2).value).includes('Zhao'))!;
    expect([zhao.getCell(4).value, zhao.getCell(10).value]).toEqual([0, 'yes']); // 0 conversations vs team average 2/3
    expect(zhao.getCell(5).value).toBeCloseTo(2 / 3, 10);
    const li = rows.find((r) => String(r.getCell(2).value).includes('Li Lei'))!;
    expect(li.getCell(10).value).toBe(''); // 1.5 × the team average
    const c = await m.raw('GET', `/reports/agent-daily?from=${DAY}&to=${DAY}&format=csv&lang=zh-CN`);
    expect(c.body.startsWith('\uFEFF日期,坐席,班组,通话数')).toBe(true);
  });

  it('an agent sees only their own figures; a team lead only their teams', async () => {
    const a = await client('lilei', ['agent']);
    db.prepare('UPDATE agents SET user_id = ? WHERE id = 1').run(a.user.id);
    const r = await a.call('GET', KPIS('dimension=agent&period=day'));
    expect(r.status).toBe(200);
    expect(r.body.rows.map((x: any) => x.key)).toEqual(['1']);
    const q = await a.call('GET', KPIS('dimension=queue&period=day'));
    expect(q.body.rows[0].kpis.answered).toBe(1); // only the call A1 answered
    const daily = await a.call('GET', `/reports/agent-daily?from=${DAY}&to=${DAY}`);
    expect(daily.body.rows).toHaveLength(1);
    expect(daily.body.rows[0].teamAverageConversations).toBeCloseTo(2 / 3, 10); // still the whole team's average

    const nobody = await client('temp', ['agent']);
    expect((await nobody.call('GET', KPIS('dimension=agent&period=day'))).status).toBe(403);

    const lead = await client('lead-b', ['team_lead']);
    db.prepare("INSERT INTO teams (name, lead_user_id) VALUES ('B', ?)").run(lead.user.id);
    const t = await lead.call('GET', KPIS('dimension=agent&period=day'));
    expect(t.body.rows.map((x: any) => x.key)).toEqual(['3']);
    expect((await lead.call('PUT', '/reports/targets', { targets: [] })).status).toBe(403);
    const qa = await client('qa1', ['qa']);
    expect((await qa.call('GET', KPIS('dimension=agent&period=day'))).status).toBe(403);
  });

  it('targets and settings: validated and audited', async () => {
    const m = await client('boss4', ['manager']);
    const before = (await m.call('GET', '/reports/targets')).body;
    expect(before).toContainEqual({ scope: 'seniority', scopeKey: 'senior', metric: 'avgTalkSeconds', op: 'max', value: 150 });
    const bad = await m.call('PUT', '/reports/targets', { targets: [{ scope: 'level', scopeKey: '11', metric: 'answerRate', op: 'min', value: 0.9 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('targets[0].scopeKey');
    const next = [...before, { scope: 'level', scopeKey: '1', metric: 'avgTalkSeconds', op: 'max', value: 200 }];
    const ok = await m.call('PUT', '/reports/targets', { targets: next });
    expect(ok.status).toBe(200);
    // Level beats seniority: A2 (level 1, 180 s) now meets 200 s.
    const r = await m.call('GET', KPIS('dimension=agent&period=day'));
    expect(r.body.rows.find((x: any) => x.key === '2').targets.find((t: any) => t.metric === 'avgTalkSeconds')).toMatchObject({ target: 200, met: true, source: 'level:1' });
    expect(db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'reports.targets_changed'").get()).toEqual({ n: 1 });

    const tz = await m.call('PUT', '/reports/settings', { timeZone: 'Mars/Olympus', serviceLevelSeconds: 20, shortAbandonSeconds: 5, flagBelowTeamShare: 0.5 });
    expect(tz.status).toBe(400);
    expect(tz.body.field).toBe('timeZone');
    const s = await m.call('PUT', '/reports/settings', { timeZone: 'Asia/Shanghai', serviceLevelSeconds: 30, shortAbandonSeconds: 5, flagBelowTeamShare: 0.5 });
    expect(s.status).toBe(200);
    // New threshold: the next fold rebuilds from detail; q2 (30 s) is now within SL.
    expect((await m.call('POST', '/reports/fold')).body).toEqual({ ok: true });
    const r2 = await m.call('GET', KPIS('dimension=queue&period=day'));
    expect(r2.body.rows[0].kpis.serviceLevel).toBe(0.5);
    expect(db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'reports.settings_changed'").get()).toEqual({ n: 1 });
  });

  it('archive: folded detail moves out, the reports stay the same (audited; managers only)', async () => {
    const m = await client('boss5', ['manager']);
    const lead = await client('lead-x', ['team_lead']);
    const before = (await m.call('GET', KPIS('dimension=agent&period=day'))).body.rows;
    expect((await lead.call('POST', '/reports/archive', { before: '2026-03-03' })).status).toBe(403);
    const late = await m.call('POST', '/reports/archive', { before: '2026-03-10' });
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ error: 'archive_refused', field: 'before' });
    const r = await m.call('POST', '/reports/archive', { before: '2026-03-03' });
    expect(r.status).toBe(200);
    expect([r.body.stateRows, r.body.queueRows]).toEqual([17, 5]);
    expect(existsSync(r.body.file)).toBe(true);
    expect((await m.call('GET', KPIS('dimension=agent&period=day'))).body.rows).toEqual(before);
    expect(db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'reports.detail_archived'").get()).toEqual({ n: 1 });
  });
});
