// The training gate at seat login on the real Asterisk 22: a trainee's *21*<agent>*<pin> through
// the real feature-code dialplan is refused (no session, audited, alarm), API and desk logins
// get 403 training_required; after qualification (written, oral, trainer-approved recording)
// all three log in; retraining assigned later logs the agent out and gates again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { SeatLive } from '../../firmware-agent/src/http/schemas.js';
import { CONTEXTS } from '../../firmware-agent/src/pbx-config/model.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';
import { assertHistoryExact } from '../unit/agents-support.js';

const PASSWORD = 'Quiet-Harbor-4821';
let t: TestAgent;
let agentId: number;
let me: Awaited<ReturnType<typeof client>>;
let trainer: Awaited<ReturnType<typeof client>>;
let qa: Awaited<ReturnType<typeof client>>;

/** A second API client with its own session. */
async function client(base: string, username: string, password: string) {
  let cookie = '';
  let csrf = '';
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(base + path, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const name = pair.split('=')[0]!;
      cookie = [...cookie.split('; ').filter((x) => x && !x.startsWith(`${name}=`)), pair].join('; ');
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  csrf = (await call('GET', '/api/v1/auth/csrf')).body.token;
  const r = await call('POST', '/api/v1/auth/login', { username, password });
  if (r.status !== 200) throw new Error(`login failed ${r.status} ${JSON.stringify(r.body)}`);
  csrf = (await call('GET', '/api/v1/auth/csrf')).body.token;
  return { call };
}

/** What a seat's phone does when the agent dials a code: a channel with SEATBOX_SEAT in the seat context. */
async function dial(seat: string, digits: string): Promise<void> {
  const r = await t.agent.ami.action('Originate', { Channel: `Local/${digits}@${CONTEXTS.internal}`, Application: 'Wait', Data: '5', Variable: `SEATBOX_SEAT=${seat}`, Async: 'true' });
  expect(r.response).toBe('Success');
}
const seat = (ext: string): SeatLive => t.agent.agents.seatLive(ext);
const waitState = (ext: string, state: string) => waitFor(`seat ${ext} in ${state} (now ${seat(ext).state})`, () => seat(ext).state === state && seat(ext));
const noChannels = () => waitFor('no channels left', async () => (await t.agent.ami.listAction('CoreShowChannels')).events.filter((e) => e.event === 'CoreShowChannel').length === 0);
const sessions = () => (t.agent.db.prepare('SELECT count(*) AS n FROM agent_sessions WHERE agent_id = ?').get(agentId) as { n: number }).n;
const refusals = () => t.agent.audit.recent(200).filter((a) => a.action === 'agent.phone_action_refused').map((a) => JSON.parse(a.detail ?? '{}') as { op: string; code: string; message: string });

beforeAll(async () => {
  t = await startTestAgent({
    prepare: (db) => {
      const addSeat = db.prepare("INSERT INTO seats (extension, name, tech, secret) VALUES (?, ?, 'sip', ?)");
      for (const s of ['8001', '8002', '8003']) addSeat.run(s, `Seat ${s}`, `Seat-${s}-Secret-xy`);
    },
  });
  const users = new UserStore(t.agent.db);
  const agentUser = await users.create({ username: 'trainee1', password: PASSWORD, roles: ['agent'] });
  await users.create({ username: 'trainer1', password: PASSWORD, roles: ['trainer'] });
  await users.create({ username: 'qa1', password: PASSWORD, roles: ['qa'] });
  const r = await t.api('POST', '/api/v1/agents', { number: '1001', name: '新员工', pin: '1234', userId: agentUser.id });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  agentId = r.body.agent.id;
  me = await client(t.base, 'trainee1', PASSWORD);
  trainer = await client(t.base, 'trainer1', PASSWORD);
  qa = await client(t.base, 'qa1', PASSWORD);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('training gate at seat login (real Asterisk 22)', () => {
  it('a trainee: the phone login through the real dialplan is refused and leaves no session; API and desk get 403', async () => {
    const mark = await trainer.call('PUT', `/api/v1/training/agents/${agentId}/trainee`, { trainee: true });
    expect(mark.status, JSON.stringify(mark.body)).toBe(200);
    expect(mark.body).toMatchObject({ trainee: true, gated: true, missing: ['written', 'oral', 'recording'] });

    t.frames.length = 0;
    await t.openLive();
    await dial('8001', '*21*1001*1234');
    const refused = await waitFor('phone login refused by the gate', () => refusals().find((d) => d.op === 'login' && d.code === 'training_required'));
    expect(refused.message).toMatch(/written exam.*oral exam.*qualifying recording/);
    await noChannels();
    expect(seat('8001').state).toBe('logged_out');
    expect(sessions()).toBe(0);
    // The refusal is visible: an alarm frame on the live feed.
    await waitFor('alarm frame', () => t.frames.find((f) => f.type === 'alarm' && JSON.stringify(f.data).includes('training')));

    const api = await t.api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8002' });
    expect(api.status).toBe(403);
    expect(api.body).toMatchObject({ error: 'training_required' });
    const desk = await me.call('POST', '/api/v1/desk/login', { seat: '8003' });
    expect(desk.status).toBe(403);
    expect(desk.body).toMatchObject({ error: 'training_required' });
    expect(sessions()).toBe(0);
    // The trainee reads their own status.
    expect((await me.call('GET', '/api/v1/training/me')).body).toMatchObject({ agentId, gated: true });
  });

  it('after written, oral and an approved recording all three logins work', async () => {
    const plan = await trainer.call('POST', '/api/v1/training/plans', { title: '新员工培训', startsAt: '2026-11-20T09:00:00Z', place: '培训室 1', material: '外呼话术 v3', trainees: [agentId] });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const res = await trainer.call('POST', `/api/v1/training/plans/${plan.body.id}/results`, { agentId, examAt: new Date().toISOString(), writtenScore: 86, oralScore: 80 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await t.api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8002' })).body.message).toMatch(/missing: qualifying recording/);
    // A complete recording of the trainee's practice call (row as the recording module writes it).
    const recId = Number(
      t.agent.db
        .prepare("INSERT INTO recordings (linkedid, uniqueid, seat, agent_id, path, format, state, started_at, duration_ms) VALUES ('tr-1', 'tr-1.1', '8001', ?, 'x/tr-1.wav', 'wav', 'complete', ?, 60000)")
        .run(agentId, new Date().toISOString()).lastInsertRowid,
    );
    expect((await qa.call('POST', `/api/v1/training/agents/${agentId}/recording`, { recordingId: recId })).status).toBe(403);
    const ok = await trainer.call('POST', `/api/v1/training/agents/${agentId}/recording`, { recordingId: recId });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ gated: false, missing: [], qualifiedBy: 'trainer1' });

    await dial('8001', '*21*1001*1234');
    expect((await waitState('8001', 'ready')).agent).toMatchObject({ number: '1001' });
    await noChannels();
    const api = await t.api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8002' });
    expect(api.status, JSON.stringify(api.body)).toBe(200);
    expect(seat('8002').agent?.id).toBe(agentId);
    const desk = await me.call('POST', '/api/v1/desk/login', { seat: '8003' });
    expect(desk.status, JSON.stringify(desk.body)).toBe(200);
    expect(seat('8003').agent?.id).toBe(agentId);
  });

  it('retraining assigned by QA logs the agent out and gates all logins again', async () => {
    const r = await qa.call('POST', '/api/v1/training/retraining', { agentId, reason: 'QA 抽检 52 分' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ source: 'qa', status: 'open' });
    expect(seat('8003').state).toBe('logged_out');
    expect(t.agent.agents.liveOf(agentId)).toBeUndefined();
    const before = refusals().length;
    await dial('8001', '*21*1001*1234');
    const refused = await waitFor('phone login refused again', () => refusals().length > before && refusals()[0]);
    expect(refused.message).toMatch(/retraining assigned \(QA 抽检 52 分\)/);
    await noChannels();
    expect(seat('8001').state).toBe('logged_out');
    expect((await t.api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8002' })).status).toBe(403);
    assertHistoryExact(t.agent.db);
  });
});
