// The inbound hotline end to end through the agent's API on the real Asterisk 22 (whole agent
// in-process, SIPp phones and carrier): seats 8001-8003 from POST /seats/bulk register with
// their provisioned secrets; an IP-auth trunk (DTMF as SIP INFO) points at the SIPp carrier; a
// TTS prompt, the hotline queue (8001, overflow to 8003, survey on) and the IVR (1 → queue,
// DID) are saved through /hotline. The caller dials the DID, hears the prompt (played by
// absolute path from the instance's lib/sounds/custom, nothing in the shared sid root), keys
// 1, talks to 8001, and after the agent hangs up keys a survey score, stored on the call
// (GET /hotline/calls/:linkedid). With 8001 on another call the caller overflows to 8003.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { defaultRootDir } from '../../firmware-agent/src/pbx-runtime/sid-root.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';
import { cleanSipp, csvFile, describeRun, freeUdpPortFor, scenario, startSipp, stopAllSipp, type SippProcess } from '../support/sipp.js';

const CARRIER = '127.0.0.2';
const DID = '4008005678';
const SHARED_SOUNDS = join(defaultRootDir(), 'usr/share/asterisk/sounds/custom');
const listShared = () => (existsSync(SHARED_SOUNDS) ? readdirSync(SHARED_SOUNDS).sort() : []);

let t: TestAgent;
let carrierPort: number;
let sharedBefore: string[];
const secrets = new Map<string, string>();
const events: AmiMessage[] = [];

beforeAll(async () => {
  sharedBefore = listShared();
  carrierPort = await freeUdpPortFor(CARRIER);
  t = await startTestAgent();
  t.agent.ami.on('event', (m: AmiMessage) => events.push(m));

  const seats = await t.api<{ provisioning: Array<{ extension: string; secret: string }> }>('POST', '/api/v1/seats/bulk', { from: '8001', to: '8003', namePattern: '坐席 {n}', kind: 'agent' });
  expect(seats.status, seats.text).toBe(200);
  for (const p of seats.body.provisioning) secrets.set(p.extension, p.secret);

  const trunk = await t.api('POST', '/api/v1/trunks', { name: '运营商', kind: 'sip', host: CARRIER, port: carrierPort, register: false, qualifySeconds: 0, dtmfMode: 'info' });
  expect(trunk.status, trunk.text).toBe(200);

  const prompt = await t.api('PUT', '/api/v1/hotline/prompts/welcome/tts', { text: '欢迎致电，请按一', lang: 'zh' });
  expect(prompt.status, prompt.text).toBe(200);
  expect(prompt.body.prompt.asteriskPath).toBe('/seatbox/lib/sounds/custom/ivr-welcome');

  const queues = (await t.api('GET', '/api/v1/hotline/queues')).body;
  Object.assign(queues.queues[0], { strategy: 'linear', ringTimeoutSeconds: 10, members: [{ seat: '8001', penalty: 0 }], survey: true, maxWaitSeconds: 30 });
  queues.queues[0].overflow = { seats: ['8003'], whenNoAgentFree: true, thenAfterSeconds: 10, final: 'hangup' };
  const q = await t.api('PUT', '/api/v1/hotline/queues', queues);
  expect(q.status, q.text).toBe(200);

  const ivr = (await t.api('GET', '/api/v1/hotline/ivr')).body;
  Object.assign(ivr, { did: DID, useBusinessHours: false });
  Object.assign(ivr.menus[0], { prompt: 'welcome', timeoutSeconds: 5, maxRetries: 1, options: [{ digit: '1', destination: { kind: 'queue', target: 'hotline' } }], fallback: { kind: 'hangup' } });
  const i = await t.api('PUT', '/api/v1/hotline/ivr', ivr);
  expect(i.status, i.text).toBe(200);
}, 120_000);

afterAll(async () => {
  await stopAllSipp();
  await t?.stop();
});

const remote = () => `127.0.0.1:${t.agent.opts.asterisk.sipPort}`;
const cred = (ext: string) => ({ user: ext, password: secrets.get(ext)! });

/** A registered seat phone answering with `answer`. */
async function phone(ext: string, answer: string, holdMs = 25_000): Promise<SippProcess> {
  const p = await startSipp({
    label: `e2e-phone-${ext}`,
    scenario: scenario('seat-phone.xml', { HOLD_MS: holdMs }),
    outOfCallScenario: answer,
    csv: csvFile([[ext, cred(ext)]]),
    remote: remote(),
    calls: 1,
    autoAnswer: true,
    timeoutSeconds: Math.ceil(holdMs / 1000) + 10,
  });
  await p.waitForMessage(/^SIP\/2\.0 200 OK[\s\S]*CSeq: 2 REGISTER/m);
  return p;
}

/** The carrier's caller: DTMF as SIP INFO after the pauses. */
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
    timeoutSeconds: 25,
  });
}

const after = (from: number) => events.slice(from);

describe('hotline end to end through the API (real Asterisk 22, SIPp)', () => {
  it('prompt per instance: the TTS file is in the data dir, the shared sid root is untouched', () => {
    expect(existsSync(join(t.dataDir, 'asterisk', 'lib', 'sounds', 'custom', 'ivr-welcome.wav'))).toBe(true);
    expect(listShared()).toEqual(sharedBefore);
  });

  it('DID → prompt → 1 → queue → 8001 answers and hangs up → survey 5 stored on the call', async () => {
    const agentPhone = await phone('8001', scenario('uas-answer-hangup.xml', { RING_MS: 300, TALK_MS: 1500 }));
    const from = events.length;
    const c = await caller('e2e-answer', '13812340001', [[800, '1'], [3500, '5']], 8000);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.logs).toContain('OUTCOME 200');
    expect(r.logs).toContain('FARBYE');
    // the menu prompt is played from the instance by absolute path
    const bg = after(from).find((e) => e.event === 'Newexten' && e.get('Application')?.toLowerCase() === 'background');
    expect(bg?.get('AppData')).toBe('/seatbox/lib/sounds/custom/ivr-welcome');
    // ... and found: Background sets FAILED when the file does not exist (the call would go on
    // to the key anyway, so the status is what proves the prompt was played)
    const status = after(from).filter((e) => e.event === 'VarSet' && e.get('Variable') === 'BACKGROUNDSTATUS').map((e) => e.get('Value'));
    expect(status).toEqual(['SUCCESS']);
    const connect = after(from).find((e) => e.event === 'AgentConnect');
    expect(connect?.get('Queue')).toBe('hotline');
    expect(connect?.get('Interface')).toBe('PJSIP/8001');
    const linkedid = connect!.get('Linkedid')!;
    const call = await waitFor('the survey score on the call', async () => {
      const res = await t.api('GET', `/api/v1/hotline/calls/${encodeURIComponent(linkedid)}`);
      return res.body?.surveyScore !== null && res.body?.surveyScore !== undefined ? res.body : undefined;
    }, 5000);
    expect(call).toMatchObject({ linkedid, surveyScore: 5 });
    const ar = await agentPhone.stop();
    expect(ar.logs).toContain('ANSWERED 8001');
    expect(ar.logs).toContain('AGENTBYE');
    cleanSipp(r);
    cleanSipp(ar);
  }, 30_000);

  it('8001 on another call: the caller overflows to 8003, which answers', async () => {
    const callee = await phone('8002', scenario('uas-answer-hangup.xml', { RING_MS: 100, TALK_MS: 15_000 }));
    const out = await phone('8003', scenario('uas-answer-hangup.xml', { RING_MS: 200, TALK_MS: 1000 }));
    const busyCall = await startSipp({
      label: 'e2e-busy-call',
      scenario: scenario('uac-call.xml', { TALK_MS: 15_000 }),
      csv: csvFile([['8001', cred('8001'), '8002']]),
      remote: remote(),
      calls: 1,
      timeoutSeconds: 25,
    });
    await waitFor('8001 in use', () => events.some((e) => e.event === 'DeviceStateChange' && e.get('Device') === 'PJSIP/8001' && e.get('State') === 'INUSE'), 10_000);
    const from = events.length;
    const c = await caller('e2e-overflow', '13812340002', [[800, '1']], 8000);
    const r = await c.done;
    expect(r.code, describeRun(r)).toBe(0);
    const ov = after(from).filter((e) => e.event === 'UserEvent' && e.get('UserEvent') === 'SeatBoxOverflow');
    expect(ov.map((e) => [e.get('Queue'), e.get('Reason'), e.get('Seats')])).toEqual([['hotline', 'JOINEMPTY', '8003']]);
    const dial = after(from).find((e) => e.event === 'DialEnd' && (e.get('DestChannel') ?? '').startsWith('PJSIP/8003-'));
    expect(dial?.get('DialStatus')).toBe('ANSWER');
    expect(after(from).some((e) => e.event === 'AgentConnect')).toBe(false);
    const or = await out.stop();
    expect(or.logs).toContain('ANSWERED 8003');
    for (const p of [busyCall, callee]) cleanSipp(await p.stop());
    cleanSipp(r);
    cleanSipp(or);
    expect(listShared()).toEqual(sharedBefore);
  }, 30_000);
});
