import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectTelephonyHardware, timeslotMap, type TelephonyInventory } from '../../firmware-agent/src/hardware/index.js';

const FIX = path.join(import.meta.dirname, '../fixtures/dahdi');
const read = (rel: string) => fs.readFileSync(path.join(FIX, rel), 'utf8');

function inventory(card: string, suffix = ''): TelephonyInventory {
  const dir = path.join(FIX, 'cards', card);
  const procs = fs
    .readdirSync(dir)
    .filter((f) => (suffix ? f === `proc-dahdi-1${suffix}.txt` : /^proc-dahdi-\d+\.txt$/.test(f)))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  return detectTelephonyHardware({
    hardware: read(`cards/${card}/dahdi_hardware.txt`),
    scan: read(`cards/${card}/dahdi_scan${suffix}.txt`),
    proc: procs,
  });
}

const kinds = (inv: TelephonyInventory, span = 1) => inv.spans.find((s) => s.span === span)!.ports.map((p) => p.kind);

describe('detectTelephonyHardware: one card at a time', () => {
  it('Digium TE122: one E1 span, PRI channel numbering', () => {
    const inv = inventory('te122');
    expect(inv.warnings).toEqual([]);
    expect(inv.cards).toHaveLength(1);
    expect(inv.cards[0]).toMatchObject({
      id: 'pci:0000:03:00.0',
      driver: 'wcte12xp',
      driverLoaded: true,
      kind: 'digital',
      model: { vendor: 'Digium', model: 'TE122' },
      spans: [1],
    });
    const s = inv.spans[0]!;
    expect(s).toMatchObject({ span: 1, card: 'pci:0000:03:00.0', kind: 'E1', firstChannel: 1, channelCount: 31, configured: true, timingMaster: true, clockSource: true });
    expect(s.lineConfig).toEqual({ framing: 'CCS', coding: 'HDB3', crc4: true });
    expect(s.ports).toEqual([]);
    expect(s.timeslots!.bchannelList).toBe('1-15,17-31');
    expect(s.timeslots!.bchannels).toHaveLength(30);
    expect(s.timeslots!.dchannel).toBe(16);
    expect(s.timeslots!.timeslots[15]).toEqual({ timeslot: 16, channel: 16, role: 'signalling' });
    expect(s.channels.find((c) => c.channel === 16)!.signalling).toBe('HDLCFCS');
  });

  it('OpenVox D130: E1 matched to its card by span name (location is the rotary switch)', () => {
    const inv = inventory('d130');
    expect(inv.warnings).toEqual([]);
    expect(inv.cards[0]).toMatchObject({ driver: 'opvxd115', model: { vendor: 'OpenVox', model: 'D130P/D130E' }, spans: [1] });
    expect(inv.spans[0]).toMatchObject({ kind: 'E1', location: 'Board ID Switch 0', lineConfig: { framing: 'CAS', coding: 'HDB3', crc4: false } });
  });

  it('OpenVox D130 with the cable pulled: RED alarm reported', () => {
    const inv = inventory('d130', '.red');
    expect(inv.spans[0]!.alarms).toMatchObject({ alarms: ['RED'], severity: 'critical' });
    expect(inv.spans[0]!.counters).toEqual({ bpv: 1523, crc4: 87, fas: 412 });
    expect(inv.warnings).toEqual([{ source: 'inventory', message: 'span 1 (D115/0/1): alarms RED' }]);
  });

  it('Digium TDM2400P: FXS, FXO, empty slots; what each needs', () => {
    const inv = inventory('tdm2400p');
    expect(inv.cards[0]).toMatchObject({ model: { model: 'TDM2400P', ports: 24 }, spans: [1] });
    expect(kinds(inv)).toEqual([...Array(16).fill('FXS'), ...Array(4).fill('FXO'), ...Array(4).fill('empty')]);
    const [fxs, fxo, empty] = [inv.spans[0]!.ports[0]!, inv.spans[0]!.ports[16]!, inv.spans[0]!.ports[20]!];
    expect(fxs).toMatchObject({ channel: 1, port: 1, name: 'WCTDM/0/0', connectsTo: 'phone', systemConfSignalling: 'fxoks', chanDahdiSignalling: 'fxo_ks', currentSignalling: 'FXOKS', signallingMismatch: false, inUse: true });
    expect(fxo).toMatchObject({ channel: 17, connectsTo: 'line', systemConfSignalling: 'fxsks', chanDahdiSignalling: 'fxs_ks', currentSignalling: 'FXSKS' });
    expect(empty).toMatchObject({ channel: 21, kind: 'empty', connectsTo: null, systemConfSignalling: null, chanDahdiSignalling: null });
    expect(inv.spans[0]!.ports[19]!.alarms.alarms).toEqual(['RED']); // FXO port 20: no line plugged in
  });

  it('Digium TDM410P: 2 FXS + 2 FXO; before dahdi_cfg it is UNCONFIGURED but the module kinds are known', () => {
    expect(kinds(inventory('tdm410p'))).toEqual(['FXS', 'FXS', 'FXO', 'FXO']);
    const inv = inventory('tdm410p', '.unconfigured');
    expect(inv.spans[0]).toMatchObject({ configured: false, alarms: { alarms: ['UNCONFIGURED'] } });
    expect(kinds(inv)).toEqual(['FXS', 'FXS', 'FXO', 'FXO']);
    expect(inv.spans[0]!.ports.every((p) => p.currentSignalling === undefined && !p.inUse)).toBe(true);
  });

  it('OpenVox A1200 and A400 (opermode cards)', () => {
    const a1200 = inventory('a1200');
    expect(a1200.cards[0]).toMatchObject({ driver: 'opvxa1200', model: { vendor: 'OpenVox', ports: 12 } });
    expect(kinds(a1200)).toEqual([...Array(4).fill('FXS'), ...Array(4).fill('FXO'), ...Array(4).fill('empty')]);
    expect(a1200.spans[0]!.counters).toEqual({ irqMisses: 3 });
    const a400 = inventory('a400');
    expect(a400.cards[0]).toMatchObject({ driver: 'wctdm', model: { model: 'TDM400P / A400P' } });
    expect(kinds(a400)).toEqual(['FXS', 'FXO', 'FXO', 'FXO']);
  });
});

describe('detectTelephonyHardware: a whole box', () => {
  it('48 seats: D130 + two TDM2400P, channels numbered across spans', () => {
    const inv = inventory('box48');
    expect(inv.warnings).toEqual([]);
    expect(inv.unassignedSpans).toEqual([]);
    expect(inv.cards.map((c) => [c.id, c.driver, c.spans])).toEqual([
      ['pci:0000:02:00.0', 'opvxd115', [1]],
      ['pci:0000:05:01.0', 'wctdm24xxp', [2]],
      ['pci:0000:06:01.0', 'wctdm24xxp', [3]],
    ]);
    expect(inv.spans.map((s) => [s.span, s.kind, s.firstChannel, s.channelCount])).toEqual([
      [1, 'E1', 1, 31],
      [2, 'analog', 32, 24],
      [3, 'analog', 56, 24],
    ]);
    const seats = inv.spans.flatMap((s) => s.ports).filter((p) => p.kind === 'FXS');
    expect(seats).toHaveLength(48);
    expect(seats[0]!.channel).toBe(32);
    expect(seats[47]!.channel).toBe(79);
  });

  it('dahdi_hardware alone: cards without spans; a driver not loaded is reported', () => {
    const inv = detectTelephonyHardware({ hardware: read('captured/dahdi_hardware.txt') });
    expect(inv.cards.map((c) => [c.driver, c.driverLoaded, c.kind, c.spans])).toEqual([
      ['wctdm24xxp', true, 'analog', []],
      ['opvxa1200', true, 'analog', []],
      ['wctdm', false, 'analog', []],
    ]);
    expect(inv.warnings).toEqual([
      { source: 'dahdi_hardware', line: 4, message: 'pci:0000:02:09.0 (Wildcard TDM400P REV I): driver wctdm is not loaded (modprobe wctdm)' },
    ]);
  });

  it('/proc/dahdi alone: kinds from the signalling (FXOKS = FXS port), E1 from HDB3', () => {
    const inv = detectTelephonyHardware({ proc: [read('cards/tdm2400p/proc-dahdi-1.txt'), read('cards/te122/proc-dahdi-1.txt').replace('Span 1:', 'Span 2:')] });
    expect(inv.spans.map((s) => s.kind)).toEqual(['analog', 'E1']);
    expect(kinds(inv)).toEqual([...Array(16).fill('FXS'), ...Array(4).fill('FXO'), ...Array(4).fill('empty')]);
    // The TE122 text still numbers its channels from 1: kept as read, and the clash reported.
    expect(inv.spans[1]!.timeslots!.dchannel).toBe(16);
    expect(inv.warnings).toEqual([
      { source: 'inventory', message: 'span 2 (channels 1-31) overlaps span 1 (channels 1-24): outputs from different boots mixed?' },
    ]);
  });

  it('an FXS port configured with FXS signalling is flagged (the naming trap)', () => {
    const proc = read('cards/tdm410p/proc-dahdi-1.txt').replace('   1 WCTDM/0/0 FXOKS', '   1 WCTDM/0/0 FXSKS');
    const inv = detectTelephonyHardware({ scan: read('cards/tdm410p/dahdi_scan.txt'), proc });
    expect(inv.spans[0]!.ports[0]).toMatchObject({ kind: 'FXS', currentSignalling: 'FXSKS', signallingMismatch: true });
    expect(inv.warnings).toContainEqual({
      source: 'inventory',
      message: 'channel 1 is an FXS port but is configured FXSKS: an FXS port needs fxoks (the opposite side\'s name)',
    });
  });

  it('a failed module is reported', () => {
    const scan = read('cards/tdm410p/dahdi_scan.txt').replace('port=2,FXS', 'port=2,FXS FAILED');
    const inv = detectTelephonyHardware({ scan });
    expect(kinds(inv)).toEqual(['FXS', 'failed', 'FXO', 'FXO']);
    expect(inv.warnings).toContainEqual({ source: 'inventory', message: 'channel 2: the FXS module failed to initialise (dahdi_scan FAILED)' });
  });

  it('garbage in every input: an inventory with warnings, no exception', () => {
    const inv = detectTelephonyHardware({ hardware: '\u0000\u0001 garbage', scan: '[x]\n=\n', proc: ['Span one', '\t  1'] });
    expect(inv.cards).toEqual([]);
    expect(inv.spans).toEqual([]);
    expect(inv.warnings.map((w) => w.source)).toEqual(['dahdi_hardware', 'dahdi_scan', 'dahdi_scan', 'proc', 'proc']);
    expect(inv.warnings.find((w) => w.source === 'proc' && w.procIndex === 1)).toBeDefined();
    // Not even an object: still an (empty) inventory.
    expect(detectTelephonyHardware(undefined as never)).toMatchObject({ cards: [], spans: [] });
    expect(detectTelephonyHardware({ hardware: 42, scan: {}, proc: 7 } as never)).toMatchObject({ cards: [], spans: [], warnings: [] });
  });
});

describe('timeslotMap', () => {
  it('E1 from channel 32: B 32-46,48-62, D 47', () => {
    const m = timeslotMap('E1', 32);
    expect(m.bchannelList).toBe('32-46,48-62');
    expect(m.dchannel).toBe(47);
  });
  it('T1: B 1-23, D 24', () => {
    const m = timeslotMap('T1', 1);
    expect(m.bchannelList).toBe('1-23');
    expect(m.dchannel).toBe(24);
    expect(m.timeslots).toHaveLength(24);
  });
});
