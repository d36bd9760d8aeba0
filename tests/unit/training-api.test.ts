// The training API through fastify inject: roles (trainers/managers write plans and results,
// QA assigns retraining, agents read only their own status, only trainers approve recordings),
// clear errors for bad input and the 3-day rule, audit entries, and the 403 training_required
// of POST /agents/:id/login for a gated agent.
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
import type { Role } from '../../firmware-agent/src/http/schemas.js';
import { buildServer, type App } from '../../firmware-agent/src/http/server.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { TrainingService } from '../../firmware-agent/src/training/training-service.js';
import { cleanupDbs, FakeClock, tempDb } from './agents-support.js';

class IdleAmi extends EventEmitter {
  connected = false;
  asteriskVersion = undefined;
  async action() {
    return new AmiMessage([['Response', 'Success']]);
  }
}

let db: Db;
let app: App;
let users: UserStore;
let mod: AgentsModule;
let audit: AuditLog;

async function client(username: string, roles: Role[]) {
  const user = await users.create({ username, password: 'Quiet-Harbor-4821', roles });
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
  take(await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'Quiet-Harbor-4821' }, headers: { cookie, 'x-csrf-token': token } }));
  const r1 = await app.inject({ method: 'GET', url: '/api/v1/auth/csrf', headers: { cookie } });
  take(r1);
  token = (r1.json() as { token: string }).token;
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const r = await app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
    return { status: r.statusCode, body: r.body ? (r.json() as any) : undefined };
  };
  return { user, call };
}

beforeEach(async () => {
  db = tempDb();
  const clock = new FakeClock(Date.parse('2026-03-02T09:00:00.000Z'));
  users = new UserStore(db);
  audit = new AuditLog(db);
  const live = new LiveFeed();
  mod = new AgentsModule({ db, ami: new IdleAmi() as never, settings: new SettingsStore(db), audit, live, seats: { list: () => [{ extension: '8001', kind: 'sip' as const, registered: true }] }, logger: silentLogger(), clock });
  const training = new TrainingService({ db, audit, now: () => clock.now() });
  mod.engine.setLoginGate((id) => training.gate(id));
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
    training,
    cookieSecret: 'y'.repeat(32),
    logger: silentLogger(),
    loginRateLimit: 1000,
  });
});
afterEach(async () => {
  await app.close();
  await mod.stop();
  db.close();
  cleanupDbs();
});

describe('training API', () => {
  it('roles, the gate at POST /agents/:id/login, results, the 3-day rule and retraining', async () => {
    const tr = await client('trainer1', ['trainer']);
    const qa = await client('qa1', ['qa']);
    const ag = await client('agent1', ['agent']);
    const other = await client('agent2', ['agent']);
    const a = Number(db.prepare("INSERT INTO agents (number, name, user_id) VALUES ('1001', '李四', ?)").run(ag.user.id).lastInsertRowid);

    expect((await ag.call('PUT', `/training/agents/${a}/trainee`, { trainee: true })).status).toBe(403);
    expect((await tr.call('PUT', `/training/agents/${a}/trainee`, { trainee: true })).body).toMatchObject({ trainee: true, gated: true });
    // The agent reads their own status; another agent may not.
    expect((await ag.call('GET', '/training/me')).body).toMatchObject({ agentId: a, missing: ['written', 'oral', 'recording'] });
    expect((await other.call('GET', `/training/agents/${a}`)).status).toBe(403);
    expect((await ag.call('GET', '/training/plans')).status).toBe(403);

    const login = await ag.call('POST', `/agents/${a}/login`, { seat: '8001' });
    expect(login).toMatchObject({ status: 403, body: { error: 'training_required' } });
    expect(login.body.message).toMatch(/written exam \(no score\), oral exam \(no score\), qualifying recording/);

    // Plans: bad input says where; QA cannot write plans.
    expect((await qa.call('POST', '/training/plans', { title: 'x', startsAt: '2026-03-02T09:00:00Z', place: 'R1' })).status).toBe(403);
    expect(await tr.call('POST', '/training/plans', { title: 'x', startsAt: 'tomorrow!!', place: 'R1' })).toMatchObject({ status: 400, body: { error: 'bad_time' } });
    expect(await tr.call('POST', '/training/plans', { title: 'x', startsAt: '2026-03-02T09:00:00Z', place: 'R1', examWritten: false, examOral: false })).toMatchObject({ status: 400, body: { error: 'no_exam' } });
    expect((await tr.call('POST', '/training/plans', { title: 'x', startsAt: '2026-03-02T09:00:00Z', place: 'R1', passMarkWritten: 101 })).status).toBe(400);
    const p = await tr.call('POST', '/training/plans', { title: '岗前培训', startsAt: '2026-03-02T09:00:00Z', place: '培训室', trainees: [a], trainerUserId: tr.user.id });
    expect(p.status).toBe(200);
    const planId = p.body.id as number;
    expect(await tr.call('POST', `/training/plans/${planId}/results`, { agentId: a, examAt: '2026-03-02T15:00:00Z', writtenScore: 80 })).toMatchObject({ status: 400, body: { error: 'score_missing' } });
    const failed = await tr.call('POST', `/training/plans/${planId}/results`, { agentId: a, examAt: '2026-03-02T15:00:00Z', writtenScore: 79, oralScore: 95 });
    expect(failed.body.results[0]).toMatchObject({ attempt: 1, passed: false });
    expect(failed.body.redesign).toBe(true); // 1 of 1 failed
    expect(await tr.call('POST', `/training/plans/${planId}/reexams`, { agentId: a, at: '2026-03-06T15:00:00Z' })).toMatchObject({ status: 409, body: { error: 'reexam_window_closed' } });
    expect((await tr.call('POST', `/training/plans/${planId}/reexams`, { agentId: a, at: '2026-03-04T15:00:00Z' })).status).toBe(200);
    await tr.call('POST', `/training/plans/${planId}/results`, { agentId: a, examAt: '2026-03-04T15:00:00Z', writtenScore: 90, oralScore: 95 });

    // The qualifying recording: trainer only.
    const rec = Number(db.prepare("INSERT INTO recordings (linkedid, uniqueid, agent_id, path, format, state, started_at) VALUES ('L1', 'U1', ?, 'r1.wav', 'wav', 'complete', '2026-03-02T10:00:00Z')").run(a).lastInsertRowid);
    expect((await tr.call('GET', `/training/agents/${a}/recordings`)).body.recordings.map((r: { id: number }) => r.id)).toEqual([rec]);
    expect((await qa.call('POST', `/training/agents/${a}/recording`, { recordingId: rec })).status).toBe(403);
    expect((await tr.call('POST', `/training/agents/${a}/recording`, { recordingId: rec })).body).toMatchObject({ gated: false, missing: [] });
    expect((await ag.call('POST', `/agents/${a}/login`, { seat: '8001' })).status).toBe(200);
    expect((await ag.call('POST', `/agents/${a}/logout`, {})).status).toBe(200);

    // Retraining by QA: gated again; an agent cannot assign.
    expect((await ag.call('POST', '/training/retraining', { agentId: a, reason: 'x' })).status).toBe(403);
    const rt = await qa.call('POST', '/training/retraining', { agentId: a, reason: '质检 55 分' });
    expect(rt.body).toMatchObject({ source: 'qa', status: 'open', assignedBy: 'qa1' });
    expect((await ag.call('POST', `/agents/${a}/login`, { seat: '8001' })).body).toMatchObject({ error: 'training_required' });
    expect((await qa.call('GET', '/training/retraining?status=open')).body.retraining).toHaveLength(1);
    expect((await tr.call('POST', `/training/retraining/${rt.body.id}/cancel`)).body.status).toBe('cancelled');
    expect((await ag.call('POST', `/agents/${a}/login`, { seat: '8001' })).status).toBe(200);

    const actions = audit.recent(100).map((r) => r.action);
    for (const x of ['training.plan_created', 'training.result_recorded', 'training.reexam_scheduled', 'training.plan_redesign_flagged', 'training.recording_approved', 'training.qualified', 'training.retraining_assigned', 'training.retraining_cancelled']) {
      expect(actions).toContain(x);
    }
  });
});
