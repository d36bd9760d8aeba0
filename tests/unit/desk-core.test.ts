// The desk core over a fake AMI and a fake clock, with the real agents module, lead queue and
// SQLite: desk.state frames to the agent's user only, the screen pop of a dialer call (lead,
// masked number, script), sensitive fields withheld until verified, the disposition hold past
// the wrap-up timer (overdue), its survival of a restart, phone-only agents unaffected, and
// the disposition rules (callback required, in the future, within calling hours).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentsModule } from '../../firmware-agent/src/agents/agents-module.js';
import { AmiMessage, type AmiHeaders, type AmiListResult } from '../../firmware-agent/src/ami/types.js';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { CampaignsModule } from '../../firmware-agent/src/campaigns/campaigns-module.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import type { DeskState, IdentityGate, IdentityStatus } from '../../firmware-agent/src/desk/contract.js';
import { DeskError, DeskModule, checkDisposition } from '../../firmware-agent/src/desk/desk-module.js';
import { WrapHolds } from '../../firmware-agent/src/desk/wrap-holds.js';
import { LiveFeed, type LiveAudience } from '../../firmware-agent/src/http/live.js';
import type { LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { assertHistoryExact, cleanupDbs, FakeClock, tempDb } from './agents-support.js';

const msg = (o: Record<string, string>) => new AmiMessage(Object.entries(o));
const chan = (event: string, uid: string, seat: string, state: string, linkedid = uid) =>
  msg({ Event: event, Channel: `PJSIP/${seat}-${uid}`, ChannelState: state, Uniqueid: uid, Linkedid: linkedid, Exten: 's', ChanVariable: `SEATBOX_SEAT=${seat}` });

class FakeAmi extends EventEmitter {
  connected = true;
  actions: Array<{ action: string; headers: Record<string, string> }> = [];
  async action(action: string, headers: AmiHeaders = {}): Promise<AmiMessage> {
    this.actions.push({ action, headers: headers as Record<string, string> });
    return msg({ Response: 'Success' });
  }
  async listAction(): Promise<AmiListResult> {
    return { response: msg({ Response: 'Success' }), events: [] };
  }
}

class FakeIdentity implements IdentityGate {
  verified = new Set<string>();
  status(linkedid: string): IdentityStatus {
    return { status: this.verified.has(linkedid) ? 'verified' : 'unverified', attempts: 0, maxAttempts: 3 };
  }
  sensitiveFields(): string[] {
    return ['idNumber'];
  }
}

let db: Db;
let clock: FakeClock;
let ami: FakeAmi;
let live: LiveFeed;
let frames: Array<{ msg: LiveMessage; audience?: LiveAudience }>;
let agents: AgentsModule;
let campaigns: CampaignsModule;
let desk: DeskModule;
let holds: WrapHolds;
let identity: FakeIdentity;
let agentId: number;
let userId: number;
let leadId: number;
let campaignId: number;

async function boot(): Promise<void> {
  const audit = new AuditLog(db);
  agents = new AgentsModule({ db, ami: ami as never, settings: new SettingsStore(db), audit, live, seats: { list: () => ['8001', '8002'].map((e) => ({ extension: e, kind: 'sip' as const, registered: true })) }, logger: silentLogger(), clock });
  holds = new WrapHolds(db);
  agents.engine.setWrapUpHold((id) => holds.held(id));
  await agents.start();
  campaigns = new CampaignsModule({ db, audit, live, logger: silentLogger(), clock });
  desk = new DeskModule({ db, ami: ami as never, agents, campaigns, live, audit, logger: silentLogger(), holds, identity, clock, destination: (p) => ({ number: p, context: 'seatbox-pstn-sim' }) });
  await desk.start();
}

beforeEach(async () => {
  db = tempDb();
  clock = new FakeClock(); // 2026-03-02 17:00 in Shanghai: inside the default calling hours
  ami = new FakeAmi();
  live = new LiveFeed();
  frames = [];
  live.on('message', (m: LiveMessage, audience?: LiveAudience) => frames.push({ msg: m, audience }));
  identity = new FakeIdentity();
  new SettingsStore(db).set('agents.wrapUpSeconds', 10);
  userId = Number(db.prepare("INSERT INTO users (username, display_name, password_hash) VALUES ('a1', 'A1', 'x')").run().lastInsertRowid);
  db.prepare("INSERT INTO user_roles (user_id, role) VALUES (?, 'agent')").run(userId);
  agentId = Number(db.prepare("INSERT INTO agents (number, name, user_id) VALUES ('3001', 'Desk Agent', ?)").run(userId).lastInsertRowid);
  await boot();
  const c = campaigns.campaigns.create({ name: 'c1', dialMode: 'predictive', settings: { script: '您好{{name}}，证件号{{fields.idNumber}}，公司{{fields.company}}' } });
  campaignId = c.id;
  const list = Number(
    db.prepare("INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, imported_by, rows_total, rows_imported) VALUES (?, 'test', 'x.csv', ?, 'utf-8', 't', 1, 1)").run(c.id, createHash('sha256').update('x').digest('hex')).lastInsertRowid,
  );
  leadId = Number(db.prepare("INSERT INTO leads (campaign_id, list_id, source_line, phone, phone_kind, name, fields_json, custody) VALUES (?, ?, 2, '13912345678', 'mobile', '李娜', ?, 'team')").run(c.id, list, JSON.stringify({ company: '东方电子', idNumber: '110101199001011234' })).lastInsertRowid);
});

afterEach(async () => {
  await desk.stop();
  await agents.stop();
  await campaigns.stop();
  assertHistoryExact(db);
  db.close();
  cleanupDbs();
});

/** The agent logs in at the desktop (POST /desk/login does both). */
function deskLogin(): void {
  agents.login(agentId, '8001', { force: false, forced: false }, {});
  desk.markDeskSession(agentId);
}

const deskFrames = (): DeskState[] => frames.filter((f) => f.msg.type === 'desk.state').map((f) => f.msg.data as DeskState);
const last = (): DeskState => deskFrames().at(-1)!;

/** The dialer connected call `uid` to seat 8001 (as DialerModule + AsteriskDialerPort store it) and the seat answers. */
function dialerCall(uid: string, seat = '8001'): void {
  db.prepare("INSERT INTO dialer_calls (campaign_id, lead_id, dialed_at, connected_at, seat, agent_id, outcome) VALUES (?, ?, ?, ?, ?, ?, 'connected')").run(campaignId, leadId, new Date(clock.now() - 5000).toISOString(), new Date(clock.now()).toISOString(), seat, agentId);
  campaigns.queue.record(leadId, { outcome: 'connected', agentId, source: 'dialer' }, new Date(clock.now()));
  ami.emit('event', chan('Newchannel', uid, seat, '5'));
  ami.emit('event', chan('Newstate', uid, seat, '6'));
}

describe('desk state and screen pop', () => {
  it('pushes desk.state only to the agent user, with versions increasing; a dialer call pops lead, masked number and script', () => {
    deskLogin();
    expect(last().state).toBe('ready');
    expect(frames.filter((f) => f.msg.type === 'desk.state').every((f) => JSON.stringify(f.audience) === JSON.stringify({ userIds: [userId] }))).toBe(true);
    dialerCall('c1');
    const s = last();
    expect(s.state).toBe('talking');
    expect(s.call!.kind).toBe('dialer');
    expect(s.call!.number).toBe('139****5678');
    expect(s.call!.customer!.leadId).toBe(leadId);
    expect(s.call!.customer!.campaignName).toBe('c1');
    const versions = deskFrames().map((f) => f.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('withholds sensitive fields (and their script placeholders) until the identity is verified', () => {
    deskLogin();
    dialerCall('c2');
    let cust = last().call!.customer!;
    expect(cust.fields).toEqual({ company: '东方电子' });
    expect(cust.hiddenFields).toEqual(['idNumber']);
    expect(cust.identity.status).toBe('unverified');
    expect(cust.script.text).toBe('您好李娜，证件号【?】，公司东方电子');
    expect(JSON.stringify(last())).not.toContain('110101199001011234');
    identity.verified.add('c2');
    desk.refreshAgent(agentId);
    cust = last().call!.customer!;
    expect(cust.hiddenFields).toEqual([]);
    expect(cust.fields.idNumber).toBe('110101199001011234');
    expect(cust.script.missing).toEqual([]);
  });
});

describe('contact history', () => {
  it('lists earlier attempts (with the desk note), tickets, registrations and SMS of the number, newest first', () => {
    deskLogin();
    dialerCall('h1');
    ami.emit('event', chan('Hangup', 'h1', '8001', '6'));
    desk.dispose(agentId, { disposition: 'thinking', notes: '再考虑一下' }, {});
    clock.advance(60_000);
    const iso = (ms: number) => new Date(clock.now() + ms).toISOString();
    db.prepare("INSERT INTO tickets (created_at, agent_id, lead_id, campaign_id, caller_number, category, severity, description, due_at, updated_at) VALUES (?, ?, ?, ?, '13912345678', 'service', 'normal', '投诉：态度不好', ?, ?)").run(iso(1000), agentId, leadId, campaignId, iso(86_400_000), iso(1000));
    db.prepare("INSERT INTO registrations (at, campaign_id, lead_id, customer_phone, agent_id, values_json) VALUES (?, ?, ?, '13912345678', ?, '{}')").run(iso(2000), campaignId, leadId, agentId);
    clock.advance(10_000);
    dialerCall('h2');
    const h = last().call!.customer!.history;
    // this call's connect (the dialer's attempt), registration, ticket, the first call's disposition and connect
    expect(h.map((x) => x.kind)).toEqual(['attempt', 'registration', 'ticket', 'attempt', 'attempt']);
    expect(h[2]).toMatchObject({ outcome: 'open', disposition: 'service', note: '投诉：态度不好', campaignName: 'c1', agentName: 'Desk Agent' });
    expect(h[3]).toMatchObject({ kind: 'attempt', outcome: 'connected', disposition: 'thinking', note: '再考虑一下', agentName: 'Desk Agent' });
  });
});

describe('disposition hold', () => {
  it('keeps a desktop agent in wrap-up past the timer (overdue, alarm) until the disposition; the dialer sees wrap_up', () => {
    deskLogin();
    dialerCall('c3');
    clock.advance(30_000);
    ami.emit('event', chan('Hangup', 'c3', '8001', '6'));
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    expect(last().wrapUp).toMatchObject({ linkedid: 'c3', leadId, overdue: false, dispositionRequired: true });
    clock.advance(11_000);
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    expect(last().wrapUp!.overdue).toBe(true);
    const alarm = frames.find((f) => f.msg.type === 'alarm' && f.msg.data.source === 'desk');
    expect(alarm?.audience?.roles).toContain('team_lead');
    expect(agents.seatLive('8001').dispositionOverdue).toBe(true);
    const seatFrame = [...frames].reverse().find((f) => f.msg.type === 'seat.updated' && f.msg.data.extension === '8001');
    expect(seatFrame?.msg.type === 'seat.updated' && seatFrame.msg.data.dispositionOverdue).toBe(true);
    // ready / pause wait for the disposition
    expect(agents.ready(agentId, false, {}).effect).toBe('after_call');
    expect(agents.pause(agentId, '1', false, {}).effect).toBe('after_call');
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    clock.advance(60_000);
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    const s = desk.dispose(agentId, { disposition: 'thinking', notes: 'n1' }, { userId, username: 'a1' });
    expect(agents.seatLive('8001').dispositionOverdue).toBeUndefined();
    // the pause asked for during the wrap-up follows
    expect(s.state).toBe('paused');
    expect(s.pauseReason).toBe('1');
    expect(s.wrapUp).toBeNull();
    expect(s.call).toBeNull();
    const lead = db.prepare('SELECT status, claimed_by, disposition FROM leads WHERE id = ?').get(leadId);
    expect(lead).toEqual({ status: 'recontact', claimed_by: null, disposition: 'thinking' });
    const w = db.prepare("SELECT start_at, end_at FROM agent_state_history WHERE state = 'wrap_up'").get() as { start_at: string; end_at: string };
    expect(Date.parse(w.end_at) - Date.parse(w.start_at)).toBe(71_000);
    expect(() => desk.dispose(agentId, { disposition: 'thinking' }, {})).toThrow(/no call waiting/);
  });

  it('a disposition during the call ends nothing early; after the call the normal wrap-up timer runs', () => {
    deskLogin();
    dialerCall('c4');
    desk.dispose(agentId, { disposition: 'sale' }, {});
    ami.emit('event', chan('Hangup', 'c4', '8001', '6'));
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    clock.advance(10_001);
    expect(agents.liveOf(agentId)!.state).toBe('ready');
  });

  it('phone logins and logins from the Agents page are not held', () => {
    agents.engine.login({ id: agentId, number: '3001', name: 'Desk Agent' }, '8001', { source: 'phone' });
    dialerCall('c5');
    ami.emit('event', chan('Hangup', 'c5', '8001', '6'));
    expect(holds.held(agentId)).toBe(false);
    clock.advance(10_001);
    expect(agents.liveOf(agentId)!.state).toBe('ready');
    agents.logout(agentId, false, {});
    agents.login(agentId, '8001', { force: false, forced: false }, {}); // source 'ui', but not the desktop
    dialerCall('c5b');
    ami.emit('event', chan('Hangup', 'c5b', '8001', '6'));
    expect(holds.held(agentId)).toBe(false);
    clock.advance(10_001);
    expect(agents.liveOf(agentId)!.state).toBe('ready');
  });

  it('the hold survives a restart of the agent process', async () => {
    deskLogin();
    dialerCall('c6');
    ami.emit('event', chan('Hangup', 'c6', '8001', '6'));
    await desk.stop();
    await agents.stop();
    await campaigns.stop();
    clock.advance(120_000);
    await boot();
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    expect(desk.build(agentId).wrapUp).toMatchObject({ linkedid: 'c6', overdue: true });
    desk.dispose(agentId, { disposition: 'not_interested' }, {});
    expect(agents.liveOf(agentId)!.state).toBe('ready');
  });
});

describe('inbound and click-to-dial', () => {
  it('an inbound call pops the most recent lead with the caller number (normalised), else just the number', async () => {
    await desk.stop();
    const calls: Array<{ linkedid: string; from: string }> = [];
    desk = new DeskModule({ db, ami: ami as never, agents, campaigns, live, audit: new AuditLog(db), logger: silentLogger(), holds, identity, clock, destination: (p) => ({ number: p, context: 'x' }), calls: () => calls.map((c) => ({ linkedid: c.linkedid, direction: 'inbound', state: 'ringing', from: c.from, to: '4008', createdAt: '', answeredAt: null, endedAt: null, cause: null, legs: [] })) });
    await desk.start();
    deskLogin();
    calls.push({ linkedid: 'in1', from: '+86 139-1234-5678' });
    ami.emit('event', chan('Newchannel', 'in1', '8001', '5'));
    let s = last();
    expect(s.state).toBe('ringing');
    expect(s.call).toMatchObject({ kind: 'inbound', state: 'ringing' });
    expect(s.call!.customer!.leadId).toBe(leadId);
    ami.emit('event', chan('Newstate', 'in1', '8001', '6'));
    ami.emit('event', chan('Hangup', 'in1', '8001', '6'));
    // Inbound calls at the desktop need a disposition too.
    expect(last().wrapUp).toMatchObject({ linkedid: 'in1', leadId });
    desk.dispose(agentId, { disposition: 'not_interested' }, {});
    calls.push({ linkedid: 'in2', from: '02188889999' });
    ami.emit('event', chan('Newchannel', 'in2', '8001', '5'));
    s = last();
    expect(s.call!.customer).toMatchObject({ leadId: null, name: null, phone: '021****9999', fields: {}, hiddenFields: [] });
  });

  it('click-to-dial checks DNC and calling hours, originates through the seat, and records an unanswered dial as the lead outcome', async () => {
    deskLogin();
    await desk.setCampaign(agentId, campaignId, {});
    campaigns.dnc.add({ phone: '13700000000', reason: 'manual', campaignId: null, createdBy: 't', expiresAt: null, now: new Date(clock.now()) });
    await expect(desk.dial(agentId, { number: '13700000000' }, {})).rejects.toMatchObject({ code: 'dnc', field: 'number' });
    await expect(desk.dial(agentId, { number: 'abc' }, {})).rejects.toMatchObject({ code: 'bad_number', field: 'number' });
    clock.advance(6 * 3600_000); // 23:00 Shanghai
    await expect(desk.dial(agentId, { leadId }, {})).rejects.toMatchObject({ field: 'leadId' });
    await expect(desk.dial(agentId, { number: '13800000000' }, {})).rejects.toMatchObject({ code: 'outside_hours', field: 'number' });
    clock.advance(12 * 3600_000); // 11:00 next day
    db.prepare("UPDATE leads SET custody = 'agent', agent_id = ? WHERE id = ?").run(agentId, leadId);
    await campaigns.campaigns.setStatus(campaignId, 'active', new Date(clock.now()));
    await desk.dial(agentId, { leadId }, { username: 'a1' });
    const o = ami.actions.find((a) => a.action === 'Originate')!;
    expect(o.headers.Channel).toBe('Local/8001@seatbox-dialer-seat');
    expect(o.headers.Context).toBe('seatbox-desk-dial');
    expect(o.headers.Variable).toContain('SEATBOX_DESK_NUMBER=13912345678');
    expect(o.headers.Variable).toContain('SEATBOX_DESK_CONTEXT=seatbox-pstn-sim');
    const callId = (db.prepare('SELECT id FROM desk_calls').get() as { id: number }).id;
    expect(o.headers.Variable).toContain(`__SEATBOX_DESK_CALL=${callId}`);
    // The seat rings and answers (the agent's phone), the customer is busy.
    ami.emit('event', chan('Newchannel', 'm1', '8001', '5'));
    ami.emit('event', chan('Newstate', 'm1', '8001', '6'));
    expect(last().call).toMatchObject({ kind: 'manual', state: 'dialing', linkedid: 'm1' });
    ami.emit('event', msg({ Event: 'UserEvent', UserEvent: 'SeatBoxDesk', Op: 'result', Call: String(callId), Linkedid: 'm1', Status: 'BUSY' }));
    ami.emit('event', chan('Hangup', 'm1', '8001', '6'));
    const lead = db.prepare('SELECT status, last_outcome, attempts FROM leads WHERE id = ?').get(leadId);
    expect(lead).toEqual({ status: 'retry', last_outcome: 'busy', attempts: 1 });
    // Not answered: no disposition hold.
    expect(holds.held(agentId)).toBe(false);
  });
});

describe('restart during a call', () => {
  it('a call that ended while the agent process was down starts its held wrap-up at the restart', async () => {
    deskLogin();
    dialerCall('r1');
    await desk.stop();
    await agents.stop();
    await campaigns.stop();
    clock.advance(30_000); // the call ended meanwhile: the resync after the restart finds no channel
    await boot();
    await new Promise((r) => setImmediate(r));
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    const s = desk.build(agentId);
    expect(s.wrapUp).toMatchObject({ linkedid: 'r1', leadId, overdue: false, dispositionRequired: true });
    clock.advance(10_001);
    expect(desk.build(agentId).wrapUp!.overdue).toBe(true);
    expect(agents.liveOf(agentId)!.state).toBe('wrap_up');
    desk.dispose(agentId, { disposition: 'sale' }, {});
    expect(agents.liveOf(agentId)!.state).toBe('ready');
  });
});

describe('disposition rules', () => {
  const now = new Date('2026-03-02T09:00:00.000Z'); // 17:00 Shanghai
  const campaign = () => campaigns.campaigns.require(campaignId);
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err instanceof DeskError ? [err.code, err.field] : ['other', String(err)];
    }
    return null;
  };
  it('names the field and the reason', () => {
    expect(code(() => checkDisposition(campaign(), { disposition: 'nope' }, now))).toEqual(['unknown_disposition', 'disposition']);
    expect(code(() => checkDisposition(campaign(), { disposition: 'callback' }, now))).toEqual(['callback_required', 'callbackAt']);
    expect(code(() => checkDisposition(campaign(), { disposition: 'callback', callbackAt: '2026-03-02T08:00:00.000Z' }, now))).toEqual(['callback_in_past', 'callbackAt']);
    // 23:30 Shanghai: outside 09:00-21:00
    expect(code(() => checkDisposition(campaign(), { disposition: 'callback', callbackAt: '2026-03-02T15:30:00.000Z' }, now))).toEqual(['callback_outside_hours', 'callbackAt']);
    expect(code(() => checkDisposition(campaign(), { disposition: 'sale', callbackAt: '2026-03-02T10:00:00.000Z' }, now))).toEqual(['callback_not_allowed', 'callbackAt']);
    expect(checkDisposition(campaign(), { disposition: 'callback', callbackAt: '2026-03-03T02:00:00.000Z' }, now)).toEqual({ callback: true });
    expect(checkDisposition(null, { disposition: 'anything' }, now)).toEqual({ callback: false });
  });
});
