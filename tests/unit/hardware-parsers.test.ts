import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseDahdiHardware,
  parseDahdiScan,
  parseDahdiShowStatus,
  parseProcDahdi,
  parseSystemConf,
} from '../../firmware-agent/src/hardware/index.js';

const FIX = path.join(import.meta.dirname, '../fixtures/dahdi');
const read = (rel: string) => fs.readFileSync(path.join(FIX, rel), 'utf8');

describe('parseDahdiHardware', () => {
  it('captured lines of three systems', () => {
    const r = parseDahdiHardware(read('captured/dahdi_hardware.txt'));
    expect(r.warnings).toEqual([]);
    expect(r.cards.map((c) => [c.line, c.location, c.driver, c.loaded, c.id, c.description])).toEqual([
      [2, 'pci:0000:04:05.0', 'wctdm24xxp', true, 'd161:8005', 'Wildcard TDM410P'],
      [3, 'pci:0000:05:00.0', 'opvxa1200', true, 'e159:0001', 'OpenVox A1200P/A1200E/A800P/A800E'],
      [4, 'pci:0000:02:09.0', 'wctdm', false, 'e159:0001', 'Wildcard TDM400P REV I'],
    ]);
    expect(r.cards[0]!.pci).toEqual({ domain: 0, bus: 4, device: 5, function: 0 });
    expect(r.cards[0]!.busType).toBe('pci');
  });

  it('composed D130 line: trailing blank of the PCI.pm description is dropped', () => {
    const [c] = parseDahdiHardware(read('cards/d130/dahdi_hardware.txt')).cards;
    expect(c).toMatchObject({ driver: 'opvxd115', vendorId: '1b74', deviceId: 'd130', description: 'OpenVox D130P/D130E' });
  });

  it('Astribank lines: USB location, [T], -v details, -x banner', () => {
    const text = [
      'usb:001/003          xpp_usb+     e4e4:1152 Astribank-multi FPGA-firmware',
      ' LABEL=[usb:X1055555]        CONNECTOR=usb-0000:00:1d.7-4',
      '\tXBUS-00/XPD-00: FXS      (8)  Span 1',
      'usb:001/004          xpp_usb+[T]  e4e4:1152 Astribank-multi FPGA-firmware',
      '----------- XPP Spans with disconnected hardware -----------',
      'XBUS-01                                  NO HARDWARE',
    ].join('\n');
    const r = parseDahdiHardware(text);
    expect(r.warnings).toEqual([]);
    expect(r.cards).toHaveLength(2);
    expect(r.cards[0]).toMatchObject({ busType: 'usb', driver: 'xpp_usb', twinstar: false });
    expect(r.cards[0]!.details).toEqual(['LABEL=[usb:X1055555]        CONNECTOR=usb-0000:00:1d.7-4', 'XBUS-00/XPD-00: FXS      (8)  Span 1']);
    expect(r.cards[0]!.pci).toBeUndefined();
    expect(r.cards[1]).toMatchObject({ twinstar: true, loaded: true });
  });

  it('garbage and truncated lines become warnings with line numbers', () => {
    const r = parseDahdiHardware('pci:0000:04:05.0     wctdm24xxp+  d161:8005 Wildcard TDM410P\nhello world\npci:0000:05:00.0     opvxa1200+   e15\n\tstray detail');
    expect(r.cards).toHaveLength(1);
    expect(r.warnings.map((w) => w.line)).toEqual([2, 3]);
    expect(r.warnings[0]!.message).toMatch(/not a dahdi_hardware device line/);
    expect(r.warnings[1]!.text).toBe('pci:0000:05:00.0     opvxa1200+   e15');
    expect(r.cards[0]!.details).toEqual(['stray detail']);
  });
});

describe('parseDahdiScan', () => {
  it('analog span: every key, repeated port= kept in order', () => {
    const r = parseDahdiScan(read('cards/tdm2400p/dahdi_scan.txt'));
    expect(r.warnings).toEqual([]);
    const s = r.spans[0]!;
    expect(s).toMatchObject({
      span: 1,
      active: true,
      description: 'Wildcard TDM2400P',
      name: 'WCTDM/0',
      manufacturer: 'Digium',
      devicetype: 'Wildcard TDM2400P (VPMADT032)',
      location: 'PCI Bus 05 Slot 02',
      basechan: 1,
      totchans: 24,
      irq: 0,
      type: 'analog',
      lineType: 'analog',
    });
    expect(s.alarms!.ok).toBe(true);
    expect(s.entries.filter((e) => e.key === 'port')).toHaveLength(24);
    expect(s.entries[0]).toEqual({ line: 3, key: 'active', value: 'yes' });
    expect(s.ports.map((p) => `${p.channel},${p.kind}`)).toEqual([
      ...Array.from({ length: 16 }, (_, i) => `${i + 1},FXS`),
      ...Array.from({ length: 4 }, (_, i) => `${i + 17},FXO`),
      ...Array.from({ length: 4 }, (_, i) => `${i + 21},none`),
    ]);
  });

  it('digital E1 span, full key set (TE122)', () => {
    const s = parseDahdiScan(read('cards/te122/dahdi_scan.txt')).spans[0]!;
    expect(s).toMatchObject({
      type: 'digital-E1',
      lineType: 'E1',
      syncsrc: 1,
      lbo: '0 db (CSU)/0-133 feet (DSX-1)',
      codingOpts: ['AMI', 'HDB3'],
      framingOpts: ['CCS', 'CRC4'],
      coding: 'HDB3',
      framing: 'CCS',
      crc4: true,
      ports: [],
    });
  });

  it('MFC/R2 E1 (D130): framing CAS, no CRC4', () => {
    const s = parseDahdiScan(read('cards/d130/dahdi_scan.txt')).spans[0]!;
    expect(s).toMatchObject({ framing: 'CAS', crc4: false, coding: 'HDB3', location: 'Board ID Switch 0' });
  });

  it('captured Sangoma section: older key set, a location containing "="', () => {
    const r = parseDahdiScan(read('captured/dahdi_scan-e1.txt'));
    expect(r.warnings).toEqual([]);
    expect(r.spans[0]).toMatchObject({
      name: 'WPE1/0',
      location: 'SLOT=2, BUS=4',
      lineType: 'E1',
      framing: 'CCS',
      crc4: true,
      totchans: 31,
    });
    expect(r.spans[0]!.irq).toBeUndefined();
  });

  it('several spans; FAILED and unknown ports', () => {
    const text = [
      '[1]',
      'type=analog',
      'basechan=1',
      'totchans=2',
      'port=1,FXS FAILED',
      'port=2,unknown',
      '[2]',
      'type=digital-T1',
      'framing=ESF',
      'coding=B8ZS',
    ].join('\n');
    const r = parseDahdiScan(text);
    expect(r.warnings).toEqual([]);
    expect(r.spans[0]!.ports).toEqual([
      { line: 5, channel: 1, kind: 'FXS', failed: true, raw: '1,FXS FAILED' },
      { line: 6, channel: 2, kind: 'unknown', failed: false, raw: '2,unknown' },
    ]);
    expect(r.spans[1]).toMatchObject({ lineType: 'T1', framing: 'ESF', crc4: false, coding: 'B8ZS' });
  });

  it('garbage, truncation and bad values: what parsed plus warnings with line numbers', () => {
    const text = ['alarms=OK', '[1]', 'basechan=one', 'totchans=4', 'type=analog', 'port=1,FXS', 'port=2;FXO', 'no equals sign here', 'port=9,FXS', '[1]', 'port=1,FX'].join('\n');
    const r = parseDahdiScan(text);
    expect(r.spans).toHaveLength(2);
    expect(r.spans[0]!.ports.map((p) => p.channel)).toEqual([1, 9]);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [1, 'key=value line before any "[N]" span header'],
      [7, 'port= value is not "<channel>,FXS|FXO|none|unknown[ FAILED]"'],
      [8, 'not a dahdi_scan line (expected "[N]" or "key=value")'],
      [3, 'basechan is not a number'],
      [2, 'span 1 lists 2 ports for 4 channels (truncated output?)'],
      [10, 'span 1 appears twice'],
      [11, 'port= value is not "<channel>,FXS|FXO|none|unknown[ FAILED]"'],
    ]);
  });
});

describe('parseProcDahdi', () => {
  it('E1 PRI (TE122): header, D-channel, echo cancellers', () => {
    const r = parseProcDahdi(read('cards/te122/proc-dahdi-1.txt'));
    expect(r.warnings).toEqual([]);
    const s = r.spans[0]!;
    expect(s).toMatchObject({ span: 1, name: 'WCT1/0', description: 'Wildcard TE122 Card 0', master: true, clockSource: true, counters: {} });
    expect(s.lineConfig).toEqual({ coding: 'HDB3', framing: 'CCS', crc4: true, raw: 'HDB3/CCS/CRC4' });
    expect(s.alarms.ok).toBe(true);
    expect(s.channels).toHaveLength(31);
    expect(s.channels[0]).toMatchObject({
      line: 4,
      channel: 1,
      name: 'WCT1/0/1',
      signalling: 'Clear',
      configured: true,
      inUse: true,
      echoCanceller: { name: 'OSLEC', state: 'ACTIVE', software: false },
    });
    expect(s.channels[15]).toMatchObject({ channel: 16, signalling: 'HDLCFCS', inUse: true });
    expect(s.channels[15]!.echoCanceller).toBeUndefined();
  });

  it('E1 MFC/R2 (D130): "HDB3/" is CAS framing; timeslot 16 unconfigured', () => {
    const s = parseProcDahdi(read('cards/d130/proc-dahdi-1.txt')).spans[0]!;
    expect(s.lineConfig).toEqual({ coding: 'HDB3', framing: 'CAS', crc4: false, raw: 'HDB3/' });
    expect(s.channels.filter((c) => c.signalling === 'CAS')).toHaveLength(30);
    expect(s.channels[15]).toMatchObject({ channel: 16, name: 'D115/0/1/16', configured: false, inUse: false });
  });

  it('D130 with the cable pulled: RED and the error counters', () => {
    const s = parseProcDahdi(read('cards/d130/proc-dahdi-1.red.txt')).spans[0]!;
    expect(s.alarms.alarms).toEqual(['RED']);
    expect(s.counters).toEqual({ bpv: 1523, crc4: 87, fas: 412 });
    expect(s.clockSource).toBe(false);
  });

  it('analog (TDM2400P): FXOKS/FXSKS, Reserved empty slots, channel RED, hardware echo canceller', () => {
    const s = parseProcDahdi(read('cards/tdm2400p/proc-dahdi-1.txt')).spans[0]!;
    expect(s.lineConfig).toBeUndefined();
    expect(s.channels.map((c) => c.signalling ?? (c.reserved ? 'Reserved' : '-')).join(' ')).toBe(
      [...Array(16).fill('FXOKS'), ...Array(4).fill('FXSKS'), ...Array(4).fill('Reserved')].join(' '),
    );
    expect(s.channels[19]!.alarms.alarms).toEqual(['RED']);
    expect(s.channels[0]!.echoCanceller).toEqual({ name: 'VPMADT032', state: 'INACTIVE', software: false });
  });

  it('captured TDM800P (indentation lost): IRQ misses', () => {
    const r = parseProcDahdi(read('captured/proc-dahdi-analog.txt'));
    expect(r.warnings).toEqual([]);
    expect(r.spans[0]).toMatchObject({ name: 'WCTDM/0', description: 'Wildcard TDM800P Board 1', master: true, counters: { irqMisses: 1762187 } });
    expect(r.spans[0]!.channels[0]).toMatchObject({ channel: 1, name: 'WCTDM/0/0', signalling: 'FXOKS', inUse: true });
  });

  it('the span header quoted by dahdi_genconf for an older D130 driver', () => {
    const header = read('captured/genconf-d130-system.conf').split('\n')[1]!.replace(/^# /, '');
    const s = parseProcDahdi(header).spans[0]!;
    expect(s).toMatchObject({ span: 1, name: 'D115/D130/0/1', description: 'D115/D130 (E1|T1) Card 0 Span 1', master: true });
  });

  it('older DAHDI/Zaptel remarks and every sigstr() spelling', () => {
    const text = [
      'Span 2: TE4/0/2 "T4XXP (PCI) Card 0 Span 2" B8ZS/ESF YELLOW RED ',
      '\tTiming slips: 4',
      '\tE-bit error count: 2',
      '',
      '\t  25 TE4/0/2/1 Clear (In use) (SWEC: MG2) ',
      '\t  26 TE4/0/2/2 Hardware-assisted HDLC (In use) ',
      '\t  27 TE4/0/2/3 SF (ToneOnly) (no pcm) ',
      '\t  28 TE4/0/2/4 FXSKS (Slaved) ',
      '\t  29 TE4/0/2/5 (Unconfigured) ',
      '\t  30 TE4/0/2/6 Clear Master RED (EC: HWEC) ',
      '\t  31 TE4/0/2/7 E&M-E1 DACS+RBS (some remark) ',
    ].join('\n');
    const r = parseProcDahdi(text);
    const s = r.spans[0]!;
    expect(s.lineConfig).toEqual({ coding: 'B8ZS', framing: 'ESF', crc4: false, raw: 'B8ZS/ESF' });
    expect(s.alarms.alarms).toEqual(['YELLOW', 'RED']);
    expect(s.counters).toEqual({ timingSlips: 4, ebit: 2 });
    const [c1, c2, c3, c4, c5, c6, c7] = s.channels;
    expect(c1!.echoCanceller).toEqual({ name: 'MG2', software: true });
    expect(c2!.signalling).toBe('Hardware-assisted HDLC');
    expect(c3).toMatchObject({ signalling: 'SF (ToneOnly)', noPcm: true, remarks: [] });
    expect(c4).toMatchObject({ signalling: 'FXSKS', slaved: true });
    expect(c5).toMatchObject({ signalling: 'Unconfigured', configured: false });
    expect(c6).toMatchObject({ signalling: 'Clear', master: true, echoCanceller: { name: 'HWEC', software: false } });
    expect(c6!.alarms.alarms).toEqual(['RED']);
    expect(c7).toMatchObject({ signalling: 'E&M-E1', remarks: ['some remark'] });
    // "DACS+RBS" after a signalling is a word we do not expect: reported, not fatal.
    expect(r.warnings).toEqual([{ line: 11, message: 'unknown word "DACS+RBS" in channel 31', text: '31 TE4/0/2/7 E&M-E1 DACS+RBS (some remark)' }]);
  });

  it('several spans in one text (cat /proc/dahdi/*)', () => {
    const text = read('cards/box48/proc-dahdi-1.txt') + read('cards/box48/proc-dahdi-2.txt') + read('cards/box48/proc-dahdi-3.txt');
    const r = parseProcDahdi(text);
    expect(r.warnings).toEqual([]);
    expect(r.spans.map((s) => [s.span, s.name, s.channels.length, s.channels[0]!.channel])).toEqual([
      [1, 'D115/0/1', 31, 1],
      [2, 'WCTDM/0', 24, 32],
      [3, 'WCTDM/1', 24, 56],
    ]);
  });

  it('truncated and garbage input: what parsed plus warnings with line numbers', () => {
    const text = [
      '   1 WCTDM/0/0 FXOKS',
      'Span 1: WCTDM/0 "Wildcard TDM410P',
      '\tIRQ misses: 12',
      '\tBogus counter: 3',
      '\t   1 WCTDM/0/0 FXOKS (In use',
      '\t   2 WCTDM/0/1 FXOKS WOBBLE',
      '\t   2 WCTDM/0/1 FXOKS',
      '%%% nonsense %%%',
    ].join('\n');
    const r = parseProcDahdi(text);
    expect(r.spans).toHaveLength(1);
    expect(r.spans[0]).toMatchObject({ description: 'Wildcard TDM410P', counters: { irqMisses: 12 } });
    expect(r.spans[0]!.channels.map((c) => c.channel)).toEqual([1, 2, 2]);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [1, 'channel line before any "Span N:" header'],
      [2, 'span description has no closing quote (truncated line?)'],
      [4, 'unknown counter "Bogus counter"'],
      [5, 'unbalanced parenthesis in the channel line (truncated line?)'],
      [5, 'unknown word "In" in channel 1'],
      [5, 'unknown word "use" in channel 1'],
      [6, 'unknown word "WOBBLE" in channel 2'],
      [7, 'channel 2 is out of order (after 2)'],
      [8, 'not a /proc/dahdi line (span header, counter or channel expected)'],
    ]);
  });
});

describe('parseDahdiShowStatus', () => {
  it('Asterisk 22 columns, including a counter wider than its column', () => {
    const r = parseDahdiShowStatus(read('show-status/asterisk22-composed.txt'));
    expect(r.rows).toHaveLength(13);
    expect(r.rows[1]).toMatchObject({ span: 2, description: 'D115 (E1/T1) Card 0 Span 1', bpvCount: 1523, crc4Count: 87, framing: 'CAS', coding: 'HDB3', options: '' });
    expect(r.rows[4]).toMatchObject({ span: 5, irqMisses: 1762187, framing: 'CAS', coding: 'Unkn', lbo: '0 db (CSU)/0-133 feet (DSX-1)' });
    expect(r.rows[0]).toMatchObject({ options: 'CRC4' });
    expect(r.rows[12]).toMatchObject({ framing: 'ESF', coding: 'B8ZS', lbo: '-7.5db (CSU)' });
  });

  it('blanks collapsed (copied from a web page) still parse', () => {
    const r = parseDahdiShowStatus('Span Description Alarms IRQ bpviol CRC Fra Codi Options LBO\n   1 Wildcard TE122 Card 0 RED 0 12 3 CCS HDB3 CRC4/YEL 0 db (CSU)/0-133 feet (DSX-1)');
    expect(r.warnings).toEqual([]);
    expect(r.rows[0]).toMatchObject({
      span: 1,
      description: 'Wildcard TE122 Card 0',
      bpvCount: 12,
      crc4Count: 3,
      framing: 'CCS',
      coding: 'HDB3',
      options: 'CRC4/YEL',
      lbo: '0 db (CSU)/0-133 feet (DSX-1)',
    });
  });

  it('no DAHDI, garbage rows: warnings with line numbers', () => {
    const r = parseDahdiShowStatus('No DAHDI found. Unable to open /dev/dahdi/ctl: No such file or directory\nsome garbage\n   1 Wildcard TE122 Card 0                    OK      0');
    expect(r.rows).toEqual([]);
    expect(r.warnings.map((w) => w.line)).toEqual([1, 2, 3]);
    expect(r.warnings[0]!.message).toMatch(/DAHDI modules are not loaded/);
  });
});

describe('parseSystemConf (reading dahdi_genconf output)', () => {
  it('captured D130 system.conf', () => {
    const c = parseSystemConf(read('captured/genconf-d130-system.conf'));
    expect(c.warnings).toEqual([]);
    expect(c.spans).toEqual([{ span: 1, timing: 1, lbo: 0, framing: 'ccs', coding: 'hdb3', crc4: true, yellow: false }]);
    expect(c.channels['dchan']).toEqual([16]);
    expect(c.channels['bchan']).toHaveLength(30);
    expect(c.loadzones).toEqual(['us']);
    expect(c.defaultzone).toBe('us');
  });

  it('bad lines are reported', () => {
    const c = parseSystemConf('span=1,1,0,esf\nfxoks=1-\ncas=1-15\nechocanceller=oslec\nbogus=1\njunk');
    expect(c.warnings.map((w) => w.line)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
