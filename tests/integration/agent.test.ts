// The whole agent against the real Asterisk 22 in the sid root: a Local call shows up in
// the call model, in SQLite and on the websocket; a kill -9 of Asterisk mid-call is
// survived: restart, AMI reconnect, resync, no phantom channels, the cut call closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatBoxAgent } from '../../firmware-agent/src/main.js';
import { CONTEXTS } from '../../firmware-agent/src/pbx-config/model.js';
import type { ChrootAsterisk } from '../../firmware-agent/src/pbx-runtime/index.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';

let t: TestAgent;
let agent: SeatBoxAgent;
let base: string;

beforeAll(async () => {
  t = await startTestAgent({
    // Every simulated PSTN call answers and talks for a long time: the call is up when we cut it.
    prepare: (db) => new SettingsStore(db).set('demo.odds', { answerPercent: 100, ringMinSeconds: 0, ringMaxSeconds: 0, talkMinSeconds: 600, talkMaxSeconds: 600 }),
  });
  agent = t.agent;
  base = t.base;
  await t.openLive();
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('agent on the real Asterisk 22', () => {
  it('reports a connected Asterisk 22 on /api/v1/health', async () => {
    const health = (await (await fetch(`${base}/api/v1/health`)).json()) as { status: string; asterisk: { connected: boolean; version: string } };
    expect(health.asterisk.connected).toBe(true);
    expect(health.asterisk.version).toMatch(/^22\./);
    expect(health.status).toBe('ok');
    await waitFor('hello frame', () => t.frames.find((f) => f.type === 'hello'));
  });

  let linkedid: string;

  it('sees an originated Local call in the call model, in SQLite and on the websocket', async () => {
    const res = await agent.ami.action('Originate', {
      Channel: `Local/13800138000@${CONTEXTS.pstnSim}`,
      Context: CONTEXTS.demoAgent,
      Exten: '8001',
      Priority: '1',
      Account: 'outbound',
      Async: 'true',
    });
    expect(res.response).toBe('Success');
    const live = await waitFor('an answered call in the model', () => agent.model.liveCalls().find((c) => c.answeredAt && c.legs.length >= 2));
    linkedid = live.linkedid;
    expect(live.direction).toBe('outbound');
    expect(live.to).toBe('13800138000');
    const frame = await waitFor('call.updated on the websocket', () =>
      t.frames.find((f) => f.type === 'call.updated' && f.data.linkedid === linkedid && f.data.answeredAt),
    );
    expect(frame.type).toBe('call.updated');
    agent.store.flush();
    const row = agent.store.call(linkedid);
    expect(row?.state).toMatch(/answered|bridged/);
    expect(agent.store.legsOf(linkedid).length).toBeGreaterThanOrEqual(2);
    const status = (await t.api<{ asterisk: { channels: number; calls: number } }>('GET', '/api/v1/system/status')).body;
    expect(status.asterisk.calls).toBe(1);
    expect(status.asterisk.channels).toBeGreaterThanOrEqual(2);
  });

  it('survives kill -9 of Asterisk mid-call: restart, reconnect, no phantom channels, the call closed with a cause', async () => {
    const asterisk = agent.asterisk as ChrootAsterisk;
    const oldPid = asterisk.pid;
    t.frames.length = 0;
    asterisk.kill9();
    await waitFor('Asterisk restarted by the agent', () => asterisk.running && asterisk.pid !== oldPid, 60_000);
    await waitFor('AMI reconnected', () => agent.ami.connected, 60_000);
    const ended = await waitFor('call.ended on the websocket', () => t.frames.find((f) => f.type === 'call.ended' && f.data.linkedid === linkedid), 30_000);
    expect(ended.type).toBe('call.ended');
    agent.store.flush();
    const row = agent.store.call(linkedid);
    expect(row?.state).toBe('ended');
    expect(row?.end_reason).toBe('pbx_restart');
    expect(row?.cause).toBe(38);
    expect(agent.store.legsOf(linkedid).every((l) => l.hungupAt !== null)).toBe(true);
    // Nothing phantom: the model and Asterisk agree there is nothing up.
    const list = await agent.ami.listAction('CoreShowChannels');
    expect(list.events.filter((e) => e.event === 'CoreShowChannel')).toHaveLength(0);
    expect(agent.model.channelCount).toBe(0);
    expect(agent.model.callCount).toBe(0);
    const health = (await (await fetch(`${base}/api/v1/health`)).json()) as { asterisk: { connected: boolean; channels: number } };
    expect(health.asterisk).toMatchObject({ connected: true, channels: 0 });
  });
});

describe('config changes through the agent', () => {
  it('applies a changed model, records it in config_applies and the audit log', async () => {
    const model = agent.buildModel();
    model.demo.talkMaxSeconds = 700;
    const res = await agent.applyModel(model, { username: 'admin' });
    expect(res).toEqual({ ok: true });
    const row = agent.db.prepare('SELECT revision, ok FROM config_applies ORDER BY id DESC LIMIT 1').get() as { revision: string; ok: number };
    expect(row).toEqual({ revision: model.revision, ok: 1 });
    expect(agent.audit.recent(5).some((a) => a.action === 'pbx.config_applied' && a.target === `revision:${model.revision}`)).toBe(true);
    const shown = await agent.ami.command('dialplan show seatbox-meta');
    expect(shown).toContain(model.revision);
  });

  it('refuses an invalid model before Asterisk sees it and reports the error in the status', async () => {
    const model = agent.buildModel();
    const before = await agent.ami.command('dialplan show seatbox-meta');
    (model.sip as { bind: string }).bind = '127.0.0.1\n[evil]';
    const res = await agent.applyModel(model);
    expect(res.ok).toBe(false);
    expect(res.error).toMatch(/sip\.bind/);
    expect(agent.status().asterisk.lastReloadError).toMatch(/sip\.bind/);
    expect(await agent.ami.command('dialplan show seatbox-meta')).toBe(before);
    expect(agent.audit.recent(1)[0]?.action).toBe('pbx.config_refused');
  });
});
