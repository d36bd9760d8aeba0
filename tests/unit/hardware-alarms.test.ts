import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALARM_INFO,
  ALARM_KINDS,
  parseDahdiScan,
  parseDahdiShowStatus,
  parseProcDahdi,
  parseSpanAlarms,
  type AlarmKind,
  type AlarmSeverity,
} from '../../firmware-agent/src/hardware/index.js';

const FIX = path.join(import.meta.dirname, '../fixtures/dahdi');
const read = (rel: string) => fs.readFileSync(path.join(FIX, rel), 'utf8');

describe('parseSpanAlarms: every alarm kind in every spelling', () => {
  const cases: Array<[string, AlarmKind[], AlarmSeverity]> = [
    // dahdi_scan / dahdi show status spellings
    ['OK', [], 'ok'],
    ['UNCONFIGURED', ['UNCONFIGURED'], 'warning'],
    ['RED', ['RED'], 'critical'],
    ['YEL', ['YELLOW'], 'critical'],
    ['BLU', ['BLUE'], 'critical'],
    ['REC', ['RECOVERING'], 'warning'],
    ['LB', ['LOOPBACK'], 'warning'],
    ['NOP', ['NOTOPEN'], 'warning'],
    ['UUU', ['UNKNOWN'], 'warning'],
    ['RED/LFA', ['RED', 'LFA'], 'critical'],
    ['LMFA/OK', ['LMFA'], 'warning'],
    ['YEL/RED', ['YELLOW', 'RED'], 'critical'],
    ['BLU/YEL/RED/LB/REC/NOP', ['BLUE', 'YELLOW', 'RED', 'LOOPBACK', 'RECOVERING', 'NOTOPEN'], 'critical'],
    // /proc/dahdi spellings (fill_alarm_string)
    ['', [], 'ok'],
    ['YELLOW', ['YELLOW'], 'critical'],
    ['BLUE', ['BLUE'], 'critical'],
    ['RECOVERING', ['RECOVERING'], 'warning'],
    ['LOOP', ['LOOPBACK'], 'warning'],
    ['NOTOPEN', ['NOTOPEN'], 'warning'],
    ['YELLOW RED ', ['YELLOW', 'RED'], 'critical'],
    // other spellings met in the wild
    ['LOOPBACK', ['LOOPBACK'], 'warning'],
    ['RED YELLOW', ['YELLOW', 'RED'], 'critical'],
    ['red, yellow', ['YELLOW', 'RED'], 'critical'],
  ];
  for (const [raw, alarms, severity] of cases) {
    it(JSON.stringify(raw), () => {
      const a = parseSpanAlarms(raw);
      expect(a.alarms).toEqual(alarms);
      expect(a.severity).toBe(severity);
      expect(a.ok).toBe(alarms.length === 0);
      expect(a.unrecognized).toEqual([]);
      expect(a.raw).toBe(raw.trim());
    });
  }

  it('every kind has a meaning and a severity', () => {
    for (const k of ALARM_KINDS) {
      expect(ALARM_INFO[k].meaning.length).toBeGreaterThan(10);
      expect(['warning', 'critical']).toContain(ALARM_INFO[k].severity);
    }
  });

  it('a value cut by a fixed-width column is flagged, and completed when unambiguous', () => {
    expect(parseSpanAlarms('UNCONFI')).toMatchObject({ alarms: ['UNCONFIGURED'], truncated: true, ok: false });
    expect(parseSpanAlarms('RED/LB/')).toMatchObject({ alarms: ['RED', 'LOOPBACK'], truncated: true });
    // "RE" could be RED or REC: not guessed, but the cut is reported.
    expect(parseSpanAlarms('BLU/RE')).toMatchObject({ alarms: ['BLUE'], truncated: true, unrecognized: [] });
  });

  it('unknown words are kept and raise the severity, never throw', () => {
    expect(parseSpanAlarms('PURPLE')).toMatchObject({ alarms: [], unrecognized: ['PURPLE'], severity: 'warning', ok: false });
    expect(parseSpanAlarms('RED PURPLE')).toMatchObject({ alarms: ['RED'], unrecognized: ['PURPLE'], severity: 'critical' });
    expect(parseSpanAlarms(undefined)).toMatchObject({ alarms: [], ok: true });
    expect(parseSpanAlarms(42)).toMatchObject({ alarms: [], ok: true });
  });
});

describe('E1 alarm fixtures: /proc/dahdi and dahdi_scan agree', () => {
  const expected: Record<string, AlarmKind[]> = {
    red: ['RED'],
    yellow: ['YELLOW'],
    blue: ['BLUE'],
    recovering: ['RECOVERING'],
    loopback: ['LOOPBACK'],
    notopen: ['NOTOPEN'],
    'red-yellow': ['YELLOW', 'RED'],
  };
  for (const [kind, alarms] of Object.entries(expected)) {
    it(kind, () => {
      const proc = parseProcDahdi(read(`alarms/e1-${kind}.proc.txt`));
      const scan = parseDahdiScan(read(`alarms/e1-${kind}.dahdi_scan.txt`));
      expect(proc.warnings).toEqual([]);
      expect(scan.warnings).toEqual([]);
      expect(proc.spans[0]!.alarms.alarms).toEqual(alarms);
      expect(scan.spans[0]!.alarms!.alarms).toEqual(alarms);
      // dahdi-base propagates span alarms to every configured channel of the span.
      for (const ch of proc.spans[0]!.channels.filter((c) => c.configured)) expect(ch.alarms.alarms).toEqual(alarms);
    });
  }

  it('red: counters and no clock source', () => {
    const span = parseProcDahdi(read('alarms/e1-red.proc.txt')).spans[0]!;
    expect(span.counters).toEqual({ fas: 1200, crc4: 310 });
    expect(span.clockSource).toBe(false);
    expect(parseDahdiScan(read('alarms/e1-red.dahdi_scan.txt')).spans[0]!.syncsrc).toBe(0);
  });

  it('notopen: nothing is in use', () => {
    const span = parseProcDahdi(read('alarms/e1-notopen.proc.txt')).spans[0]!;
    expect(span.channels.some((c) => c.inUse)).toBe(false);
  });

  it('unconfigured: dahdi_scan says UNCONFIGURED, /proc has no signalling and no line config', () => {
    const scan = parseDahdiScan(read('alarms/e1-unconfigured.dahdi_scan.txt')).spans[0]!;
    expect(scan.alarms!.alarms).toEqual(['UNCONFIGURED']);
    expect(scan.coding).toBe('');
    expect(scan.framing).toBe('CAS'); // dahdi_scan's else-branch when no framing bit is set
    const proc = parseProcDahdi(read('alarms/e1-unconfigured.proc.txt')).spans[0]!;
    expect(proc.lineConfig).toBeUndefined();
    expect(proc.channels).toHaveLength(31);
    expect(proc.channels.every((c) => !c.configured && c.signalling === undefined)).toBe(true);
  });
});

describe('dahdi show status alarm column', () => {
  it('Asterisk 22 table (composed): one row per alarm value', () => {
    const r = parseDahdiShowStatus(read('show-status/asterisk22-composed.txt'));
    expect(r.hasSpanColumn).toBe(true);
    const bySpan = Object.fromEntries(r.rows.map((x) => [x.span, x.alarms.alarms]));
    expect(bySpan).toEqual({
      1: [],
      2: ['RED'],
      3: [],
      4: ['UNCONFIGURED'],
      5: [],
      6: ['YELLOW'],
      7: ['BLUE'],
      8: ['RECOVERING'],
      9: ['NOTOPEN'],
      10: ['LOOPBACK'],
      11: ['UNKNOWN'],
      12: ['YELLOW', 'RED'],
      13: ['BLUE', 'RED'],
    });
    // 7-character alarm values with '/' may hide more alarms: said in a warning, per line.
    expect(r.warnings.map((w) => w.line)).toEqual([14, 15]);
    expect(r.warnings[0]!.message).toMatch(/cut at 7 characters/);
  });

  it('captured table of an older Asterisk (no Span column)', () => {
    const r = parseDahdiShowStatus(read('captured/dahdi-show-status.txt'));
    expect(r.hasSpanColumn).toBe(false);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      line: 3,
      description: 'Wildcard TE131/TE133 Card 0',
      irqMisses: 0,
      bpvCount: 0,
      crc4Count: 0,
      framing: 'CCS',
      coding: 'HDB3',
      options: '',
      lbo: '0 db (CSU)/0-133 feet (DSX-1)',
    });
    expect(r.rows[0]!.alarms.alarms).toEqual(['BLUE', 'RED']);
    expect(r.rows[0]!.span).toBeUndefined();
  });
});
