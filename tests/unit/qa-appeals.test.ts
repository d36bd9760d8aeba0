// The appeal flow end to end through the HTTP API (fastify inject, real logins with CSRF, real
// SQLite, fixed clock): a reviewer scores, the agent appeals within the deadline, the QA
// manager orders a re-score by another reviewer, who scores again; rejected and adjusted
// decisions; the deadline boundary; who may do what; history and audit entries.
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
import type { FormVersion } from '../../firmware-agent/src/qa/forms.js';
import { QaModule } from '../../firmware-agent/src/qa/qa-module.js';
import { cleanupDbs, tempDb } from './agents-support.js';
import { answers, EXAMPLE_FORM } from './qa-forms-support.js';

let db: Db;
let app: App;
let users: UserStore;
const clock = { t: Date.parse('2026-11-02T02:00:00.000Z') };
const DAY = 86_400_000;
type Client = Awaited<ReturnType<typeof client>>;

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
  const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => {
    const r = await app.inject({ method, url: `/api/v1${url}`, payload: payload as object | undefined, headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': token } : {}) } });
    return { status: r.statusCode, body: r.json() as any };
  };
  return { user, call };
}

let qa1: Client, qa2: Client, boss: Client, ag1: Client, ag2: Client, tech: Client;
let agent1 = 0;
let form: FormVersion;
let seq = 0;
const recording = () => {
  seq++;
  return Number(
    db
      .prepare("INSERT INTO recordings (linkedid, uniqueid, seat, agent_id, path, format, state, started_at, duration_ms) VALUES (?, ?, '8001', ?, ?, 'wav', 'complete', '2026-11-01T03:00:00.000Z', 95000)")
      .run(`L${seq}`, `U${seq}`, agent1, `x/L${seq}.wav`).lastInsertRowid,
  );
};
/** qa1 scores a new call of agent 1: 4.7/6 = 78.33 (fails the 80 mark). */
const score = async (by: Client = qa1) => {
  const r = await by.call('POST', '/qa/evaluations', { recordingId: recording(), formVersionId: form.id, answers: answers(form, [4, null, 1, 7]), comments: [{ positionMs: 12_000, text: 'Rushed the product part' }] });
  expect(r.status).toBe(201);
  return r.body as { id: number; recordingId: number; score: number; ackDeadline: string };
};

beforeAll(async () => {
  db = tempDb();
  users = new UserStore(db);
  const audit = new AuditLog(db);
  const qa = new QaModule({ db, now: () => new Date(clock.t) });
  app = await buildServer({
    users,
    sessions: new SessionStore(db),
    audit,
    throttle: new LoginThrottle(),
    health: () => ({}) as never,
    status: () => ({}) as never,
    calls: () => [],
    live: new LiveFeed(),
    qa,
    cookieSecret: 'x'.repeat(32),
    loginRateLimit: 100,
    logger: silentLogger(),
  });
  qa1 = await client('qa1', ['qa']);
  qa2 = await client('qa2', ['qa']);
  boss = await client('boss', ['manager']);
  ag1 = await client('ag1', ['agent']);
  ag2 = await client('ag2', ['agent']);
  tech = await client('tech', ['technician']);
  agent1 = Number(db.prepare("INSERT INTO agents (number, name, user_id) VALUES ('1001', 'Li Lei', ?)").run(ag1.user.id).lastInsertRowid);
  db.prepare("INSERT INTO agents (number, name, user_id) VALUES ('1002', 'Han Meimei', ?)").run(ag2.user.id);
  const created = await qa1.call('POST', '/qa/forms', EXAMPLE_FORM);
  expect(created.status).toBe(201);
  form = created.body as FormVersion;
});
afterAll(async () => {
  await app?.close();
  cleanupDbs();
});

describe('appeal flow', () => {
  it('appeal → upheld with a re-score by another reviewer → the re-score replaces the original', async () => {
    const ev = await score();
    expect(ev.score).toBe(78.33);

    // Only the agent of the call acts on it; other roles cannot score or read.
    expect((await ag2.call('POST', `/qa/evaluations/${ev.id}/appeal`, { reason: 'not mine' })).status).toBe(403);
    expect((await ag2.call('GET', `/qa/evaluations/${ev.id}`)).status).toBe(403);
    expect((await tech.call('GET', `/qa/evaluations/${ev.id}`)).status).toBe(403);
    expect((await ag1.call('POST', '/qa/evaluations', { recordingId: ev.recordingId, formVersionId: form.id, answers: [], comments: [] })).status).toBe(403);
    expect((await ag2.call('GET', '/qa/evaluations/mine')).body).toEqual([]);

    const mine = await ag1.call('GET', '/qa/evaluations/mine');
    expect(mine.body.map((e: { id: number }) => e.id)).toEqual([ev.id]);
    const detail = await ag1.call('GET', `/qa/evaluations/${ev.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.comments).toEqual([{ id: expect.any(Number), positionMs: 12_000, itemId: null, text: 'Rushed the product part' }]);
    // N/A survives the API both ways (null, not 0).
    expect(detail.body.answers.map((x: { points: number | null }) => x.points)).toEqual([4, null, 1, 7]);

    clock.t += 2 * DAY;
    const ap = await ag1.call('POST', `/qa/evaluations/${ev.id}/appeal`, { reason: 'The customer interrupted; I did present the price' });
    expect(ap.status).toBe(201);
    expect(ap.body).toMatchObject({ evaluationId: ev.id, status: 'open', agentName: 'Li Lei' });
    expect((await ag1.call('POST', `/qa/evaluations/${ev.id}/appeal`, { reason: 'again' })).status).toBe(409);
    expect((await ag1.call('POST', `/qa/evaluations/${ev.id}/acknowledge`)).status).toBe(409);

    // A reviewer is not a QA manager.
    expect((await qa1.call('POST', `/qa/appeals/${ap.body.id}/decide`, { decision: 'rejected' })).status).toBe(403);
    const open = await boss.call('GET', '/qa/appeals?status=open');
    expect(open.body.map((a: { id: number }) => a.id)).toEqual([ap.body.id]);
    // Upheld needs an outcome; a re-score must be by someone else than the first reviewer.
    const noOutcome = await boss.call('POST', `/qa/appeals/${ap.body.id}/decide`, { decision: 'upheld' });
    expect(noOutcome).toMatchObject({ status: 400, body: { field: 'outcome' } });
    const same = await boss.call('POST', `/qa/appeals/${ap.body.id}/decide`, { decision: 'upheld', outcome: 'rescore', rescoreReviewerUserId: qa1.user.id });
    expect(same).toMatchObject({ status: 400, body: { field: 'rescoreReviewerUserId' } });
    const upheld = await boss.call('POST', `/qa/appeals/${ap.body.id}/decide`, { decision: 'upheld', outcome: 'rescore', rescoreReviewerUserId: qa2.user.id, note: 'listen again' });
    expect(upheld.status).toBe(200);
    expect(upheld.body).toMatchObject({ status: 'upheld', outcome: 'rescore', rescoreReviewerUserId: qa2.user.id });

    // qa2 sees the assignment first in the queue; qa1 may not take it.
    const queue = await qa2.call('GET', '/qa/queue');
    expect(queue.body[0]).toMatchObject({ recordingId: ev.recordingId, reason: 'rescore', appealId: ap.body.id });
    const rescoreBody = { recordingId: ev.recordingId, formVersionId: form.id, answers: answers(form, [5, null, 1, 9]), comments: [], replacesEvaluationId: ev.id };
    expect((await qa1.call('POST', '/qa/evaluations', rescoreBody)).status).toBe(403);
    const re = await qa2.call('POST', '/qa/evaluations', rescoreBody);
    expect(re.status).toBe(201);
    // (2 + 1 + 2.7) / 6 = 95
    expect(re.body).toMatchObject({ kind: 'rescore', score: 95, passed: true, replacesEvaluationId: ev.id, status: 'submitted' });
    expect((await qa2.call('POST', '/qa/evaluations', rescoreBody)).status).toBe(409);

    const orig = await boss.call('GET', `/qa/evaluations/${ev.id}`);
    expect(orig.body.status).toBe('superseded');
    expect(orig.body.appeal).toMatchObject({ status: 'upheld', outcome: 'rescore', rescoreEvaluationId: re.body.id });
    expect(orig.body.events.map((e: { event: string }) => e.event)).toEqual(['submitted', 'appealed', 'appeal_upheld', 'superseded']);

    // The re-score is final: acknowledge only.
    expect((await ag1.call('POST', `/qa/evaluations/${re.body.id}/appeal`, { reason: 'still no' })).status).toBe(409);
    const ack = await ag1.call('POST', `/qa/evaluations/${re.body.id}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedAt: new Date(clock.t).toISOString() });

    const actions = db.prepare<[], { action: string }>("SELECT action FROM audit_log WHERE action LIKE 'qa.%' ORDER BY id").all().map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['qa.form_created', 'qa.evaluation_submitted', 'qa.appeal_filed', 'qa.appeal_decided', 'qa.evaluation_acknowledged']));
  });

  it('rejected and adjusted decisions', async () => {
    const a = await score();
    const b = await score();
    const apA = await ag1.call('POST', `/qa/evaluations/${a.id}/appeal`, { reason: 'disagree' });
    const apB = await ag1.call('POST', `/qa/evaluations/${b.id}/appeal`, { reason: 'the notice was given at 0:05' });
    const rej = await boss.call('POST', `/qa/appeals/${apA.body.id}/decide`, { decision: 'rejected', note: 'score stands' });
    expect(rej.body).toMatchObject({ status: 'rejected', decisionNote: 'score stands' });
    expect((await boss.call('POST', `/qa/appeals/${apA.body.id}/decide`, { decision: 'rejected' })).status).toBe(409);
    expect((await ag1.call('GET', `/qa/evaluations/${a.id}`)).body).toMatchObject({ status: 'appeal_rejected', score: 78.33, passed: false });

    const adj = await boss.call('POST', `/qa/appeals/${apB.body.id}/decide`, { decision: 'upheld', outcome: 'adjusted', adjustedScore: 85 });
    expect(adj.body).toMatchObject({ status: 'upheld', outcome: 'adjusted', adjustedScore: 85 });
    const after = (await ag1.call('GET', `/qa/evaluations/${b.id}`)).body;
    expect(after).toMatchObject({ status: 'appeal_upheld', score: 85, rawScore: 78.33, passed: true });
    expect(after.events.at(-1)).toMatchObject({ event: 'appeal_upheld', actor: 'boss', detail: { appealId: apB.body.id, outcome: 'adjusted', oldScore: 78.33, newScore: 85, note: null } });
  });

  it('roles and validation errors over the API', async () => {
    // Forms: read by QA staff, written by qa / manager; agents and technicians are refused.
    expect((await tech.call('GET', '/qa/forms')).status).toBe(403);
    expect((await ag1.call('POST', '/qa/forms', EXAMPLE_FORM)).status).toBe(403);
    // Calibration and re-checks are the QA manager's.
    expect((await qa1.call('POST', '/qa/calibrations', { title: 'x', recordingId: 1, formVersionId: form.id, reviewerUserIds: [qa1.user.id, qa2.user.id] })).status).toBe(403);
    expect((await qa1.call('POST', '/qa/evaluations/1/recheck', { action: 'confirm' })).status).toBe(403);
    // Validation errors name the path.
    const blank = JSON.parse(JSON.stringify(EXAMPLE_FORM));
    blank.sections[0].items[1].textZh = '   ';
    expect(await qa1.call('POST', '/qa/forms', blank)).toMatchObject({ status: 400, body: { error: 'validation', field: 'sections[0].items[1].textZh' } });
    const badAnswer = await qa1.call('POST', '/qa/evaluations', { recordingId: recording(), formVersionId: form.id, answers: answers(form, [9, null, 1, 7]), comments: [] });
    expect(badAnswer).toMatchObject({ status: 400, body: { field: 'answers[0].points', message: 'answers[0].points: must be a whole number from 0 to 5' } });
    expect((await qa1.call('POST', '/qa/evaluations', { recordingId: 999999, formVersionId: form.id, answers: [], comments: [] })).status).toBe(404);
    // Editing the used version makes version 2; the evaluations keep version 1.
    const edited = { ...EXAMPLE_FORM, passMark: 70 };
    const put = await qa1.call('PUT', `/qa/forms/${form.formId}`, edited);
    expect(put).toMatchObject({ status: 200, body: { newVersion: true, version: { version: 2, passMark: 70 } } });
    const evs = (await boss.call('GET', '/qa/evaluations?kind=review')).body as { formVersionId: number }[];
    expect(evs.length).toBeGreaterThan(0);
    expect(evs.every((e) => e.formVersionId === form.id)).toBe(true);
  });

  it('the appeal window closes after 7 days (at the deadline still open)', async () => {
    const onTime = await score();
    const late = await score();
    expect(onTime.ackDeadline).toBe(new Date(clock.t + 7 * DAY).toISOString());
    clock.t += 7 * DAY; // exactly the deadline
    expect((await ag1.call('POST', `/qa/evaluations/${onTime.id}/appeal`, { reason: 'last minute' })).status).toBe(201);
    clock.t += 1; // one millisecond late
    const r = await ag1.call('POST', `/qa/evaluations/${late.id}/appeal`, { reason: 'too late' });
    expect(r).toMatchObject({ status: 409, body: { error: 'appeal_window_closed' } });
    // Acknowledging stays possible after the window.
    expect((await ag1.call('POST', `/qa/evaluations/${late.id}/acknowledge`)).status).toBe(200);
  });
});
