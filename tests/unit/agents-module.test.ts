// The agents module over a fake AMI client: seat channels (SEATBOX_SEAT) drive the states,
// feature-code channels do not, the SeatBoxAgent UserEvents log in/pause/ready/log out,
// AstDB holds exactly the PIN records the dialplan checks, reconnects resync.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentsModule, ASTDB_FAMILY } from '../../firmware-agent/src/agents/agents-module.js';
import { phonePinHash } from '../../firmware-agent/src/agents/agent-store.js';
import { SeatCallTracker } from '../../firmware-agent/src/agents/seat-calls.js';
import type { SeatPhase } from '../../firmware-agent/src/agents/engine.js';
import { AmiMessage, type AmiHeaders, type AmiListResult } from '../../firmware-agent/src/ami/types.js';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import type { Db } from '../../firmware-agent/src/db/database.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { LiveMessage, SeatLive } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { assertHistoryExact, cleanupDbs, compact, FakeClock, historyOf, tempDb } from './agents-support.js';

const msg = (o: Record<string, string | string[]>) =>
  new AmiMessage(Object.entries(o).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const])));

/** A channel event of a seat's channel: ChanVariable SEATBOX_SEAT as manager.conf channelvars gives it. */
function chan(event: string, uid: string, seat: string, state: string, extra: Record<string, string> = {}) {
  return msg({ Event: event, Channel: `PJSIP/${seat}-${uid}`, ChannelState: state, Uniqueid: uid, Linkedid: extra.Linkedid ?? uid, Exten: extra.Exten ?? 's', ChanVariable: `SEATBOX_SEAT=${seat}`, ...extra });
}
const userEvent = (fields: Record<string, string>) => msg({ Event: 'UserEvent', UserEvent: 'SeatBoxAgent', Channel: 'PJSIP/8001-ff', Uniqueid: 'fc1', ChanVariable: 'SEATBOX_SEAT=8001', ...fields });

class FakeAmi extends EventEmitter {
  connected = false;
  asteriskVersion = '22.0.0';
  actions: Array<{ action: string; headers: Record<string, string> }> = [];
  channels: AmiMessage[] = [];
  astdb = new Map<string, string>();
  async connect(): Promise<void> {
    this.connected = true;
    this.emit('connect');
  }
  async close(): Promise<void> {}
  async action(action: string, headers: AmiHeaders = {}): Promise<AmiMessage> {
    const h = headers as Record<string, string>;
    this.actions.push({ action, headers: h });
    if (action === 'DBPut') this.astdb.set(`${h.Family}/${h.Key}`, h.Val!);
    if (action === 'DBDelTree') {
      const prefix = h.Key ? `${h.Family}/${h.Key}/` : `${h.Family}/`;
      for (const k of [...this.astdb.keys()]) if (k.startsWith(prefix)) this.astdb.delete(k);
    }
    return msg({ Response: 'Success' });
  }
  async listAction(): Promise<AmiListResult> {
    return { response: msg({ Response: 'Success' }), events: this.channels };
  }
  async command(): Promise<string> {
    return '';
  }
  drop(): void {
    this.connected = false;
    this.emit('disconnect');
  }
}

let db: Db;
let clock: FakeClock;
let ami: FakeAmi;
let live: LiveFeed;
let frames: LiveMessage[];
let mod: AgentsModule;
let t0: number;
const flush = () => new Promise((r) => setImmediate(r));

function makeModule(): AgentsModule {
  return new AgentsModule({
    db,
    ami: ami as never,
    settings: new SettingsStore(db),
    audit: new AuditLog(db),
    live,
    seats: { list: () => [{ extension: '8001', kind: 'sip', registered: true }, { extension: '8002', kind: 'fxs', registered: false }] },
    logger: silentLogger(),
    clock,
  });
}

beforeEach(async () => {
  db = tempDb();
  clock = new FakeClock();
  t0 = clock.now();
  ami = new FakeAmi();
  live = new LiveFeed();
  frames = [];
  live.on('message', (m: LiveMessage) => frames.push(m));
  mod = makeModule();
  await mod.start();
});
afterEach(async () => {
  await mod.stop();
  assertHistoryExact(db);
  db.close();
  cleanupDbs();
});

const seatFrames = (seat: string): SeatLive[] => frames.flatMap((f) => (f.type === 'seat.updated' && f.data.extension === seat ? [f.data] : []));

describe('seat channel tracker', () => {
  it('ringing, answer, hangup; feature-code channels and other channels are ignored; stragglers after hangup too', () => {
    const seen: Array<[string, SeatPhase]> = [];
    const tr = new SeatCallTracker((s, p) => seen.push([s, p]));
    tr.handleEvent(msg({ Event: 'Newchannel', Uniqueid: 'x1', ChannelState: '4', Exten: '100', ChanVariable: 'SEATBOX_SEAT=' })); // not a seat
    tr.handleEvent(chan('Newchannel', 'f1', '8001', '4', { Exten: '*21*1001*1234' }));
    tr.handleEvent(chan('Newstate', 'f1', '8001', '6', { Exten: '*21*1001*1234' }));
    expect(seen).toEqual([]);
    tr.handleEvent(chan('Newchannel', 'c1', '8001', '0'));
    tr.handleEvent(chan('Newstate', 'c1', '8001', '5'));
    tr.handleEvent(chan('Newstate', 'c1', '8001', '6'));
    tr.handleEvent(chan('Hangup', 'c1', '8001', '6'));
    tr.handleEvent(chan('Newstate', 'c1', '8001', '6')); // must not resurrect
    // a channel whose seat variable arrives late (VarSet) is picked up
    tr.handleEvent(msg({ Event: 'Newchannel', Uniqueid: 'c2', Linkedid: 'c2', ChannelState: '4', Exten: '9138', ChanVariable: 'SEATBOX_SEAT=' }));
    tr.handleEvent(chan('VarSet', 'c2', '8002', '4'));
    expect(seen).toEqual([
      ['8001', { kind: 'ringing', linkedid: 'c1' }],
      ['8001', { kind: 'talking', linkedid: 'c1' }],
      ['8001', { kind: 'idle' }],
      ['8002', { kind: 'ringing', linkedid: 'c2' }],
    ]);
    expect(tr.channelCount).toBe(1);
  });

  it('resync keeps the oldest up channel as the seat call and drops what Asterisk no longer has', () => {
    const tr = new SeatCallTracker(() => undefined);
    tr.handleEvent(chan('Newchannel', 'old', '8002', '6'));
    const phases = tr.resync([
      chan('CoreShowChannel', 'b', '8001', '6', { Linkedid: 'Lb', Duration: '10' }),
      chan('CoreShowChannel', 'a', '8001', '6', { Linkedid: 'La', Duration: '50' }),
      chan('CoreShowChannel', 'r', '8003', '5', { Duration: '3' }),
      chan('CoreShowChannel', 'f', '8004', '6', { Exten: '*23', Duration: '1' }),
    ]);
    expect(Object.fromEntries(phases)).toEqual({ '8001': { kind: 'talking', linkedid: 'La' }, '8003': { kind: 'ringing', linkedid: 'r' } });
    expect(tr.phaseOf('8002')).toEqual({ kind: 'idle' });
  });
});

describe('agents module over AMI', () => {
  it('writes the AstDB PIN records on connect: SHA1 of salt + PIN, only active agents with a PIN', async () => {
    const a = await mod.createAgent({ number: '1001', name: '张三', pin: '1234' }, {});
    await mod.createAgent({ number: '1002', name: '李四' }, {});
    await mod.createAgent({ number: '1003', name: '王五', pin: '5678', active: false }, {});
    ami.astdb.set(`${ASTDB_FAMILY}/9999/pin`, 'stale'); // left from a deleted agent
    await ami.connect();
    await flush();
    await flush();
    const salt = ami.astdb.get(`${ASTDB_FAMILY}/1001/salt`)!;
    expect(salt).toMatch(/^[0-9a-f]{16}$/);
    expect(ami.astdb.get(`${ASTDB_FAMILY}/1001/pin`)).toBe(createHash('sha1').update(`${salt}1234`).digest('hex'));
    expect(phonePinHash(salt, '1234')).toBe(ami.astdb.get(`${ASTDB_FAMILY}/1001/pin`));
    expect([...ami.astdb.keys()].sort()).toEqual([`${ASTDB_FAMILY}/1001/pin`, `${ASTDB_FAMILY}/1001/salt`]);
    expect(await mod.store.verifyPin(a.id, '1234')).toBe(true);
    expect(await mod.store.verifyPin(a.id, '1235')).toBe(false);
    // Changes while connected are written at once; deactivation removes the record.
    await mod.setPin(a.id, '4321', {});
    const salt2 = ami.astdb.get(`${ASTDB_FAMILY}/1001/salt`)!;
    expect(ami.astdb.get(`${ASTDB_FAMILY}/1001/pin`)).toBe(phonePinHash(salt2, '4321'));
    await mod.updateAgent(a.id, { number: '1011' }, {});
    expect([...ami.astdb.keys()].sort()).toEqual([`${ASTDB_FAMILY}/1011/pin`, `${ASTDB_FAMILY}/1011/salt`]);
    await mod.updateAgent(a.id, { active: false }, {});
    expect(ami.astdb.size).toBe(0);
    // A reconnect to a fresh Asterisk (empty astdb) writes everything again.
    await mod.updateAgent(a.id, { active: true }, {});
    ami.drop();
    ami.astdb.clear();
    await ami.connect();
    await flush();
    await flush();
    expect(ami.astdb.size).toBe(2);
  });

  it('phone feature codes: login, pause with a reason digit, a call, ready ends wrap-up, logout', async () => {
    await mod.createAgent({ number: '1001', name: '张三', pin: '1234' }, {});
    await ami.connect();
    await flush();
    const ev = (m: AmiMessage) => ami.emit('event', m);
    // The *21 channel itself is no call.
    ev(chan('Newchannel', 'fc1', '8001', '4', { Exten: '*21*1001*1234' }));
    ev(userEvent({ Op: 'login', Seat: '8001', Agent: '1001' }));
    ev(chan('Newstate', 'fc1', '8001', '6', { Exten: '*21*1001*1234' }));
    ev(chan('Hangup', 'fc1', '8001', '6', { Exten: '*21*1001*1234' }));
    const id = mod.store.byNumber('1001')!.id;
    expect(mod.seatLive('8001')).toMatchObject({ state: 'ready', agent: { number: '1001', name: '张三' }, kind: 'sip', registered: true });
    clock.advance(5000);
    ev(userEvent({ Op: 'pause', Seat: '8001', Reason: '2' }));
    expect(mod.seatLive('8001')).toMatchObject({ state: 'paused', pauseReason: '2' });
    clock.advance(5000);
    ev(userEvent({ Op: 'ready', Seat: '8001' }));
    clock.advance(5000);
    ev(chan('Newchannel', 'c1', '8001', '0', { Linkedid: 'L1' }));
    ev(chan('Newstate', 'c1', '8001', '5', { Linkedid: 'L1' }));
    clock.advance(2000);
    ev(chan('Newstate', 'c1', '8001', '6', { Linkedid: 'L1' }));
    clock.advance(10_000);
    ev(chan('Hangup', 'c1', '8001', '6', { Linkedid: 'L1' }));
    const w = mod.seatLive('8001');
    expect(w).toMatchObject({ state: 'wrap_up', callLinkedid: 'L1', wrapUpEndsAt: new Date(t0 + 42_000).toISOString() });
    clock.advance(3000);
    ev(userEvent({ Op: 'ready', Seat: '8001' }));
    clock.advance(1000);
    ev(userEvent({ Op: 'pause', Seat: '8001', Reason: '8' })); // not configured: paused without a reason
    clock.advance(1000);
    ev(userEvent({ Op: 'logout', Seat: '8001' }));
    expect(mod.seatLive('8001')).toMatchObject({ state: 'logged_out', agent: null, since: new Date(t0 + 32_000).toISOString() });
    expect(compact(historyOf(db, id), t0)).toEqual([
      ['ready', null, 0, 5],
      ['paused', '2', 5, 10],
      ['ready', null, 10, 15],
      ['ringing', 'L1', 15, 17],
      ['talking', 'L1', 17, 27],
      ['wrap_up', 'L1', 27, 30],
      ['ready', null, 30, 31],
      ['paused', null, 31, 32],
    ]);
    // Every change was pushed as seat.updated, in order.
    expect(seatFrames('8001').map((s) => s.state)).toEqual(['ready', 'paused', 'ready', 'ringing', 'talking', 'wrap_up', 'ready', 'paused', 'logged_out']);
  });

  it('a phone login on a seat held by another idle agent logs that agent out (audited); an unknown agent is refused and reported', async () => {
    const a = await mod.createAgent({ number: '1001', name: 'A', pin: '1234' }, {});
    const b = await mod.createAgent({ number: '1002', name: 'B', pin: '1234' }, {});
    await ami.connect();
    await flush();
    mod.login(a.id, '8001', { force: false, forced: false }, {});
    ami.emit('event', userEvent({ Op: 'login', Seat: '8001', Agent: '1002' }));
    expect(mod.seatLive('8001').agent?.id).toBe(b.id);
    const audit = new AuditLog(db).recent(10).map((r) => r.action);
    expect(audit).toContain('agent.displaced');
    frames.length = 0;
    ami.emit('event', userEvent({ Op: 'login', Seat: '8002', Agent: '7777' }));
    expect(mod.seatLive('8002').state).toBe('logged_out');
    expect(frames.some((f) => f.type === 'alarm' && /no active agent with number 7777/.test(f.data.message))).toBe(true);
    ami.emit('event', userEvent({ Op: 'login_failed', Seat: '8002', Agent: '1001' }));
    expect(new AuditLog(db).recent(1)[0]).toMatchObject({ action: 'agent.phone_login_failed', target: 'seat:8002' });
  });

  it('after a reconnect the seat channels are re-read: a vanished call ends in wrap-up, a live one is adopted', async () => {
    const a = await mod.createAgent({ number: '1001', name: 'A' }, {});
    const b = await mod.createAgent({ number: '1002', name: 'B' }, {});
    await ami.connect();
    await flush();
    mod.login(a.id, '8001', { force: false, forced: false }, {});
    mod.login(b.id, '8002', { force: false, forced: false }, {});
    ami.emit('event', chan('Newchannel', 'c1', '8001', '6', { Linkedid: 'L1' }));
    expect(mod.seatLive('8001').state).toBe('talking');
    clock.advance(20_000);
    ami.drop(); // Asterisk killed: no Hangup ever arrives
    ami.channels = [chan('CoreShowChannel', 'c9', '8002', '6', { Linkedid: 'L9', Duration: '4' })];
    await ami.connect();
    await flush();
    expect(mod.seatLive('8001')).toMatchObject({ state: 'wrap_up', callLinkedid: 'L1' });
    expect(mod.seatLive('8002')).toMatchObject({ state: 'talking', callLinkedid: 'L9' });
    clock.advance(15_000);
    expect(mod.seatLive('8001').state).toBe('ready');
  });

  it('seatsLive lists every directory seat and seats the directory lacks but an agent uses', async () => {
    const a = await mod.createAgent({ number: '1001', name: 'A' }, {});
    mod.engine.login({ id: a.id, number: '1001', name: 'A' }, '8123', { source: 'phone' });
    expect(mod.seatsLive().map((s) => [s.extension, s.kind, s.state])).toEqual([
      ['8001', 'sip', 'logged_out'],
      ['8002', 'fxs', 'logged_out'],
      ['8123', 'sip', 'ready'],
    ]);
  });
});
