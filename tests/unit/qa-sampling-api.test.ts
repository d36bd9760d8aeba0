// The QA sampling / reports / assessment API through fastify inject on a real SQLite file:
// roles (manager configures and runs, reviewers read their own queue, an agent only their own
// assessment), validation with the field named, audit, CSV export, and a flagged agent handed
// to the real training module's retraining (gated from logging in).
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
import { QaSamplingModule } from '../../firmware-agent/src/qa/qa-sampling-module.js';
import { DEFAULT_REPORT_PARAMS } from '../../firmware-agent/src/reports/kpi.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { TrainingService } from '../../firmware-agent/src/training/training-service.js';
import { cleanupDbs, tempDb } from './agents-support.js';

let db: Db;
let app: App;
let users: UserStore;
let mod: QaSamplingModule;
let training: TrainingService;
const agentIds: number[] = [];

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

let manager: Awaited<ReturnType<typeof client>>;
let qa1: Awaited<ReturnType<typeof client>>;
let qa2: Awaited<ReturnType<typeof client>>;
let lead: Awaited<ReturnType<typeof client>>;
let agent: Awaited<ReturnType<typeof client>>;

beforeAll(async () => {
  db = tempDb();
  users = new UserStore(db);
  const audit = new AuditLog(db);
  const settings = new SettingsStore(db);
  training = new TrainingService({ db, audit });
  mod = new QaSamplingModule({
    db, settings, audit, logger: silentLogger(), reportParams: () => DEFAULT_REPORT_PARAMS, schedules: false,
    retraining: (agentId, reason) => `retraining #${training.assignRetraining(agentId, reason, 'assessment', { username: 'assessment' }).id}`,
    now: () => new Date('2026-03-20T04:00:00.000Z'),
  });
  app = await buildServer({
    users, sessions: new SessionStore(db), audit, throttle: new LoginThrottle(), health: () => ({}) as never, status: () => ({}) as never, calls: () => [],
    qaSampling: mod, live: new LiveFeed(), cookieSecret: 'x'.repeat(32), logger: silentLogger(),
  });
  manager = await client('mgr', ['manager']);
  qa1 = await client('qa1', ['qa']);
  qa2 = await client('qa2', ['qa']);
  lead = await client('lead', ['team_lead']);
  agent = await client('agent1', ['agent']);
  db.prepare("INSERT INTO teams (name, lead_user_id) VALUES ('A', ?)").run(lead.user.id);
  for (let i = 0; i < 3; i++) agentIds.push(Number(db.prepare("INSERT INTO agents (number, name, team) VALUES (?, ?, 'A')").run(String(6001 + i), `Agent ${i}`).lastInsertRowid));
  db.prepare('UPDATE agents SET user_id = ? WHERE id = ?').run(agent.user.id, agentIds[0]);
  // 20 calls each in March (inbound), recorded.
  let n = 0;
  for (const a of agentIds) {
    for (let i = 0; i < 20; i++) {
      n++;
      const at = `2026-03-${String(2 + (i % 15)).padStart(2, '0')}T03:00:00.000Z`;
      db.prepare("INSERT INTO calls (linkedid, direction, state, created_at) VALUES (?, 'inbound', 'ended', ?)").run(`C${n}`, at);
      db.prepare("INSERT INTO recordings (linkedid, uniqueid, agent_id, path, format, state, started_at) VALUES (?, ?, ?, ?, 'wav', 'complete', ?)").run(`C${n}`, `U${n}`, a, `x/${n}.wav`, at);
    }
  }
});
afterAll(async () => {
  await app?.close();
  cleanupDbs();
});

describe('QA sampling API', () => {
  it('only a manager changes settings and runs the plan; bad settings name the field', async () => {
    expect((await qa1.call('POST', '/qa/sampling/run', {})).status).toBe(403);
    expect((await agent.call('GET', '/qa/sampling/status')).status).toBe(403);
    const bad = await manager.call('PUT', '/qa/sampling/settings', { period: 'month', leadRate: 0.8, qaRate: 0.3, dueDays: 3, seed: 's' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('qaRate');
    const ok = await manager.call('PUT', '/qa/sampling/settings', { period: 'month', leadRate: 0.3, qaRate: 0.1, dueDays: 5, seed: 'api' });
    expect(ok.status).toBe(200);
    expect((await qa1.call('GET', '/qa/sampling/settings')).body.dueDays).toBe(5);
    const run = await manager.call('POST', '/qa/sampling/run', { day: '2026-03-10' });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ calls: 60, addedLead: 18, addedQa: 6, period: { from: '2026-03-01', to: '2026-03-31' } });
    const actions = db.prepare<[], { action: string }>("SELECT action FROM audit_log WHERE action LIKE 'qa.%' ORDER BY id").all().map((r) => r.action);
    expect(actions).toEqual(['qa.sampling_settings_changed', 'qa.sampling_run']);
  });

  it('reviewers read their own queue; the plan status shows the split', async () => {
    const q1 = await qa1.call('GET', '/qa/sampling/queue');
    const q2 = await qa2.call('GET', '/qa/sampling/queue');
    expect(q1.body.items.length + q2.body.items.length).toBe(6);
    expect(q1.body.items.length).toBe(3);
    expect(q1.body.items[0]).toMatchObject({ kind: 'qa', status: 'assigned', callType: 'inbound', dueAt: '2026-04-05T16:00:00.000Z' });
    const ql = await lead.call('GET', '/qa/sampling/queue');
    expect(ql.body.items).toHaveLength(18);
    expect(ql.body.items.every((i: { kind: string }) => i.kind === 'lead')).toBe(true);
    expect((await qa1.call('GET', `/qa/sampling/queue?userId=${qa2.user.id}`)).status).toBe(403);
    expect((await manager.call('GET', `/qa/sampling/queue?userId=${qa2.user.id}`)).body.items).toHaveLength(3);
    const st = await manager.call('GET', '/qa/sampling/status?day=2026-03-10');
    expect(st.body.agents.map((a: { lead: number; qa: number; calls: number }) => [a.calls, a.lead, a.qa])).toEqual([[20, 6, 2], [20, 6, 2], [20, 6, 2]]);
    expect(st.body.reviewers.map((r: { assigned: number }) => r.assigned).sort((a: number, b: number) => a - b)).toEqual([3, 3, 18]);
    const ls = await lead.call('GET', '/qa/sampling/status?day=2026-03-10');
    expect(ls.body.reviewers).toEqual([expect.objectContaining({ userId: lead.user.id, assigned: 18 })]);
  });

  it('QA report is readable and exportable (no evaluations yet: empty tables)', async () => {
    const r = await qa1.call('GET', '/qa/reports?from=2026-03-01&to=2026-03-31');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ agents: [], agentDays: [], items: [], flagAt: 0.3 });
    const csv = await manager.raw('GET', '/qa/reports?from=2026-03-01&to=2026-03-31&section=agentDays&format=csv&lang=en');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('Flagged (>= 30 %)');
    expect((await qa1.call('GET', '/qa/reports?from=2026-03-31&to=2026-03-01')).status).toBe(400);
    expect((await agent.call('GET', '/qa/reports?from=2026-03-01&to=2026-03-31')).status).toBe(403);
  });
});

describe('assessment API', () => {
  it('manager runs a month; a flagged agent gets retraining (gated); an agent reads only their own', async () => {
    expect((await lead.call('POST', '/qa/assessments/run', { month: '2026-02' })).status).toBe(403);
    const badW = await manager.call('PUT', '/qa/assessments/settings', { weights: { qa: 0, kpi: 0, attendance: 0 }, expectedHoursPerDay: 8, workingWeekdays: [1, 2, 3, 4, 5] });
    expect(badW.status).toBe(400);
    expect(badW.body.field).toBe('weights');
    // Attendance only (no evaluations, no KPI data): agent 0 logged in 100 of 160 expected hours
    // in February 2026 (20 working days × 8 h) → 62.5; agent 1 50 h → 31.3 → flagged below 60.
    const s = db.prepare("INSERT INTO agent_sessions (agent_id, seat, login_at, logout_at, login_source) VALUES (?, ?, ?, ?, 'ui')");
    for (let d = 2; d <= 11; d++) s.run(agentIds[0], '8001', `2026-02-${String(d).padStart(2, '0')}T00:00:00.000Z`, `2026-02-${String(d).padStart(2, '0')}T10:00:00.000Z`);
    for (let d = 2; d <= 11; d++) s.run(agentIds[1], '8002', `2026-02-${String(d).padStart(2, '0')}T00:00:00.000Z`, `2026-02-${String(d).padStart(2, '0')}T05:00:00.000Z`);
    const run = await manager.call('POST', '/qa/assessments/run', { month: '2026-02' });
    expect(run.status).toBe(200);
    const row = (id: number) => run.body.rows.find((r: { agentId: number }) => r.agentId === id);
    expect(row(agentIds[0]!)).toMatchObject({ attendanceScore: 62.5, qaScore: null, kpiScore: null, total: 62.5, passed: true, flag: '', retraining: null });
    expect(row(agentIds[1]!)).toMatchObject({ attendanceScore: 31.3, total: 31.3, passed: false, flag: 'below_60' });
    expect(row(agentIds[1]!).retraining).toMatch(/^retraining #\d+$/);
    expect(training.gate(agentIds[1]!).ok).toBe(false);
    expect(training.gate(agentIds[0]!).ok).toBe(true);
    // Agent 2 has nothing in February (no login, no evaluation, no KPI): not assessed, not flagged.
    expect(row(agentIds[2]!)).toBeUndefined();
    expect(training.gate(agentIds[2]!).ok).toBe(true);
    const own = await agent.call('GET', '/qa/assessments');
    expect(own.body.rows).toHaveLength(1);
    expect(own.body.rows[0].agentId).toBe(agentIds[0]);
    expect((await agent.call('GET', `/qa/assessments?agentId=${agentIds[1]}`)).status).toBe(403);
    const flagged = await lead.call('GET', '/qa/assessments?month=2026-02&flagged=true');
    expect(flagged.body.rows.map((r: { agentId: number }) => r.agentId).sort()).toEqual([agentIds[1]]);
    const xlsx = await manager.raw('GET', '/qa/assessments?month=2026-02&format=xlsx');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'qa.assessment_run'").get()!.n).toBe(1);
  });
});
