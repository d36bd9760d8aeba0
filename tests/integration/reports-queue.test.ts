// Queue records and KPIs on the real Asterisk 22 (whole agent in-process, SIPp phones and
// carrier): agent 1001 logged in at seat 8001, the hotline queue (member 8001, survey on).
// Call 1: the caller keys 1, 8001 answers, talks, hangs up; the caller keys survey 5.
// Call 2: 8001 rings and never answers; the caller hangs up after ~6 s in the queue.
// The queue_calls rows come from app_queue's AMI events (not its counters), and
// GET /reports/kpis shows offered 2, answered 1, abandoned 1, answer rate 50 %, satisfaction 100 %.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '../../firmware-agent/src/reports/time.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';
import { cleanSipp, csvFile, describeRun, freeUdpPortFor, scenario, startSipp, stopAllSipp, type SippProcess } from '../support/sipp.js';

const CARRIER = '127.0.0.2';
const DID = '4008009999';

let t: TestAgent;
let carrierPort: number;
let agentId: number;
const secrets = new Map<string, string>();

beforeAll(async () => {
  carrierPort = await freeUdpPortFor(CARRIER);
  t = await startTestAgent();
  const seats = await t.api<{ provisioning: Array<{ extension: string; secret: string }> }>('POST', '/api/v1/seats/bulk', { from: '8001', to: '8002', namePattern: '坐席 {n}', kind: 'agent' });
  expect(seats.status, seats.text).toBe(200);
  for (const p of seats.body.provisioning) secrets.set(p.extension, p.secret);
  const trunk = await t.api('POST', '/api/v1/trunks', { name: '运营商', kind: 'sip', host: CARRIER, port: carrierPort, register: false, qualifySeconds: 0, dtmfMode: 'info' });
  expect(trunk.status, trunk.text).toBe(200);
  const queues = (await t.api('GET', '/api/v1/hotline/queues')).body;
  Object.assign(queues.queues[0], { strategy: 'linear', ringTimeoutSeconds: 15, members: [{ seat: '8001', penalty: 0 }], survey: true, maxWaitSeconds: 40 });
  const q = await t.api('PUT', '/api/v1/hotline/queues', queues);
  expect(q.status, q.text).toBe(200);
  const ivr = (await t.api('GET', '/api/v1/hotline/ivr')).body;
  Object.assign(ivr, { did: DID, useBusinessHours: false });
  Object.assign(ivr.menus[0], { timeoutSeconds: 5, maxRetries: 1, options: [{ digit: '1', destination: { kind: 'queue', target: 'hotline' } }], fallback: { kind: 'hangup' } });
  const i = await t.api('PUT', '/api/v1/hotline/ivr', ivr);
  expect(i.status, i.text).toBe(200);
  const a = await t.api('POST', '/api/v1/agents', { number: '1001', name: '张三', team: '一组' });
  expect(a.status, a.text).toBe(200);
  agentId = a.body.agent.id;
  const login = await t.api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8001' });
  expect(login.status, login.text).toBe(200);
}, 120_000);

afterAll(async () => {
  await stopAllSipp();
  await t?.stop();
});

const remote = () => `127.0.0.1:${t.agent.opts.asterisk.sipPort}`;

async function phone(ext: string, answer: string, holdMs = 25_000): Promise<SippProcess> {
  const p = await startSipp({
    label: `reports-phone-${ext}`,
    scenario: scenario('seat-phone.xml', { HOLD_MS: holdMs }),
    outOfCallScenario: answer,
    csv: csvFile([[ext, { user: ext, password: secrets.get(ext)! }]]),
    remote: remote(),
    calls: 1,
    autoAnswer: true,
    timeoutSeconds: Math.ceil(holdMs / 1000) + 10,
  });
  await p.waitForMessage(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/m);
  return p;
}

function caller(label: string, number: string, keys: Array<[pauseMs: number, digit: string]>, talkMs: number): Promise<SippProcess> {
  const steps = keys
    .map(
      ([pause, d], i) => `  <pause milliseconds="${pause}"/>
  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${10 + i} INFO
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${d}
      Duration=160
    ]]>
  </send>
  <recv response="200"/>`,
    )
    .join('\n');
  return startSipp({
    label,
    scenario: scenario('hotline-caller.xml', { STEPS: steps, TALK_MS: talkMs }),
    csv: csvFile([[number, '0', DID]]),
    localIp: CARRIER,
    localPort: carrierPort,
    remote: remote(),
    calls: 1,
    timeoutSeconds: 30,
  });
}

describe('queue records and KPIs on the real Asterisk (SIPp)', () => {
  it('answered (then surveyed) and abandoned calls are recorded and reported', async () => {
    // Call 1: answered by 8001 after 300 ms of ringing, 1.5 s talk, agent hangs up; survey 5.
    const p1 = await phone('8001', scenario('uas-answer-hangup.xml', { RING_MS: 300, TALK_MS: 1500 }));
    const c1 = await caller('reports-answered', '13812340001', [[800, '1'], [3500, '5']], 8000);
    const r1 = await c1.done;
    expect(r1.code, describeRun(r1)).toBe(0);
    cleanSipp(await p1.stop());
    cleanSipp(r1);
    const answered = await waitFor('the answered queue entry, ended', () =>
      t.agent.db.prepare("SELECT * FROM queue_calls WHERE outcome = 'answered' AND ended_at IS NOT NULL").get() as Record<string, unknown> | undefined,
    );
    expect(answered).toMatchObject({ queue: 'hotline', seat: '8001', agent_id: agentId, team: '一组' });
    expect(Date.parse(answered.answered_at as string)).toBeGreaterThan(Date.parse(answered.entered_at as string));
    await waitFor('the survey score', () => t.agent.db.prepare('SELECT score FROM call_surveys WHERE linkedid = ?').get(answered.linkedid));

    // Call 2: 8001 rings and never answers; the caller gives up after ~6 s in the queue.
    const p2 = await phone('8001', scenario('uas-ring-noanswer.xml'));
    const c2 = await caller('reports-abandon', '13812340002', [[800, '1']], 7000);
    const r2 = await c2.done;
    expect(r2.code, describeRun(r2)).toBe(0);
    cleanSipp(await p2.stop());
    cleanSipp(r2);
    const abandoned = await waitFor('the abandoned queue entry', () =>
      t.agent.db.prepare("SELECT * FROM queue_calls WHERE outcome = 'abandoned'").get() as Record<string, unknown> | undefined,
    );
    const waitedMs = Date.parse(abandoned.left_at as string) - Date.parse(abandoned.entered_at as string);
    expect(waitedMs).toBeGreaterThan(5000); // not a short abandon
    expect(abandoned.answered_at).toBeNull();

    const today = localParts(Math.floor(Date.now() / 1000), 'Asia/Shanghai').day;
    expect((await t.api('POST', '/api/v1/reports/fold')).body).toEqual({ ok: true });
    const rep = await t.api('GET', `/api/v1/reports/kpis?dimension=queue&period=day&from=${today}&to=${today}`);
    expect(rep.status, rep.text).toBe(200);
    const k = rep.body.rows.find((r: { key: string }) => r.key === 'hotline').kpis;
    expect([k.offered, k.answered, k.abandoned, k.shortAbandoned, k.answerRate, k.surveys, k.satisfactionRate]).toEqual([2, 1, 1, 0, 0.5, 1, 1]);
    // The agent's wrap-up after call 1 carries the call's linkedid: after-call work of the queue.
    expect(k.avgWrapSeconds).toBeGreaterThan(0);
    expect(k.ahtSeconds).toBeGreaterThan(k.avgTalkSeconds);
    const ag = await t.api('GET', `/api/v1/reports/kpis?dimension=agent&period=day&from=${today}&to=${today}`);
    const mine = ag.body.rows.find((r: { key: string }) => r.key === String(agentId)).kpis;
    expect(mine.answered).toBe(1);
    expect(mine.conversations).toBe(1);
    expect(mine.talkSeconds).toBeGreaterThan(1);
    expect(mine.ringSeconds).toBeGreaterThan(5); // the unanswered ring of call 2 is ring time too
  }, 90_000);
});
