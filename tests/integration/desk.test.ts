// The agent desktop core on the real Asterisk 22 (demo mode: the simulated PSTN answers, seats
// answer as the demo's simulated phones in seatbox-dialer-seat). An agent user logged in through
// the API works from the desktop: a dialer call pops the lead and script on that user's
// websocket only; the ended call holds the agent in wrap-up past the timer until the
// disposition; a callback disposition schedules the lead; click-to-dial reaches the simulated
// PSTN; hold puts the customer in MusicOnHold and unhold bridges again; blind transfer to
// another seat; a three-party conference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHash } from 'node:crypto';
import { UserStore } from '../../firmware-agent/src/auth/users.js';
import type { DeskState } from '../../firmware-agent/src/desk/contract.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { startTestAgent, waitFor, type TestAgent } from '../support/agent.js';

// Every simulated call answers after 1 s and stays up for a minute (the tests end them).
const ODDS = { answerPercent: 100, busyPercent: 0, noAnswerPercent: 0, ringMinSeconds: 1, ringMaxSeconds: 1, noAnswerSeconds: 3, talkMinSeconds: 60, talkMaxSeconds: 60, sound: 'silence/1' };
const SEATS = ['8101', '8102', '8103'];
const PASSWORD = 'Agent-Pass-word-1';

let t: TestAgent;
let agentId: number;
let campaignId: number;
let leadId: number;
const agentFrames: LiveMessage[] = [];
const adminFrames: LiveMessage[] = [];
const sockets: WebSocket[] = [];

/** A second API client: the agent's own session. */
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
  return { call, cookie: () => cookie };
}
let me: Awaited<ReturnType<typeof client>>;

const lastDesk = (): DeskState | undefined => [...agentFrames].reverse().find((f) => f.type === 'desk.state')?.data as DeskState | undefined;
const waitDesk = (what: string, fn: (s: DeskState) => boolean, ms = 20_000) => waitFor(`desk: ${what} (last: ${JSON.stringify(lastDesk() && { state: lastDesk()!.state, call: lastDesk()!.call?.state, wrap: lastDesk()!.wrapUp })})`, () => { const s = lastDesk(); return s && fn(s) ? s : undefined; }, ms);
const channels = async () => (await t.agent.ami.listAction('CoreShowChannels')).events.filter((e) => e.event === 'CoreShowChannel').map((e) => ({ channel: e.get('Channel') ?? '', app: e.get('Application') ?? '', bridge: e.get('BridgeId') ?? '', linkedid: e.get('Linkedid') ?? '', state: e.get('ChannelStateDesc') ?? '' }));
const hangupAll = async () => {
  for (const c of await channels()) await t.agent.ami.action('Hangup', { Channel: c.channel }).catch(() => undefined);
  await waitFor('no channels left', async () => (await channels()).length === 0, 15_000);
};

function openWs(cookie: string, into: LiveMessage[]): Promise<WebSocket> {
  const ws = new WebSocket(`${t.base.replace('http', 'ws')}/api/v1/live`, { headers: { cookie } });
  sockets.push(ws);
  ws.on('message', (d) => into.push(JSON.parse(String(d)) as LiveMessage));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  t = await startTestAgent({
    prepare: (db) => {
      new SettingsStore(db).set('demo.odds', ODDS);
      new SettingsStore(db).set('agents.wrapUpSeconds', 2);
      const addSeat = db.prepare("INSERT INTO seats (extension, name, tech, secret) VALUES (?, ?, 'sip', ?)");
      for (const s of SEATS) addSeat.run(s, `Seat ${s}`, `Seat-${s}-Secret-xy`);
    },
  });
  const db = t.agent.db;
  const user = await new UserStore(db).create({ username: 'agent1', password: PASSWORD, roles: ['agent'] });
  const r = await t.api('POST', '/api/v1/agents', { number: '3001', name: 'Desk Agent', pin: '1234' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  agentId = r.body.agent.id;
  db.prepare('UPDATE agents SET user_id = ? WHERE id = ?').run(user.id, agentId);
  const allDay = [{ from: '00:00', to: '24:00' }];
  const c = t.agent.campaigns.campaigns.create({
    name: 'desk-it',
    dialMode: 'predictive',
    settings: { hours: { timezone: 'Asia/Shanghai', weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [] }, script: '您好，请问是{{name}}吗？我是{{fields.company}}的客服。' },
  });
  campaignId = c.id;
  const list = Number(
    db.prepare("INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, imported_by, rows_total, rows_imported) VALUES (?, 'test', 'x.csv', ?, 'utf-8', 'test', 1, 1)").run(c.id, createHash('sha256').update('x').digest('hex')).lastInsertRowid,
  );
  leadId = Number(db.prepare("INSERT INTO leads (campaign_id, list_id, source_line, phone, phone_kind, name, fields_json, custody, team) VALUES (?, ?, 2, '17100001234', 'mobile', '王伟', ?, 'team', NULL)").run(c.id, list, JSON.stringify({ company: '华夏商贸' })).lastInsertRowid);
  me = await client(t.base, 'agent1', PASSWORD);
  await openWs(me.cookie(), agentFrames);
  // The admin's socket must never see the agent's desk.
  await t.openLive();
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe('agent desktop on the real Asterisk 22', () => {
  it('refuses a user without an agent, and logs the agent in from the desktop', async () => {
    const admin = await t.api('GET', '/api/v1/desk/state');
    expect(admin.status).toBe(403);
    expect(admin.body.error).toBe('no_agent');
    const r = await me.call('POST', '/api/v1/desk/login', { seat: '8101' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.state).toBe('ready');
    expect(r.body.seat).toBe('8101');
    await waitDesk('ready at 8101', (s) => s.state === 'ready' && s.seat === '8101');
    const src = t.agent.db.prepare('SELECT login_source FROM agent_sessions WHERE agent_id = ? AND logout_at IS NULL').get(agentId) as { login_source: string };
    expect(src.login_source).toBe('ui');
    // A desktop session: only these get the disposition hold.
    expect(t.agent.db.prepare('SELECT count(*) AS n FROM desk_sessions WHERE agent_id = ?').get(agentId)).toEqual({ n: 1 });
  });

  it('a dialer call pops the lead and the script for this user only; wrap-up is held past the timer until the disposition', async () => {
    const campaign = { id: campaignId, name: 'desk-it', status: 'draft', dialMode: 'predictive', dropCapPercent: 3, channelLimit: 10, trunk: null, callerId: null };
    await t.agent.dialer.placeCall(campaign, leadId, '17100001234');
    const pop = await waitDesk('dialer call talking', (s) => s.state === 'talking' && s.call?.kind === 'dialer' && s.call.customer?.leadId === leadId, 30_000);
    expect(pop.call!.customer!.script.text).toBe('您好，请问是王伟吗？我是华夏商贸的客服。');
    expect(pop.call!.customer!.name).toBe('王伟');
    // Predictive: the agent sees the number masked.
    expect(pop.call!.number).toBe('171****1234');
    expect(pop.call!.customer!.campaignName).toBe('desk-it');
    // Only the agent's user got desk frames.
    expect(t.frames.some((f) => f.type === 'desk.state')).toBe(false);
    // The lead is handed to the agent on connect.
    expect((t.agent.db.prepare('SELECT claimed_by, status FROM leads WHERE id = ?').get(leadId) as { claimed_by: string }).claimed_by).toBe(`agent:${agentId}`);

    const h = await me.call('POST', '/api/v1/desk/hangup');
    expect(h.status, JSON.stringify(h.body)).toBe(200);
    const wrap = await waitDesk('wrap-up', (s) => s.state === 'wrap_up' && !!s.wrapUp);
    expect(wrap.wrapUp!.leadId).toBe(leadId);
    expect(wrap.wrapUp!.dispositionRequired).toBe(true);
    expect(wrap.call?.state).toBe('ended');
    // Past the 2 s timer: still wrap-up, now overdue.
    await waitDesk('overdue', (s) => s.wrapUp?.overdue === true, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(t.agent.agents.liveOf(agentId)!.state).toBe('wrap_up');
    // Ready does not end the held wrap-up.
    const ready = await me.call('POST', '/api/v1/desk/ready');
    expect(ready.status, JSON.stringify(ready.body)).toBe(200);
    expect(ready.body.state).toBe('wrap_up');
    // Dialling is refused until the disposition is saved.
    const dial = await me.call('POST', '/api/v1/desk/dial', { number: '17100009999' });
    expect(dial.status).toBe(409);
    expect(dial.body.error).toBe('disposition_required');

    const bad = await me.call('POST', '/api/v1/desk/disposition', { disposition: 'callback' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('callbackAt');
    const at = new Date(Date.now() + 3 * 3600_000).toISOString();
    const ok = await me.call('POST', '/api/v1/desk/disposition', { disposition: 'callback', callbackAt: at, notes: '客户下午再联系' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.wrapUp).toBeNull();
    expect(ok.body.state).toBe('ready');
    const lead = t.agent.db.prepare('SELECT status, callback_at, claimed_by, agent_id FROM leads WHERE id = ?').get(leadId) as { status: string; callback_at: string; claimed_by: string | null; agent_id: number };
    expect(lead.status).toBe('callback');
    expect(lead.callback_at).toBe(at);
    expect(lead.claimed_by).toBeNull();
    expect(lead.agent_id).toBe(agentId);
    const note = t.agent.db.prepare('SELECT notes, disposition FROM desk_notes WHERE lead_id = ?').get(leadId) as { notes: string; disposition: string };
    expect(note).toEqual({ notes: '客户下午再联系', disposition: 'callback' });
    // The held wrap-up was recorded as one wrap_up interval longer than the timer.
    const w = t.agent.db.prepare("SELECT start_at, end_at FROM agent_state_history WHERE agent_id = ? AND state = 'wrap_up' ORDER BY id DESC LIMIT 1").get(agentId) as { start_at: string; end_at: string };
    expect(Date.parse(w.end_at) - Date.parse(w.start_at)).toBeGreaterThan(2500);
    // Statistics of the day count the call, the contact and the wrap-up.
    const st = await me.call('GET', '/api/v1/desk/stats');
    expect(st.status, JSON.stringify(st.body)).toBe(200);
    expect(st.body.calls).toBe(1);
    expect(st.body.contacts).toBe(1);
    expect(st.body.sales).toBe(0);
    expect(st.body.wrapSeconds).toBeGreaterThanOrEqual(2);
    await hangupAll();
  }, 90_000);

  it('click-to-dial reaches the simulated PSTN; hold → MusicOnHold → unhold bridges again; blind transfer to another seat', async () => {
    const r = await me.call('POST', '/api/v1/desk/dial', { number: '17100005555' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const talk = await waitDesk('manual call answered', (s) => s.call?.kind === 'manual' && s.call.state === 'talking', 30_000);
    const linkedid = talk.call!.linkedid;
    const row = t.agent.db.prepare('SELECT answered_at, linkedid FROM desk_calls ORDER BY id DESC LIMIT 1').get() as { answered_at: string | null; linkedid: string };
    expect(row.answered_at).not.toBeNull();
    expect(row.linkedid).toBe(linkedid);
    const pstn = (await channels()).find((c) => c.channel.includes('@seatbox-pstn-sim') && c.channel.endsWith(';1'));
    expect(pstn).toBeTruthy();

    const h = await me.call('POST', '/api/v1/desk/hold');
    expect(h.status, JSON.stringify(h.body)).toBe(200);
    expect(h.body.call.state).toBe('held');
    await waitFor('customer in MusicOnHold', async () => (await channels()).some((c) => c.channel === pstn!.channel && c.app === 'MusicOnHold'), 10_000);
    const u = await me.call('POST', '/api/v1/desk/unhold');
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    expect(u.body.call.state).toBe('talking');
    await waitFor('customer bridged with the agent again', async () => {
      const all = await channels();
      const cust = all.find((c) => c.channel === pstn!.channel);
      const agentLeg = all.find((c) => c.channel.startsWith('Local/8101@seatbox-dialer-seat') && c.channel.endsWith(';1'));
      return !!cust && !!agentLeg && cust.bridge !== '' && cust.bridge === agentLeg.bridge && cust.app !== 'MusicOnHold';
    }, 10_000);

    const x = await me.call('POST', '/api/v1/desk/transfer', { target: '8102', mode: 'blind' });
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    await waitFor('customer bridged with seat 8102', async () => {
      const all = await channels();
      const cust = all.find((c) => c.channel === pstn!.channel);
      const target = all.find((c) => c.channel.startsWith('Local/8102@seatbox-dialer-seat') && c.channel.endsWith(';1'));
      return !!cust && !!target && cust.bridge !== '' && cust.bridge === target.bridge;
    }, 15_000);
    // The agent left the call: wrap-up held for the disposition of the manual call.
    const wrap = await waitDesk('wrap-up after transfer', (s) => s.state === 'wrap_up' && s.wrapUp?.linkedid === linkedid, 15_000);
    expect(wrap.call?.state).toBe('ended');
    const d = await me.call('POST', '/api/v1/desk/disposition', { disposition: 'transferred', notes: 'to 8102' });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(d.body.state).toBe('ready');
    await hangupAll();
  }, 90_000);

  it('attended transfer: consultation (customer on hold), cancel takes the customer back, complete connects customer and target', async () => {
    expect((await me.call('POST', '/api/v1/desk/dial', { number: '17100007777' })).status).toBe(200);
    await waitDesk('manual call answered', (s) => s.call?.kind === 'manual' && s.call.state === 'talking', 30_000);
    const pstn = (await channels()).find((c) => c.channel.includes('@seatbox-pstn-sim') && c.channel.endsWith(';1'))!;
    const agentLeg = () => channels().then((all) => all.find((c) => c.channel.startsWith('Local/8101@seatbox-dialer-seat') && c.channel.endsWith(';1')));
    const leg = (seat: string) => channels().then((all) => all.find((c) => c.channel.startsWith(`Local/${seat}@seatbox-dialer-seat`) && c.channel.endsWith(';1')));
    // Consult 8103, then cancel.
    const a = await me.call('POST', '/api/v1/desk/transfer', { target: '8103', mode: 'attended' });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.call.consult).toEqual({ target: '8103', state: 'ringing' });
    await waitDesk('consultation answered', (s) => s.call?.consult?.state === 'talking', 15_000);
    await waitFor('customer on hold, agent with 8103', async () => {
      const all = await channels();
      const cust = all.find((c) => c.channel === pstn.channel);
      const ag = await agentLeg();
      const tg = await leg('8103');
      return cust?.app === 'MusicOnHold' && !!ag?.bridge && ag.bridge === tg?.bridge;
    }, 10_000);
    const cancel = await me.call('POST', '/api/v1/desk/transfer/cancel');
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    expect(cancel.body.call.state).toBe('talking');
    await waitFor('customer back with the agent, 8103 gone', async () => {
      const all = await channels();
      const cust = all.find((c) => c.channel === pstn.channel);
      const ag = await agentLeg();
      return !!cust?.bridge && cust.bridge === ag?.bridge && !(await leg('8103'));
    }, 10_000);
    // Consult 8102 and complete.
    expect((await me.call('POST', '/api/v1/desk/transfer', { target: '8102', mode: 'attended' })).status).toBe(200);
    await waitDesk('consultation answered', (s) => s.call?.consult?.state === 'talking', 15_000);
    const done = await me.call('POST', '/api/v1/desk/transfer/complete');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await waitFor('customer bridged with 8102, the agent left', async () => {
      const all = await channels();
      const cust = all.find((c) => c.channel === pstn.channel);
      const tg = await leg('8102');
      return !!cust?.bridge && cust.bridge === tg?.bridge && !(await agentLeg());
    }, 10_000);
    await waitDesk('wrap-up after the transfer', (s) => s.state === 'wrap_up', 15_000);
    expect((await me.call('POST', '/api/v1/desk/disposition', { disposition: 'transferred' })).status).toBe(200);
    await hangupAll();
  }, 90_000);

  it('preview: next lead (full number), click-to-dial the lead, disposition records the sale', async () => {
    const db = t.agent.db;
    const allDay = [{ from: '00:00', to: '24:00' }];
    const c = t.agent.campaigns.campaigns.create({ name: 'desk-preview', dialMode: 'preview', settings: { hours: { timezone: 'Asia/Shanghai', weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [] } } });
    t.agent.campaigns.campaigns.setStatus(c.id, 'active', new Date());
    const list = Number(db.prepare("INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, imported_by, rows_total, rows_imported) VALUES (?, 'test', 'p.csv', 'h', 'utf-8', 'test', 1, 1)").run(c.id).lastInsertRowid);
    const pl = Number(db.prepare("INSERT INTO leads (campaign_id, list_id, source_line, phone, phone_kind, name, fields_json, custody, agent_id) VALUES (?, ?, 2, '17100008888', 'mobile', '赵敏', '{}', 'agent', ?)").run(c.id, list, agentId).lastInsertRowid);
    const none = await me.call('POST', '/api/v1/desk/preview/next');
    expect(none.status).toBe(409);
    expect(none.body.field).toBe('campaignId');
    expect((await me.call('POST', '/api/v1/desk/campaign', { campaignId: c.id })).status).toBe(200);
    const p = await me.call('POST', '/api/v1/desk/preview/next');
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.preview.leadId).toBe(pl);
    expect(p.body.preview.phone).toBe('17100008888');
    const d = await me.call('POST', '/api/v1/desk/dial', { leadId: pl });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    const talk = await waitDesk('preview call answered', (s) => s.call?.kind === 'manual' && s.call.state === 'talking' && s.call.customer?.leadId === pl, 30_000);
    expect(talk.preview).toBeNull();
    expect(talk.call!.number).toBe('17100008888');
    await me.call('POST', '/api/v1/desk/hangup');
    await waitDesk('wrap-up', (s) => s.state === 'wrap_up' && s.wrapUp?.leadId === pl, 15_000);
    const r = await me.call('POST', '/api/v1/desk/disposition', { disposition: 'sale', notes: '订单已下' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const lead = db.prepare('SELECT status, disposition, attempts, claimed_by FROM leads WHERE id = ?').get(pl);
    expect(lead).toEqual({ status: 'done', disposition: 'sale', attempts: 1, claimed_by: null });
    expect((await me.call('POST', '/api/v1/desk/campaign', { campaignId: null })).status).toBe(200);
    await hangupAll();
  }, 90_000);

  it('the disposition hold survives a restart of the agent process', async () => {
    expect((await me.call('POST', '/api/v1/desk/dial', { number: '17100009191' })).status).toBe(200);
    await waitDesk('manual call answered', (s) => s.call?.kind === 'manual' && s.call.state === 'talking', 30_000);
    await me.call('POST', '/api/v1/desk/hangup');
    const w = await waitDesk('wrap-up', (s) => s.state === 'wrap_up' && !!s.wrapUp, 15_000);
    for (const s of sockets.splice(0)) s.close();
    await t.restart();
    me = await client(t.base, 'agent1', PASSWORD);
    agentFrames.length = 0;
    await openWs(me.cookie(), agentFrames);
    await new Promise((r) => setTimeout(r, 2500)); // past the 2 s timer
    expect(t.agent.agents.liveOf(agentId)?.state).toBe('wrap_up');
    const st = await me.call('GET', '/api/v1/desk/state');
    expect(st.status).toBe(200);
    expect(st.body.state).toBe('wrap_up');
    expect(st.body.wrapUp).toMatchObject({ linkedid: w.wrapUp!.linkedid, overdue: true });
    expect(st.body.version).toBeGreaterThan(w.version);
    const d = await me.call('POST', '/api/v1/desk/disposition', { disposition: 'done' });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(d.body.state).toBe('ready');
    await hangupAll();
  }, 120_000);

  it('conference of three: the consulted seat and the customer join the agent', async () => {
    const r = await me.call('POST', '/api/v1/desk/dial', { number: '17100006666' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await waitDesk('manual call answered', (s) => s.call?.kind === 'manual' && s.call.state === 'talking', 30_000);
    const pstn = (await channels()).find((c) => c.channel.includes('@seatbox-pstn-sim') && c.channel.endsWith(';1'))!;
    const c1 = await me.call('POST', '/api/v1/desk/conference', { target: '8103' });
    expect(c1.status, JSON.stringify(c1.body)).toBe(200);
    expect(c1.body.call.consult.target).toBe('8103');
    await waitDesk('consultation answered', (s) => s.call?.consult?.state === 'talking', 15_000);
    const c2 = await me.call('POST', '/api/v1/desk/conference', {});
    expect(c2.status, JSON.stringify(c2.body)).toBe(200);
    expect(c2.body.call.state).toBe('conference');
    await waitFor('three parties in one bridge', async () => {
      const all = await channels();
      const cust = all.find((c) => c.channel === pstn.channel);
      if (!cust?.bridge) return false;
      const inBridge = all.filter((c) => c.bridge === cust.bridge).map((c) => c.channel);
      return inBridge.length === 3 && inBridge.some((c) => c.startsWith('Local/8101@')) && inBridge.some((c) => c.startsWith('Local/8103@'));
    }, 15_000);
    await me.call('POST', '/api/v1/desk/hangup');
    await waitDesk('wrap-up after conference', (s) => s.state === 'wrap_up', 15_000);
    expect((await me.call('POST', '/api/v1/desk/disposition', { disposition: 'done' })).status).toBe(200);
    await hangupAll();
    const out = await me.call('POST', '/api/v1/desk/logout');
    expect(out.body.state).toBe('logged_out');
  }, 90_000);
});
