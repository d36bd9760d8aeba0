// The hotline against the real Asterisk 22 (whole agent in-process): a SeatBoxCallback
// UserEvent is stored as a callback task and "call back" originates from the agent's seat;
// a SeatBoxSurvey score lands on a real call's record; team-lead monitoring originates into
// the monitoring context; an IVR with a loop is refused with a clear message and the
// generated config stays untouched, a good one is applied.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import type { SeatBoxAgent } from '../../firmware-agent/src/main.js';
import { CONTEXTS } from '../../firmware-agent/src/pbx-config/model.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';

let t: TestAgent;
let agent: SeatBoxAgent;
const events: AmiMessage[] = [];

beforeAll(async () => {
  t = await startTestAgent({
    prepare: (db) => {
      new SettingsStore(db).set('demo.odds', { answerPercent: 100, ringMinSeconds: 1, ringMaxSeconds: 1, talkMinSeconds: 2, talkMaxSeconds: 2 });
      const addSeat = db.prepare("INSERT INTO seats (extension, name, tech, secret) VALUES (?, ?, 'sip', ?)");
      for (const s of ['8001', '8002', '8003']) addSeat.run(s, `Seat ${s}`, `Seat-${s}-Secret`);
    },
  });
  agent = t.agent;
  agent.ami.on('event', (m: AmiMessage) => events.push(m));
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

const newChannel = (prefix: string) => waitFor(`a channel ${prefix}`, () => events.find((e) => e.event === 'Newchannel' && (e.get('Channel') ?? '').startsWith(prefix)));

describe('hotline on the real Asterisk 22', () => {
  it('stores a SeatBoxCallback UserEvent as a task; one click originates from the seat', async () => {
    const ue = await agent.ami.action('UserEvent', { UserEvent: 'SeatBoxCallback', Number: '13800138000', Queue: 'hotline', Linkedid: 'hl-cb-1' });
    expect(ue.response).toBe('Success');
    const cb = await waitFor('the callback task', async () => (await t.api('GET', '/api/v1/hotline/callbacks')).body.callbacks.find((c: { linkedid: string }) => c.linkedid === 'hl-cb-1'));
    expect(cb).toMatchObject({ number: '13800138000', queue: 'hotline', source: 'ivr', status: 'open' });

    const r = await t.api('POST', `/api/v1/hotline/callbacks/${cb.id}/dial`, { seat: '8001' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'dialing', attempts: 1, lastSeat: '8001' });
    // The Local channel towards the seat exists in Asterisk: the seat rings first.
    const ch = await newChannel(`Local/8001@${CONTEXTS.seats}`);
    expect(ch.get('Exten')).toBe('8001');
    const out = await t.api('POST', `/api/v1/hotline/callbacks/${cb.id}/outcome`, { outcome: 'reached' });
    expect(out.body).toMatchObject({ status: 'done', outcome: 'reached' });
  }, 60_000);

  it('stores a SeatBoxSurvey score on a real call record', async () => {
    const r = await agent.ami.action('Originate', { Channel: `Local/8002@${CONTEXTS.demoAgent}`, Context: CONTEXTS.pstnSim, Exten: '13900139000', Priority: '1', Variable: 'SEATBOX_SEAT=8002', Account: 'inbound', Async: 'true' });
    expect(r.response).toBe('Success');
    const ch = await newChannel(`Local/8002@${CONTEXTS.demoAgent}`);
    const linkedid = ch.get('Linkedid')!;
    const call = await waitFor('the call record', () => agent.db.prepare('SELECT linkedid FROM calls WHERE linkedid = ?').get(linkedid) as { linkedid: string } | undefined);
    await agent.ami.action('UserEvent', { UserEvent: 'SeatBoxSurvey', Linkedid: call.linkedid, Score: '4' });
    await waitFor('the survey score', () => agent.db.prepare('SELECT score FROM call_surveys WHERE linkedid = ?').get(call.linkedid));
    const joined = agent.db.prepare('SELECT c.linkedid, s.score FROM calls c JOIN call_surveys s USING (linkedid) WHERE c.linkedid = ?').get(call.linkedid);
    expect(joined).toEqual({ linkedid: call.linkedid, score: 4 });
    expect((await t.api('GET', `/api/v1/hotline/calls/${encodeURIComponent(call.linkedid)}`)).body).toMatchObject({ surveyScore: 4 });
  }, 60_000);

  it('monitoring rings the lead seat into the monitoring context and logs SeatBoxMonitor sessions', async () => {
    const sup = await t.api('PUT', '/api/v1/hotline/monitoring', { supervisorSeats: ['8003'] });
    expect(sup.status, sup.text).toBe(200);
    const r = await t.api('POST', '/api/v1/hotline/monitor', { targetSeat: '8001', mode: 'listen', leadSeat: '8003' });
    // The seat's phone is not registered here: Asterisk refuses the PJSIP channel or accepts
    // the async Originate; either way the request reached Asterisk as an Originate.
    expect([202, 502], r.text).toContain(r.status);
    await agent.ami.action('UserEvent', { UserEvent: 'SeatBoxMonitor', Phase: 'start', Mode: 'listen', SpySeat: '8003', TargetSeat: '8001', Linkedid: 'mon-1' });
    await agent.ami.action('UserEvent', { UserEvent: 'SeatBoxMonitor', Phase: 'end', Mode: 'listen', SpySeat: '8003', TargetSeat: '8001', Linkedid: 'mon-1' });
    const s = await waitFor('a closed monitor session', async () => (await t.api('GET', '/api/v1/hotline/monitor/sessions')).body.sessions.find((x: { endedAt: string | null }) => x.endedAt));
    expect(s).toMatchObject({ leadSeat: '8003', targetSeat: '8001', mode: 'listen', username: 'admin' });
  }, 60_000);

  it('refuses an IVR with a loop (config untouched) and applies a good one', async () => {
    const queues = (await t.api('GET', '/api/v1/hotline/queues')).body;
    queues.queues[0].members = [{ seat: '8001', penalty: 0 }, { seat: '8002', penalty: 1 }];
    queues.queues[0].overflow.seats = ['8003'];
    const q = await t.api('PUT', '/api/v1/hotline/queues', queues);
    expect(q.status, q.text).toBe(200);

    const conf = join(agent.asterisk.paths.etc, 'extensions.conf');
    const before = readFileSync(conf, 'utf8');
    const ivr = (await t.api('GET', '/api/v1/hotline/ivr')).body;
    ivr.menus.push({ id: 'sales', name: '销售', prompt: null, timeoutSeconds: 5, maxRetries: 1, invalidPrompt: null, options: [{ digit: '1', destination: { kind: 'seat', target: '8002' } }], fallback: { kind: 'menu', target: 'main' } });
    ivr.menus[0].options.push({ digit: '2', destination: { kind: 'menu', target: 'sales' } });
    ivr.menus[0].fallback = { kind: 'menu', target: 'sales' };
    const bad = await t.api('PUT', '/api/v1/hotline/ivr', ivr);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('hotline_invalid');
    expect(bad.body.message).toContain('loop: a caller who presses nothing goes round "主菜单" → "销售" → "主菜单" forever');
    expect(bad.body.issues[0].path).toMatch(/^menus\[[01]\]\.fallback$/);
    expect(readFileSync(conf, 'utf8')).toBe(before);
    expect((await t.api('GET', '/api/v1/hotline/ivr')).body.menus).toHaveLength(1);

    ivr.menus[0].fallback = { kind: 'queue', target: 'hotline' };
    const good = await t.api('PUT', '/api/v1/hotline/ivr', ivr);
    expect(good.status, good.text).toBe(200);
    expect((await t.api('GET', '/api/v1/hotline/ivr')).body.menus).toHaveLength(2);
    const after = readFileSync(conf, 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('4000000000');
  }, 90_000);
});
