// The PBX model built from the seats/trunks/routes tables and the detected cards, the
// mapping of model issues back to the user's items, and the change runner's apply flow
// (dry run, validate, apply, commit) with a fake Asterisk.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../firmware-agent/src/audit/audit-log.js';
import { openDatabase, type Db } from '../../firmware-agent/src/db/database.js';
import { detectTelephonyHardware, type TelephonyInventory } from '../../firmware-agent/src/hardware/index.js';
import { checkPortFor } from '../../firmware-agent/src/hardware-inventory/ports.js';
import { silentLogger } from '../../firmware-agent/src/logging.js';
import { defaultModel, validateModel, type PbxModel } from '../../firmware-agent/src/pbx-config/model.js';
import { buildPbxModelWithSources } from '../../firmware-agent/src/pbx-model/build.js';
import { ConfigChangeRunner } from '../../firmware-agent/src/pbx-model/change-runner.js';
import { ConfigChangeError, mapIssue, type ModelSource } from '../../firmware-agent/src/pbx-model/errors.js';
import { SeatStore, generateSeatSecret } from '../../firmware-agent/src/seats/seat-store.js';
import { RouteStore } from '../../firmware-agent/src/trunks/route-store.js';
import { TrunkStore } from '../../firmware-agent/src/trunks/trunk-store.js';

const HOST_ROOT = join(__dirname, '..', 'fixtures', 'host-root');

function inventoryOf(box: string): TelephonyInventory {
  const dir = join(HOST_ROOT, box);
  let proc: string[] = [];
  try {
    proc = readdirSync(join(dir, 'proc', 'dahdi')).map((f) => readFileSync(join(dir, 'proc', 'dahdi', f), 'utf8'));
  } catch {
    proc = [];
  }
  return detectTelephonyHardware({ hardware: readFileSync(join(dir, 'commands', 'dahdi_hardware.txt'), 'utf8'), scan: readFileSync(join(dir, 'commands', 'dahdi_scan.txt'), 'utf8'), proc });
}

const base = (): PbxModel => defaultModel({ revision: 'r1', amiSecret: 'ami-secret-0123456789', demo: { enabled: false } });

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seatbox-builder-'));
  db = openDatabase(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function addSipSeats(from: number, n: number): void {
  const store = new SeatStore(db);
  for (let i = 0; i < n; i++) store.insert({ extension: String(from + i), name: `坐席 ${from + i}`, kind: 'agent', tech: 'sip', secret: generateSeatSecret(), codecs: ['alaw', 'ulaw'] });
}

describe('buildPbxModel', () => {
  it('turns SIP seats, an FXS seat, a SIP trunk, an FXO trunk, an E1 trunk and routes into a valid model', () => {
    const inv = inventoryOf('lab');
    addSipSeats(8001, 3);
    const seats = new SeatStore(db);
    const fxs = seats.insert({ extension: '8101', name: '班长 1', kind: 'team_lead', tech: 'fxs', secret: null, codecs: ['alaw'] });
    seats.assignPort(fxs, 32, 2);
    const trunks = new TrunkStore(db);
    const sip = trunks.create({ name: '中国电信', kind: 'sip', host: 'sip.example.cn', register: true, username: '02161234567', secret: 'carrier-pw', callerIdNumber: '02161234567' }, inv);
    const fxo = trunks.create({ name: '市话', kind: 'fxo', channels: [48, 49] }, inv);
    const e1 = trunks.create({ name: '数字中继', kind: 'e1', spans: [1], e1Signalling: 'r2' }, inv);
    const routes = new RouteStore(db);
    routes.createOutbound({ name: '手机', patterns: ['1[3-9]XXXXXXXXX'], trunkIds: [sip, fxo] });
    routes.createOutbound({ name: '国际', patterns: ['00X.'], stripDigits: 0, prepend: '', trunkIds: [e1] });
    routes.createInbound({ name: '热线', did: '4008123456', destination: 'seat', seat: '8001' });

    const { model, sources, warnings } = buildPbxModelWithSources(db, base(), { inventory: inv });
    expect(warnings).toEqual([]);
    const v = validateModel(model);
    expect(v.ok ? [] : v.errors).toEqual([]);
    expect(model.endpoints.map((e) => e.id)).toEqual(['8001', '8002', '8003']);
    expect(model.endpoints[0]!.callerName).toBe('坐席 8001');
    expect(model.fxsSeats).toEqual([{ extension: '8101', dahdiChannel: 32, callerName: '班长 1' }]);
    expect(model.trunks!.map((t) => [t.id, t.kind])).toEqual([
      [`trunk-${sip}`, 'sip'],
      [`trunk-${fxo}`, 'dahdi'],
      [`trunk-${e1}`, 'dahdi'],
    ]);
    const sipTrunk = model.trunks![0]!;
    expect(sipTrunk.kind === 'sip' && sipTrunk.registration).toBeTruthy();
    expect(sipTrunk.kind === 'sip' && sipTrunk.auth).toEqual({ username: '02161234567', secret: 'carrier-pw' });
    expect(model.routes!.map((r) => [r.description, r.trunks])).toEqual([
      ['手机', [`trunk-${sip}`, `trunk-${fxo}`]],
      ['国际', [`trunk-${e1}`]],
    ]);
    expect(model.inboundRoutes).toEqual([{ did: '4008123456', destination: { kind: 'seat', target: '8001' } }]);
    // Card config: span 1 MFC/R2 in the E1 trunk's group, span 2 with the FXS seat and two FXO lines.
    const spans = model.dahdi!.spans;
    const analog = spans.find((s) => s.span === 2);
    expect(analog?.type === 'analog' && analog.ports.map((p) => `${p.channel}:${p.kind}`)).toEqual(['32:FXS', '48:FXO', '49:FXO']);
    const r2 = spans.find((s) => s.span === 1);
    expect(r2?.type).toBe('r2');
    expect(sources.find((s) => s.path === 'endpoints[2]')?.label).toBe('seat 8003');
  });

  it('leaves out disabled seats and trunks, and routes whose trunks are all disabled', () => {
    addSipSeats(8001, 2);
    new SeatStore(db).update(new SeatStore(db).byExtension('8002')!.id, { enabled: false });
    const trunks = new TrunkStore(db);
    const t = trunks.create({ name: 'A', kind: 'sip', host: '203.0.113.5', register: false }, undefined);
    new RouteStore(db).createOutbound({ name: 'all', patterns: ['X.'], trunkIds: [t] });
    trunks.update(t, { enabled: false }, undefined);
    const { model, warnings } = buildPbxModelWithSources(db, base());
    expect(model.endpoints.map((e) => e.id)).toEqual(['8001']);
    expect(model.trunks).toEqual([]);
    expect(model.routes).toEqual([]);
    expect(warnings.join('\n')).toMatch(/outbound route "all": none of its trunks is usable/);
  });

  it('leaves out ports of a card that is no longer detected instead of failing', () => {
    const seats = new SeatStore(db);
    const id = seats.insert({ extension: '8101', name: 'x', kind: 'agent', tech: 'fxs', secret: null, codecs: ['alaw'] });
    seats.assignPort(id, 40, 2);
    const { model, warnings } = buildPbxModelWithSources(db, base(), { inventory: inventoryOf('none') });
    expect(model.fxsSeats).toEqual([]);
    expect(model.dahdi).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/span 2 \(channel 40\) is not detected/);
    expect(validateModel(model).ok).toBe(true);
  });
});

describe('issue mapping', () => {
  const sources: ModelSource[] = [
    { path: 'endpoints[3]', label: 'seat 8004', fields: { id: 'extension', secret: 'secret' } },
    { path: 'trunks[0]', label: 'trunk "中国电信"', fields: { host: 'host', 'auth.secret': 'secret' } },
    { path: 'dahdi.spans[0]', label: 'span 1', fields: { framing: 'framing' } },
  ];
  it('names the seat and the API field', () => {
    expect(mapIssue({ path: 'endpoints[3].id', message: 'must be a seat extension' }, sources)).toEqual({ message: 'seat 8004: extension must be a seat extension', field: 'extension', item: 'seat 8004' });
    expect(mapIssue({ path: 'trunks[0].auth.secret', message: 'must not contain newline' }, sources)).toMatchObject({ message: 'trunk "中国电信": secret must not contain newline', field: 'secret' });
  });
  it('does not take endpoints[3] for endpoints[30]', () => {
    expect(mapIssue({ path: 'endpoints[30].id', message: 'x' }, sources)).toEqual({ message: 'endpoints[30].id: x' });
  });
  it('keeps DAHDI messages that already name their span', () => {
    const m = mapIssue({ path: 'dahdi.spans[0].framing', message: 'span 1 (E1 PRI): framing "esf" is a T1 framing' }, sources);
    expect(m).toEqual({ message: 'span 1 (E1 PRI): framing "esf" is a T1 framing', field: 'framing', item: 'span 1' });
  });
});

describe('ConfigChangeRunner', () => {
  const applied: PbxModel[] = [];
  let applyResult: { ok: boolean; error?: string } = { ok: true };
  const runner = (inv?: TelephonyInventory) =>
    new ConfigChangeRunner({
      db,
      baseModel: base,
      inventory: () => inv,
      apply: async (m) => {
        applied.push(m);
        return applyResult;
      },
      audit: new AuditLog(db),
      logger: silentLogger(),
    });
  beforeEach(() => {
    applied.length = 0;
    applyResult = { ok: true };
  });
  const seatCount = () => new SeatStore(db).count();
  const audit = () => new AuditLog(db).recent(20).map((a) => a.action);

  it('applies the model built from the changed tables, then commits with an audit entry', async () => {
    const secret = generateSeatSecret();
    let runs = 0;
    await runner().run({
      actor: { username: 'admin' },
      action: 'seat.created',
      target: 'seat:8001',
      mutate: (d) => {
        runs++;
        new SeatStore(d).insert({ extension: '8001', name: 'a', kind: 'agent', tech: 'sip', secret, codecs: ['alaw'] });
      },
    });
    expect(runs).toBe(2); // dry run + commit
    expect(applied).toHaveLength(1);
    expect(applied[0]!.endpoints.map((e) => [e.id, e.secret])).toEqual([['8001', secret]]);
    expect(seatCount()).toBe(1);
    expect(audit()).toContain('seat.created');
  });

  it('refuses a model Asterisk cannot take (422), naming the seat; nothing stored or applied', async () => {
    const err = await runner()
      .run({
        actor: {},
        action: 'seat.created',
        target: 'seat:8001',
        // A secret with a blank passes SQLite but not the PBX model.
        mutate: (d) => new SeatStore(d).insert({ extension: '8001', name: 'a', kind: 'agent', tech: 'sip', secret: 'has blank inside', codecs: ['alaw'] }),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigChangeError);
    expect((err as ConfigChangeError).status).toBe(422);
    expect((err as ConfigChangeError).message).toMatch(/^seat 8001: secret must be/);
    expect((err as ConfigChangeError).field).toBe('secret');
    expect(applied).toHaveLength(0);
    expect(seatCount()).toBe(0);
    expect(audit()).toContain('seat.change_refused');
  });

  it('rolls the tables back when Asterisk refuses the reload (409)', async () => {
    applyResult = { ok: false, error: 'pjsip.conf: reload not verified' };
    const err = (await runner()
      .run({ actor: {}, action: 'seat.created', target: 'x', mutate: (d) => new SeatStore(d).insert({ extension: '8001', name: 'a', kind: 'agent', tech: 'sip', secret: generateSeatSecret(), codecs: ['alaw'] }) })
      .catch((e: unknown) => e)) as ConfigChangeError;
    expect(err.status).toBe(409);
    expect(err.code).toBe('apply_failed');
    expect(err.message).toMatch(/nothing was changed/);
    expect(seatCount()).toBe(0);
    expect(audit()).not.toContain('seat.created');
  });

  it('an E1 span with T1 framing is refused with the span named and field "framing"', async () => {
    const inv = inventoryOf('lab');
    const trunkId = await runner(inv).run({ actor: {}, action: 'trunk.created', target: 't', mutate: (d) => new TrunkStore(d).create({ name: 'E1', kind: 'e1', spans: [1] }, inv) });
    const before = db.prepare('SELECT config FROM dahdi_spans WHERE span = 1').get();
    const err = (await runner(inv)
      .run({
        actor: {},
        action: 'span.configured',
        target: 'span:1',
        mutate: (d) => {
          const cfg = JSON.parse((d.prepare('SELECT config FROM dahdi_spans WHERE span = 1').get() as { config: string }).config) as Record<string, unknown>;
          d.prepare('UPDATE dahdi_spans SET config = ? WHERE span = 1').run(JSON.stringify({ ...cfg, framing: 'esf' }));
        },
      })
      .catch((e: unknown) => e)) as ConfigChangeError;
    expect(trunkId).toBeGreaterThan(0);
    expect(err.status).toBe(422);
    expect(err.field).toBe('framing');
    expect(err.message).toMatch(/span 1 .*framing "esf" is a T1 framing/);
    expect(db.prepare('SELECT config FROM dahdi_spans WHERE span = 1').get()).toEqual(before);
  });

  it('an FXS port given to a second seat is refused (409) naming the first seat', async () => {
    const inv = inventoryOf('lab');
    const seats = new SeatStore(db);
    const a = seats.insert({ extension: '8101', name: 'a', kind: 'agent', tech: 'fxs', secret: null, codecs: ['alaw'] });
    seats.assignPort(a, 33, 2);
    const b = seats.insert({ extension: '8102', name: 'b', kind: 'agent', tech: 'fxs', secret: null, codecs: ['alaw'] });
    let err: unknown;
    try {
      checkPortFor(db, inv, 33, 'FXS', 'seat 8102', { seatId: b });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigChangeError).status).toBe(409);
    expect((err as ConfigChangeError).message).toBe('seat 8102: span 2 port 2 (channel 33) is already the port of seat 8101; one port serves one seat or one line');
    // An FXO port is not a seat's port.
    expect(() => checkPortFor(db, inv, 48, 'FXS', 'seat 8102', { seatId: b })).toThrow(/is an FXO port \(a PSTN line plugs in\); an analog seat needs an FXS port/);
  });

  it('a route to a trunk that does not exist is refused (400)', async () => {
    const err = (await runner()
      .run({ actor: {}, action: 'route.created', target: 'r', mutate: (d) => new RouteStore(d).createOutbound({ name: '手机', patterns: ['1[3-9]XXXXXXXXX'], trunkIds: [42] }) })
      .catch((e: unknown) => e)) as ConfigChangeError;
    expect(err.status).toBe(400);
    expect(err.field).toBe('trunkIds');
    expect(err.message).toBe('outbound route "手机": trunk 42 does not exist');
  });

  it('runs changes one after another', async () => {
    const r = runner();
    const order: string[] = [];
    await Promise.all(
      ['8001', '8002', '8003'].map((ext) =>
        r.run({
          actor: {},
          action: 'seat.created',
          target: ext,
          mutate: (d) => {
            order.push(ext);
            new SeatStore(d).insert({ extension: ext, name: ext, kind: 'agent', tech: 'sip', secret: 'secret-' + ext + '-0123456789', codecs: ['alaw'] });
          },
        }),
      ),
    );
    expect(order).toEqual(['8001', '8001', '8002', '8002', '8003', '8003']);
    expect(applied.map((m) => m.endpoints.length)).toEqual([1, 2, 3]);
  });
});
