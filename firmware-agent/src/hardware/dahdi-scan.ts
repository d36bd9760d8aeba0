// dahdi_scan(8) output: one "[N]" section per span, then key=value lines.
//
// dahdi-tools dahdi_scan.c prints, in this order: active, alarms, description, name,
// manufacturer, devicetype, location, basechan, totchans, irq; then for digital spans
// type=digital-<spantype>, syncsrc, lbo, coding_opts, framing_opts, coding, framing
// ("CCS/CRC4", "CAS" when no framing bit is set); for analog spans type=analog and one
// "port=<channel>,<FXS|FXO|none>[ FAILED]" (or "port=<channel>,unknown") line per channel.
// "port=N,FXS" is the *module* kind (what the port is), not the signalling it needs.
// Older tools print fewer keys (no irq/syncsrc/lbo/*_opts); every key is kept as printed.

import { parseSpanAlarms, type SpanAlarms } from './alarms.js';
import { dict, numberedLines, parseUInt, warn, type ParseWarning } from './text.js';

export type ScanPortKind = 'FXS' | 'FXO' | 'none' | 'unknown';

export interface DahdiScanPort {
  line: number;
  channel: number;
  /** Module kind printed by dahdi_scan: FXS (a phone plugs in), FXO (a line plugs in), none (empty slot). */
  kind: ScanPortKind;
  /** dahdi_scan appended " FAILED": the module did not initialise (DAHDI_SIG_BROKEN). */
  failed: boolean;
  /** The value as printed after "port=". */
  raw: string;
}

export type SpanLineType = 'analog' | 'E1' | 'T1' | 'J1' | 'BRI' | 'unknown';

export interface DahdiScanSpan {
  line: number;
  span: number;
  /** Every key=value line of the section, in order, repeated keys included. */
  entries: Array<{ line: number; key: string; value: string }>;
  /** Last value of each key. */
  fields: Record<string, string>;
  active?: boolean;
  alarms?: SpanAlarms;
  description?: string;
  name?: string;
  manufacturer?: string;
  devicetype?: string;
  location?: string;
  basechan?: number;
  totchans?: number;
  irq?: number;
  /** The "type=" value as printed: "analog", "digital-E1", "digital-T1", "digital-J1"... */
  type?: string;
  lineType: SpanLineType;
  syncsrc?: number;
  lbo?: string;
  codingOpts?: string[];
  framingOpts?: string[];
  /** Current line coding: "HDB3", "AMI", "B8ZS" (empty when the span is not configured). */
  coding?: string;
  /** Current framing without the CRC4 suffix: "CCS", "CAS", "ESF", "D4". */
  framing?: string;
  crc4?: boolean;
  ports: DahdiScanPort[];
}

export interface DahdiScanResult {
  spans: DahdiScanSpan[];
  warnings: ParseWarning[];
}

const INT_KEYS = new Set(['basechan', 'totchans', 'irq', 'syncsrc']);

export function lineTypeOf(type: string | undefined): SpanLineType {
  if (type === undefined) return 'unknown';
  const t = type.trim();
  if (t === 'analog') return 'analog';
  const m = /^digital-(.+)$/i.exec(t);
  if (!m) return 'unknown';
  const s = m[1]!.toUpperCase();
  if (s === 'E1' || s === 'T1' || s === 'J1') return s;
  if (s.startsWith('BRI') || s === 'TE' || s === 'NT') return 'BRI';
  return 'unknown';
}

function parsePort(value: string, line: number, warnings: ParseWarning[]): DahdiScanPort | undefined {
  const m = /^\s*(\d{1,5})\s*,\s*(FXS|FXO|none|unknown)(\s+FAILED)?\s*$/i.exec(value);
  if (!m) {
    warn(warnings, line, 'port= value is not "<channel>,FXS|FXO|none|unknown[ FAILED]"', `port=${value}`);
    return undefined;
  }
  const k = m[2]!.toLowerCase();
  const kind: ScanPortKind = k === 'fxs' ? 'FXS' : k === 'fxo' ? 'FXO' : k === 'none' ? 'none' : 'unknown';
  return { line, channel: Number(m[1]), kind, failed: m[3] !== undefined, raw: value.trim() };
}

function finish(span: DahdiScanSpan, warnings: ParseWarning[]): void {
  const f = span.fields;
  if (f['active'] !== undefined) span.active = f['active'] === 'yes';
  if (f['alarms'] !== undefined) span.alarms = parseSpanAlarms(f['alarms']);
  for (const key of ['description', 'name', 'manufacturer', 'devicetype', 'location', 'lbo', 'type'] as const) {
    if (f[key] !== undefined) span[key] = f[key];
  }
  for (const e of span.entries) {
    if (!INT_KEYS.has(e.key)) continue;
    const n = parseUInt(e.value);
    if (n === undefined) warn(warnings, e.line, `${e.key} is not a number`, `${e.key}=${e.value}`);
    else span[e.key as 'basechan' | 'totchans' | 'irq' | 'syncsrc'] = n;
  }
  span.lineType = lineTypeOf(span.type);
  if (f['coding_opts'] !== undefined) span.codingOpts = f['coding_opts'].split(',').filter((x) => x !== '');
  if (f['framing_opts'] !== undefined) span.framingOpts = f['framing_opts'].split(',').filter((x) => x !== '');
  if (f['coding'] !== undefined) span.coding = f['coding'].trim();
  if (f['framing'] !== undefined) {
    const parts = f['framing'].trim().split('/');
    span.framing = parts[0] ?? '';
    span.crc4 = parts.slice(1).some((p) => p.toUpperCase() === 'CRC4');
  }
  if (span.basechan !== undefined && span.totchans !== undefined) {
    for (const p of span.ports) {
      if (p.channel < span.basechan || p.channel >= span.basechan + span.totchans) {
        warn(warnings, p.line, `port channel ${p.channel} is outside span ${span.span} (channels ${span.basechan}-${span.basechan + span.totchans - 1})`);
      }
    }
  }
  if (span.lineType === 'analog' && span.totchans !== undefined && span.ports.length > 0 && span.ports.length !== span.totchans) {
    warn(warnings, span.line, `span ${span.span} lists ${span.ports.length} ports for ${span.totchans} channels (truncated output?)`);
  }
}

export function parseDahdiScan(text: unknown): DahdiScanResult {
  const spans: DahdiScanSpan[] = [];
  const warnings: ParseWarning[] = [];
  let cur: DahdiScanSpan | undefined;
  for (const { no, text: raw } of numberedLines(text)) {
    const t = raw.trim();
    if (t === '') continue;
    const head = /^\[(\d{1,5})\]$/.exec(t);
    if (head) {
      if (cur) finish(cur, warnings);
      const n = Number(head[1]);
      if (spans.some((s) => s.span === n)) warn(warnings, no, `span ${n} appears twice`, raw);
      cur = { line: no, span: n, entries: [], fields: dict<string>(), lineType: 'unknown', ports: [] };
      spans.push(cur);
      continue;
    }
    const eq = t.indexOf('=');
    if (eq <= 0) {
      warn(warnings, no, 'not a dahdi_scan line (expected "[N]" or "key=value")', raw);
      continue;
    }
    if (!cur) {
      warn(warnings, no, 'key=value line before any "[N]" span header', raw);
      continue;
    }
    const key = t.slice(0, eq).trim();
    // Values are kept as printed (a location may itself contain '=': "SLOT=2, BUS=4").
    const value = t.slice(eq + 1);
    cur.entries.push({ line: no, key, value });
    cur.fields[key] = value;
    if (key === 'port') {
      const p = parsePort(value, no, warnings);
      if (p) cur.ports.push(p);
    }
  }
  if (cur) finish(cur, warnings);
  return { spans, warnings };
}
