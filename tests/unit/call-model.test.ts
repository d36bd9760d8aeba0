import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAmiBytes } from '../../firmware-agent/src/ami/parser.js';
import { AmiMessage } from '../../firmware-agent/src/ami/types.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { CallModel, CAUSE_PBX_RESTART, endpointOf } from '../../firmware-agent/src/telephony/call-model.js';
import { CallStore } from '../../firmware-agent/src/telephony/call-store.js';
import type { LiveCall } from '../../firmware-agent/src/http/schemas.js';

const fixture = readFileSync(new URL('../fixtures/ami/local-call-events.raw', import.meta.url));
const events = parseAmiBytes(fixture).messages.filter((m) => m.event);

const msg = (o: Record<string, string>) => new AmiMessage(Object.entries(o));

let dirs: string[] = [];
let dbs: Db[] = [];
function tempDb(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'seatbox-cm-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  dbs.push(db);
  return db;
}
afterEach(() => {
  dbs.forEach((d) => d.close());
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dbs = [];
  dirs = [];
});

describe('call model on a real Asterisk 22 Local-channel call', () => {
  it('builds one call with four legs, answered, bridged, then ended with the hangup cause', () => {
    const model = new CallModel();
    const updates: LiveCall[] = [];
    const ended: LiveCall[] = [];
    model.on('call.updated', (c: LiveCall) => updates.push(c));
    model.on('call.ended', (c: LiveCall) => ended.push(c));
    let maxChannels = 0;
    for (const e of events) {
      model.handleEvent(e);
      maxChannels = Math.max(maxChannels, model.channelCount);
    }
    expect(maxChannels).toBe(4);
    expect(model.channelCount).toBe(0);
    expect(model.callCount).toBe(0);
    expect(ended).toHaveLength(1);
    const call = ended[0]!;
    expect(call.linkedid).toBe('1795430299.4');
    expect(call.state).toBe('ended');
    expect(call.cause).toBe(16);
    expect(call.answeredAt).not.toBeNull();
    expect(call.legs.map((l) => l.channel).sort()).toEqual([
      'Local/100@demo-00000003;1', 'Local/100@demo-00000003;2', 'Local/200@demo-00000002;1', 'Local/200@demo-00000002;2',
    ]);
    expect(updates.some((u) => u.state === 'bridged')).toBe(true);
  });

  it('persists the call and its legs to SQLite', () => {
    const db = tempDb();
    const store = new CallStore(db);
    const model = new CallModel({ sink: store });
    for (const e of events) model.handleEvent(e);
    store.flush();
    const row = store.call('1795430299.4');
    expect(row?.state).toBe('ended');
    expect(row?.end_reason).toBe('hangup');
    expect(row?.bridged_at).not.toBeNull();
    const legs = store.legsOf('1795430299.4');
    expect(legs).toHaveLength(4);
    expect(legs.every((l) => l.hungupAt && l.cause === 16)).toBe(true);
    expect(store.openLegs()).toHaveLength(0);
  });

  it('writes the same records whatever the flush points (coalescing loses nothing)', () => {
    const db1 = tempDb();
    const db2 = tempDb();
    const s1 = new CallStore(db1);
    const s2 = new CallStore(db2);
    const m1 = new CallModel({ sink: s1, now: () => new Date(0) });
    const m2 = new CallModel({ sink: s2, now: () => new Date(0) });
    for (const e of events) {
      m1.handleEvent(e);
      m2.handleEvent(e);
      s2.flush(); // flush after every event
    }
    s1.flush();
    const dump = (db: Db) => db.prepare('SELECT * FROM call_legs ORDER BY uniqueid').all();
    expect(dump(db1)).toEqual(dump(db2));
  });
});

describe('resync', () => {
  const live = (uniqueid: string, linkedid: string, channel: string, extra: Record<string, string> = {}) =>
    msg({ Event: 'CoreShowChannel', Channel: channel, Uniqueid: uniqueid, Linkedid: linkedid, ChannelState: '6', ChannelStateDesc: 'Up', Context: 'demo', Exten: '100', Duration: '00:00:07', ...extra });

  it('closes legs Asterisk no longer has, with a cause, and adopts unknown live channels', () => {
    const db = tempDb();
    const store = new CallStore(db);
    const model = new CallModel({ sink: store });
    // Start a call, stop before its hangups.
    const cut = events.findIndex((e) => e.event === 'HangupRequest');
    for (const e of events.slice(0, cut)) model.handleEvent(e);
    expect(model.channelCount).toBe(4);
    const res = model.resync([live('99.1', '99.1', 'PJSIP/8001-00000001')], { pbxRestarted: true });
    store.flush();
    expect(res).toEqual({ closed: 4, adopted: 1 });
    const row = store.call('1795430299.4');
    expect(row?.state).toBe('ended');
    expect(row?.end_reason).toBe('pbx_restart');
    expect(row?.cause).toBe(CAUSE_PBX_RESTART);
    expect(store.openLegs().map((l) => l.uniqueid)).toEqual(['99.1']);
    expect(model.liveCalls().map((c) => c.linkedid)).toEqual(['99.1']);
  });

  it('closes records left open by a previous agent process (read back from the store)', () => {
    const db = tempDb();
    const store = new CallStore(db);
    const first = new CallModel({ sink: store });
    const cut = events.findIndex((e) => e.event === 'HangupRequest');
    for (const e of events.slice(0, cut)) first.handleEvent(e);
    store.flush();
    // A new process: empty model, same database; Asterisk still has one of the four legs.
    const second = new CallModel({ sink: store });
    const res = second.resync([live('1795430299.4', '1795430299.4', 'Local/200@demo-00000002;1')], {
      pbxRestarted: false,
      previouslyOpen: store.openLegs(),
      openCalls: store.openCalls(),
    });
    store.flush();
    expect(res.closed).toBe(3);
    expect(res.adopted).toBe(0);
    expect(store.openLegs().map((l) => l.uniqueid)).toEqual(['1795430299.4']);
    expect(store.call('1795430299.4')?.state).not.toBe('ended');
    expect(second.channelCount).toBe(1);
  });
});

describe('endpointOf', () => {
  it('strips the channel sequence suffix', () => {
    expect(endpointOf('PJSIP/8001-0000001a')).toBe('PJSIP/8001');
    expect(endpointOf('Local/100@demo-00000003;2')).toBe('Local/100@demo');
    expect(endpointOf('DAHDI/i1/13800138000-5')).toBe('DAHDI/i1/13800138000');
  });
});

describe('call direction from our generated contexts', () => {
  const newchannel = (uniqueid: string, linkedid: string, channel: string, context: string, exten = 's') =>
    msg({ Event: 'Newchannel', Channel: channel, ChannelState: '0', ChannelStateDesc: 'Down', CallerIDNum: '8001', CallerIDName: '', ConnectedLineNum: '', Context: context, Exten: exten, Priority: '1', Uniqueid: uniqueid, Linkedid: linkedid, AccountCode: '' });

  it('a call entering from a trunk is inbound; a seat call that reaches a trunk becomes outbound; seat to seat stays internal', () => {
    const model = new CallModel();
    model.handleEvent(newchannel('1.1', '1.1', 'PJSIP/trunk-1-00000001', 'seatbox-trunk-in-trunk-1', '4000'));
    model.handleEvent(newchannel('2.1', '2.1', 'PJSIP/8001-00000002', 'seatbox-internal', '913800000000'));
    model.handleEvent(newchannel('3.1', '3.1', 'PJSIP/8002-00000003', 'seatbox-internal', '8003'));
    model.handleEvent(newchannel('3.2', '3.1', 'PJSIP/8003-00000004', 'seatbox-internal', 's'));
    const dir = () => Object.fromEntries(model.liveCalls().map((c) => [c.linkedid, c.direction]));
    expect(dir()).toEqual({ '1.1': 'inbound', '2.1': 'internal', '3.1': 'internal' });
    // The dialled trunk channel carries its endpoint's context.
    model.handleEvent(newchannel('2.2', '2.1', 'PJSIP/trunk-1-00000005', 'seatbox-trunk-in-trunk-1'));
    expect(dir()).toEqual({ '1.1': 'inbound', '2.1': 'outbound', '3.1': 'internal' });
  });
});
