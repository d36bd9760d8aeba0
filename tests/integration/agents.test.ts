// Agents against the real Asterisk 22: the AstDB PIN records, login/pause/ready/logout by the
// real feature-code dialplan (*21*, *23, *24, *22 dialled by a Local channel carrying
// SEATBOX_SEAT, as a seat's phone would) and by the API, a call that rings and is answered
// on the seat, and a kill -9 of Asterisk mid-call. agent_state_history must hold exactly
// what happened: states in order, no gaps, no overlaps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTDB_FAMILY } from '../../firmware-agent/src/agents/agents-module.js';
import { phonePinHash } from '../../firmware-agent/src/agents/agent-store.js';
import type { SeatLive } from '../../firmware-agent/src/http/schemas.js';
import type { SeatBoxAgent } from '../../firmware-agent/src/main.js';
import { CONTEXTS } from '../../firmware-agent/src/pbx-config/model.js';
import type { ChrootAsterisk } from '../../firmware-agent/src/pbx-runtime/index.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';
import { assertHistoryExact } from '../unit/agents-support.js';

let t: TestAgent;
let dir: string;
let agent: SeatBoxAgent;
let api: TestAgent['api'];
let agentId: number;

/** What a seat's phone does when the agent dials a code: a channel with SEATBOX_SEAT in the seat context. */
async function dial(seat: string, digits: string): Promise<void> {
  const r = await agent.ami.action('Originate', {
    Channel: `Local/${digits}@${CONTEXTS.internal}`,
    Application: 'Wait',
    Data: '5',
    Variable: `SEATBOX_SEAT=${seat}`,
    Async: 'true',
  });
  expect(r.response).toBe('Success');
}

/** A call ringing the seat's phone, which answers after ringing and hangs up after talking (demo odds). */
async function ringSeat(seat: string, caller = '13800138000'): Promise<void> {
  const r = await agent.ami.action('Originate', {
    Channel: `Local/${seat}@${CONTEXTS.demoAgent}`,
    Context: CONTEXTS.pstnSim,
    Exten: caller,
    Priority: '1',
    Variable: `SEATBOX_SEAT=${seat}`,
    Account: 'inbound',
    Async: 'true',
  });
  expect(r.response).toBe('Success');
}

const seat = (ext: string): SeatLive => agent.agents.seatLive(ext);
const waitState = (ext: string, state: string, timeoutMs = 20_000) => waitFor(`seat ${ext} in ${state} (now ${seat(ext).state})`, () => seat(ext).state === state && seat(ext), timeoutMs);
const noChannels = () => waitFor('no channels left', async () => (await agent.ami.listAction('CoreShowChannels')).events.filter((e) => e.event === 'CoreShowChannel').length === 0);

function history(): Array<[string, string | null]> {
  const rows = agent.db.prepare('SELECT state, reason FROM agent_state_history WHERE agent_id = ? ORDER BY start_at, id').all(agentId) as Array<{ state: string; reason: string | null }>;
  return rows.map((r) => [r.state, r.reason]);
}

beforeAll(async () => {
  t = await startTestAgent({
    prepare: (db) => {
      // The simulated seat phone rings 1 s and talks 3 s; the simulated PSTN answers at once.
      new SettingsStore(db).set('demo.odds', { answerPercent: 100, ringMinSeconds: 1, ringMaxSeconds: 1, talkMinSeconds: 3, talkMaxSeconds: 3 });
      const addSeat = db.prepare("INSERT INTO seats (extension, name, tech, secret) VALUES (?, ?, 'sip', ?)");
      addSeat.run('8001', 'Seat 8001', 'Seat-8001-Secret');
      addSeat.run('8002', 'Seat 8002', 'Seat-8002-Secret');
    },
  });
  agent = t.agent;
  dir = t.dataDir;
  api = t.api;
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('agents on the real Asterisk 22', () => {
  it('writes the PIN records to AstDB as the dialplan reads them', async () => {
    const r = await api('POST', '/api/v1/agents', { number: '1001', name: '张三', pin: '1234' });
    expect(r.status).toBe(200);
    agentId = r.body.agent.id;
    expect((await api('PUT', '/api/v1/agent-settings', { wrapUpSeconds: 2 })).status).toBe(200);
    const salt = (await agent.ami.command(`database get ${ASTDB_FAMILY} 1001/salt`)).match(/Value: (\S+)/)?.[1];
    const pin = (await agent.ami.command(`database get ${ASTDB_FAMILY} 1001/pin`)).match(/Value: (\S+)/)?.[1];
    expect(salt).toMatch(/^[0-9a-f]{16}$/);
    expect(pin).toBe(phonePinHash(salt!, '1234'));
  });

  it('feature codes: a wrong PIN is refused; *21 logs in, *23<digit> pauses, *24 readies', async () => {
    await dial('8001', '*21*1001*9999');
    await waitFor('login_failed in the audit log', () => agent.audit.recent(5).some((a) => a.action === 'agent.phone_login_failed'));
    expect(seat('8001').state).toBe('logged_out');
    await noChannels();

    await dial('8001', '*21*1001*1234');
    const s = await waitState('8001', 'ready');
    expect(s.agent).toMatchObject({ number: '1001', name: '张三' });
    await noChannels();
    // The feature-code call itself was no call: still ready, never ringing or talking.
    expect(history()).toEqual([['ready', null]]);

    await dial('8001', '*232');
    expect((await waitState('8001', 'paused')).pauseReason).toBe('2');
    await noChannels();
    await dial('8001', '*24');
    await waitState('8001', 'ready');
    await noChannels();
    expect(history()).toEqual([
      ['ready', null],
      ['paused', '2'],
      ['ready', null],
    ]);
  });

  it('a call to the seat: ringing → talking → wrap-up → ready by the timer', async () => {
    const states: string[] = [];
    const onMsg = (m: { type: string; data: SeatLive }) => {
      if (m.type === 'seat.updated' && m.data.extension === '8001') states.push(m.data.state);
    };
    agent.live.on('message', onMsg);
    await ringSeat('8001');
    const ringing = await waitState('8001', 'ringing');
    expect(ringing.callLinkedid).toBeTruthy();
    const talking = await waitState('8001', 'talking');
    expect(talking.callLinkedid).toBe(ringing.callLinkedid);
    const wrap = await waitState('8001', 'wrap_up');
    expect(wrap.wrapUpEndsAt).not.toBeNull();
    expect(Date.parse(wrap.wrapUpEndsAt!) - Date.parse(wrap.since)).toBe(2000);
    await waitState('8001', 'ready');
    agent.live.off('message', onMsg);
    expect(states).toEqual(['ringing', 'talking', 'wrap_up', 'ready']);
    await noChannels();
  });

  it('the API: pause during a call takes effect after the wrap-up; logout closes the session', async () => {
    await ringSeat('8001');
    await waitState('8001', 'talking');
    const p = await api('POST', `/api/v1/agents/${agentId}/pause`, { reasonCode: '1' });
    expect(p.body).toMatchObject({ effect: 'after_call', agent: { live: { state: 'talking', afterCall: 'paused', afterCallReason: '1' } } });
    await waitState('8001', 'wrap_up');
    expect((await waitState('8001', 'paused')).pauseReason).toBe('1');
    expect((await api('POST', `/api/v1/agents/${agentId}/ready`)).body.agent.live.state).toBe('ready');
    await dial('8001', '*22');
    await waitState('8001', 'logged_out');
    await noChannels();
    expect(history()).toEqual([
      ['ready', null],
      ['paused', '2'],
      ['ready', null],
      ['ringing', null],
      ['talking', null],
      ['wrap_up', null],
      ['ready', null],
      ['ringing', null],
      ['talking', null],
      ['wrap_up', null],
      ['paused', '1'],
      ['ready', null],
    ]);
    const sessions = agent.db.prepare('SELECT seat, login_source, logout_reason FROM agent_sessions WHERE agent_id = ?').all(agentId);
    expect(sessions).toEqual([{ seat: '8001', login_source: 'phone', logout_reason: 'agent' }]);
    const linked = agent.db.prepare("SELECT DISTINCT linkedid FROM agent_state_history WHERE agent_id = ? AND state IN ('ringing','talking','wrap_up')").all(agentId) as Array<{ linkedid: string }>;
    expect(linked).toHaveLength(2);
    for (const l of linked) expect(agent.store.call(l.linkedid)?.state).toBe('ended');
    assertHistoryExact(agent.db);
  });

  it('kill -9 of Asterisk mid-call: the agent leaves talking (wrap-up, then ready) and the PINs are written again', async () => {
    expect((await api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8002' })).status).toBe(200);
    // A call that would talk for 10 minutes.
    new SettingsStore(agent.db).set('demo.odds', { answerPercent: 100, ringMinSeconds: 0, ringMaxSeconds: 0, talkMinSeconds: 600, talkMaxSeconds: 600 });
    expect(await agent.applyModel(agent.buildModel())).toEqual({ ok: true });
    await ringSeat('8002');
    await waitState('8002', 'talking');
    const before = history().length;
    // Tests run the chrooted Asterisk (the only kind that can be killed from here).
    const ast = agent.asterisk as ChrootAsterisk;
    const oldPid = ast.pid;
    ast.kill9();
    await waitFor('Asterisk restarted by the agent', () => ast.running && ast.pid !== oldPid, 60_000);
    await waitFor('AMI reconnected', () => agent.ami.connected, 60_000);
    await waitState('8002', 'ready', 30_000);
    expect(history().slice(before - 1)).toEqual([
      ['talking', null],
      ['wrap_up', null],
      ['ready', null],
    ]);
    // The restarted Asterisk has a fresh astdb: the PIN records were written again.
    await waitFor('PIN back in AstDB', async () => /Value: [0-9a-f]{40}/.test(await agent.ami.command(`database get ${ASTDB_FAMILY} 1001/pin`)), 20_000);
    expect((await api('POST', `/api/v1/agents/${agentId}/logout`)).status).toBe(200);
    assertHistoryExact(agent.db);
  });

  it('an agent-process restart continues the open state interval: no gap, no second row', async () => {
    expect((await api('POST', `/api/v1/agents/${agentId}/login`, { seat: '8001' })).status).toBe(200);
    expect((await api('POST', `/api/v1/agents/${agentId}/pause`, { reasonCode: '3' })).body.effect).toBe('now');
    const open = () => agent.db.prepare('SELECT id, state, reason, start_at FROM agent_state_history WHERE agent_id = ? AND end_at IS NULL').all(agentId);
    const before = open();
    expect(before).toMatchObject([{ state: 'paused', reason: '3' }]);
    agent = await t.restart();
    expect(open()).toEqual(before);
    expect(seat('8001')).toMatchObject({ state: 'paused', pauseReason: '3', since: (before[0] as { start_at: string }).start_at });
    await waitFor('AstDB rewritten after the restart', async () => /Value: [0-9a-f]{40}/.test(await agent.ami.command(`database get ${ASTDB_FAMILY} 1001/pin`)));
    // The session (cookie) survived too; the agent goes on from here.
    expect((await api('POST', `/api/v1/agents/${agentId}/ready`)).body.agent.live.state).toBe('ready');
    expect((await api('POST', `/api/v1/agents/${agentId}/logout`)).status).toBe(200);
    assertHistoryExact(agent.db);
  });
});
