// Trunks and routes as stored data (the checks that name the trunk/route), the live trunk
// status from PJSIP contacts/registrations and card alarms, and channel counting.
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmiMessage, type AmiClient } from '../../firmware-agent/src/ami/types.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { detectTelephonyHardware, type TelephonyInventory } from '../../firmware-agent/src/hardware/index.js';
import { HardwareMonitor } from '../../firmware-agent/src/hardware-inventory/monitor.js';
import { FixtureProbe } from '../../firmware-agent/src/hardware-inventory/probe.js';
import { LiveFeed } from '../../firmware-agent/src/http/live.js';
import type { LiveCall, LiveMessage } from '../../firmware-agent/src/http/schemas.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { ConfigChangeError } from '../../firmware-agent/src/pbx-model/errors.js';
import { SettingsStore } from '../../firmware-agent/src/settings/settings-store.js';
import { PjsipStatus } from '../../firmware-agent/src/trunks/pjsip-status.js';
import { RouteStore } from '../../firmware-agent/src/trunks/route-store.js';
import { TrunkStatus, channelUsage } from '../../firmware-agent/src/trunks/trunk-status.js';
import { TrunkStore, toTrunk } from '../../firmware-agent/src/trunks/trunk-store.js';

const HOST_ROOT = join(__dirname, '..', 'fixtures', 'host-root');
function inventoryOf(box: string): TelephonyInventory {
  const dir = join(HOST_ROOT, box);
  const proc = readdirSync(join(dir, 'proc', 'dahdi')).map((f) => readFileSync(join(dir, 'proc', 'dahdi', f), 'utf8'));
  return detectTelephonyHardware({ hardware: readFileSync(join(dir, 'commands', 'dahdi_hardware.txt'), 'utf8'), scan: readFileSync(join(dir, 'commands', 'dahdi_scan.txt'), 'utf8'), proc });
}

const msg = (fields: Record<string, string>) => new AmiMessage(Object.entries(fields));

/** Just enough AMI for PjsipStatus: canned list answers, events pushed by the test. */
class FakeAmi extends EventEmitter {
  connected = true;
  lists: Record<string, AmiMessage[]> = {};
  async listAction(action: string, headers?: Record<string, string>) {
    const key = headers?.['Endpoint'] ? `${action}:${headers['Endpoint']}` : action;
    const events = this.lists[key];
    if (!events) throw new Error(`No ${action === 'PJSIPShowContacts' ? 'Contacts' : 'registrations'} found`);
    return { events, complete: undefined };
  }
}

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trunks-'));
  db = openDatabase(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs fn in a transaction (as the change runner does) and returns its refusal. */
const refusal = (fn: () => unknown): ConfigChangeError => {
  try {
    db.transaction(fn)();
  } catch (e) {
    if (e instanceof ConfigChangeError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('TrunkStore', () => {
  it('stores a SIP trunk, never shows its password, and keeps it when an update omits it', () => {
    const s = new TrunkStore(db);
    const id = s.create({ name: '中国电信', kind: 'sip', host: 'sip.example.cn', register: true, username: '02161234567', secret: 'pw-1' }, undefined);
    const view = toTrunk(s.get(id), []);
    expect(JSON.stringify(view)).not.toContain('pw-1');
    expect(view.sip).toMatchObject({ register: true, username: '02161234567', hasSecret: true, port: 5060, codecs: ['alaw', 'ulaw'], qualifySeconds: 60 });
    s.update(id, { callerIdNumber: '02161234567' }, undefined);
    expect(s.get(id).secret).toBe('pw-1');
    expect(s.get(id).sip!.callerId.number).toBe('02161234567');
  });

  it('refuses what a carrier setup cannot work with, naming the trunk and the field', () => {
    const s = new TrunkStore(db);
    expect(refusal(() => s.create({ name: 'A', kind: 'sip', host: 'x.cn', register: true, username: 'u' }, undefined))).toMatchObject({ status: 400, field: 'secret', message: 'trunk "A": a registering trunk needs the password the carrier gave you' });
    expect(refusal(() => s.create({ name: 'A', kind: 'sip', host: '', register: false }, undefined))).toMatchObject({ field: 'host' });
    expect(refusal(() => s.create({ name: 'A"<x>', kind: 'sip', host: 'x.cn' }, undefined)).field).toBe('name');
    s.create({ name: 'A', kind: 'sip', host: 'x.cn' }, undefined);
    expect(refusal(() => s.create({ name: 'a', kind: 'sip', host: 'y.cn' }, undefined))).toMatchObject({ status: 409, message: 'a trunk named "a" already exists' });
  });

  it('FXO trunks take FXO ports only; E1 trunks take E1 spans and configure them', () => {
    const inv = inventoryOf('lab');
    const s = new TrunkStore(db);
    expect(refusal(() => s.create({ name: '市话', kind: 'fxo', channels: [32] }, inv)).message).toBe(
      'trunk "市话": span 2 port 1 (channel 32) is an FXS port (a phone plugs in); an analog trunk line needs an FXO port',
    );
    const fxo = s.create({ name: '市话', kind: 'fxo', channels: [48, 49, 50, 51] }, inv);
    expect(s.get(fxo)).toMatchObject({ channels: [48, 49, 50, 51], dahdi: { group: 1, maxChannels: null } });
    expect(refusal(() => s.create({ name: 'E1', kind: 'e1', spans: [2] }, inv)).message).toBe('trunk "E1": span 2 is an analog span; PRI and MFC/R2 need an E1/T1 span');
    const e1 = s.create({ name: 'E1', kind: 'e1', spans: [1] }, inv);
    expect(s.get(e1)).toMatchObject({ spans: [1], dahdi: { group: 2 } });
    const cfg = JSON.parse((db.prepare('SELECT config FROM dahdi_spans WHERE span = 1').get() as { config: string }).config);
    expect(cfg).toMatchObject({ type: 'pri', line: 'E1', signalling: 'pri_cpe', framing: 'ccs', coding: 'hdb3', crc4: true, dchannel: 16, timing: 1 });
    expect(refusal(() => s.create({ name: 'E1b', kind: 'e1', spans: [1] }, inv))).toMatchObject({ status: 409, message: 'trunk "E1b": span 1 already carries trunk "E1"' });
  });

  it('a trunk used by a route cannot be deleted', () => {
    const s = new TrunkStore(db);
    const id = s.create({ name: 'T', kind: 'sip', host: 'x.cn' }, undefined);
    new RouteStore(db).createOutbound({ name: '手机', patterns: ['1[3-9]XXXXXXXXX'], trunkIds: [id] });
    expect(refusal(() => s.remove(id))).toMatchObject({ status: 409, message: 'trunk "T" is used by outbound route "手机"; remove it from that route first' });
  });
});

describe('RouteStore', () => {
  it('keeps routes in order, checks patterns and the new order', () => {
    const t = new TrunkStore(db).create({ name: 'T', kind: 'sip', host: 'x.cn' }, undefined);
    const r = new RouteStore(db);
    const a = r.createOutbound({ name: '手机', patterns: ['_1[3-9]XXXXXXXXX'], trunkIds: [t] });
    const b = r.createOutbound({ name: '国际', patterns: ['00X.'], trunkIds: [t] });
    expect(r.outbound().map((x) => [x.name, x.position, x.patterns])).toEqual([
      ['手机', 1, ['1[3-9]XXXXXXXXX']],
      ['国际', 2, ['00X.']],
    ]);
    expect(refusal(() => r.createOutbound({ name: 'x', patterns: ['13a'], trunkIds: [t] })).message).toMatch(/^outbound route "x": pattern "13a" is not a dial pattern/);
    expect(refusal(() => r.createOutbound({ name: 'x', patterns: [], trunkIds: [t] })).field).toBe('patterns');
    expect(refusal(() => r.reorderOutbound([b])).message).toBe(`the new order must list every outbound route exactly once (routes: ${a}, ${b})`);
    r.reorderOutbound([b, a]);
    expect(r.outbound().map((x) => x.name)).toEqual(['国际', '手机']);
  });

  it('inbound routes: one route per number, "any" for the rest, a real seat', () => {
    const r = new RouteStore(db);
    db.prepare(`INSERT INTO seats (extension, name, secret) VALUES ('8001', 'a', 'secret-0123456789abc')`).run();
    r.createInbound({ name: '热线', did: '4008123456', destination: 'seat', seat: '8001' });
    r.createInbound({ name: '其他', did: '', destination: 'hangup' });
    expect(r.inbound().map((x) => [x.did, x.destination, x.seat])).toEqual([
      ['4008123456', 'seat', '8001'],
      ['any', 'hangup', null],
    ]);
    expect(refusal(() => r.createInbound({ name: 'x', did: '4008123456', destination: 'hangup' })).message).toBe('inbound route "x": number 4008123456 already goes to inbound route "热线"');
    expect(refusal(() => r.createInbound({ name: 'y', did: '123', destination: 'seat', seat: '8999' })).message).toBe('inbound route "y": seat 8999 does not exist');
  });
});

describe('live trunk status', () => {
  it('counts live channels per PJSIP endpoint and DAHDI channel/span', () => {
    const leg = (channel: string, state = 'Up') => ({ uniqueid: channel, channel, state, callerNum: null, exten: null });
    const calls = [
      { legs: [leg('PJSIP/8001-00000001'), leg('PJSIP/trunk-1-0000000a')], state: 'bridged' },
      { legs: [leg('PJSIP/trunk-1-0000000b'), leg('DAHDI/49-1')], state: 'answered' },
      { legs: [leg('DAHDI/i1/13800138000-5'), leg('PJSIP/trunk-1-0000000c', 'Hungup')], state: 'answered' },
      { legs: [leg('PJSIP/trunk-1-0000000d')], state: 'ended' },
    ] as unknown as LiveCall[];
    const u = channelUsage(calls);
    expect([...u.pjsip]).toEqual([
      ['8001', 1],
      ['trunk-1', 2],
    ]);
    expect([...u.dahdiChannels]).toEqual([[49, 1]]);
    expect([...u.dahdiSpans]).toEqual([[1, 1]]);
  });

  it('registration, reachability and card alarms become TrunkLive; only changes are published', async () => {
    const ami = new FakeAmi();
    const pjsip = new PjsipStatus({ ami: ami as unknown as AmiClient, logger: silentLogger() });
    const live = new LiveFeed();
    const frames: LiveMessage[] = [];
    live.on('message', (m: LiveMessage) => frames.push(m));
    const host = mkdtempSync(join(tmpdir(), 'host-'));
    const { cpSync } = await import('node:fs');
    cpSync(join(HOST_ROOT, 'lab'), host, { recursive: true });
    const hardware = new HardwareMonitor({ probe: new FixtureProbe(host), db, settings: new SettingsStore(db), live: new LiveFeed(), logger: silentLogger() });
    await hardware.pollNow();
    const inv = hardware.inventory;
    const store = new TrunkStore(db);
    const reg = store.create({ name: 'REG', kind: 'sip', host: 'x.cn', register: true, username: 'u', secret: 'p' }, inv);
    const ip = store.create({ name: 'IP', kind: 'sip', host: '203.0.113.9', register: false }, inv);
    const fxo = store.create({ name: 'FXO', kind: 'fxo', channels: [50, 51] }, inv);
    const status = new TrunkStatus({ db, pjsip, hardware, live, calls: () => [] });
    await pjsip.start();
    const byId = () => Object.fromEntries(status.all().map((x) => [x.id, `${x.status}${x.detail ? ` (${x.detail})` : ''}`]));
    expect(byId()).toEqual({
      [reg]: 'unknown (no registration reported by Asterisk yet)',
      [ip]: 'unknown (no answer to OPTIONS yet)',
      [fxo]: `up (1 of 2 lines in alarm: channel 51)`,
    });

    ami.lists['PJSIPShowRegistrationsOutbound'] = [msg({ Event: 'OutboundRegistrationDetail', ObjectName: `trunk-${reg}-reg`, Status: 'Registered' })];
    ami.lists[`PJSIPShowEndpoint:trunk-${ip}`] = [msg({ Event: 'ContactStatusDetail', AOR: `trunk-${ip}`, URI: 'sip:203.0.113.9:5060', Status: 'Reachable', RoundtripUsec: '23000' })];
    frames.length = 0;
    await pjsip.refresh();
    expect(byId()[reg]).toBe('registered');
    expect(byId()[ip]).toBe('reachable (23 ms)');
    expect(frames.map((f) => f.type === 'trunk.updated' && `${f.data.name}:${f.data.status}`)).toEqual(['REG:registered', 'IP:reachable']);

    // The carrier stops answering OPTIONS: one event, one frame.
    frames.length = 0;
    ami.emit('event', msg({ Event: 'ContactStatus', URI: 'sip:203.0.113.9:5060', ContactStatus: 'Unreachable', AOR: `trunk-${ip}` }));
    expect(byId()[ip]).toBe('unreachable (the carrier does not answer OPTIONS)');
    expect(frames).toHaveLength(1);
    await pjsip.stop();
    rmSync(host, { recursive: true, force: true });
  });
});
