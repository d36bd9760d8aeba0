// Asterisk CLI "dahdi show status" (chan_dahdi dahdi_show_status()).
//
// Asterisk 22 (format strings in chan_dahdi.so):
//   FORMAT2 "%4s %-40.40s %-7.7s %-6.6s %-6.6s %-6.6s %-3.3s %-4.4s %-8.8s %s\n"
//           "Span", "Description", "Alarms", "IRQ", "bpviol", "CRC", "Framing", "Coding", "Options", "LBO"
//   FORMAT  "%4d %-40.40s %-7.7s %-6d %-6d %-6d %-3.3s %-4.4s %-8.8s %s\n"
// Older Asterisk versions print the same table without the Span column. Every text column
// is cut to its width: the description after 40 characters, the alarms after 7
// ("UNCONFIGURED" -> "UNCONFI", "BLU/YEL/RED" -> "BLU/YEL"), "Framing"/"Coding" after 3/4
// ("Unknown" coding -> "Unkn"). Numbers wider than their column push the rest of the row right.
// Framing: D4 ESF CCS CAS. Coding: B8ZS HDB3 AMI Unknown. Options: CRC4, YEL (the span sends
// yellow when not open), CRC4/YEL or nothing. LBO: the build-out text.

import { parseSpanAlarms, type SpanAlarms } from './alarms.js';
import { numberedLines, warn, type ParseWarning } from './text.js';

export interface ShowStatusRow {
  line: number;
  /** Span number (Asterisk >= 1.8 prints it; absent in older tables). */
  span?: number;
  /** Up to 40 characters of the span description. */
  description: string;
  alarms: SpanAlarms;
  irqMisses: number;
  bpvCount: number;
  crc4Count: number;
  framing: string;
  coding: string;
  options: string;
  lbo: string;
}

export interface ShowStatusResult {
  /** The table had the Span column (Asterisk >= 1.8). */
  hasSpanColumn: boolean;
  rows: ShowStatusRow[];
  warnings: ParseWarning[];
}

const ALARM_TOKEN = '(?:OK|UNCONF[A-Z]*|(?:BLU|YEL|RED|LFA|LMFA|LB|REC|NOP|UUU)(?:/[A-Z]*)*)';
const OPTIONS_RE = /^(CRC4\/YEL|CRC4|YEL)(?=\s|$)/;

/** Framing, coding, options and LBO after the three counters. */
function parseTail(tail: string): Pick<ShowStatusRow, 'framing' | 'coding' | 'options' | 'lbo'> {
  // Fixed columns: %-3.3s ' ' %-4.4s ' ' %-8.8s ' ' %s
  if (tail.length >= 18 && tail[3] === ' ' && tail[8] === ' ' && tail[17] === ' ' && /^\S/.test(tail)) {
    const options = tail.slice(9, 17).trim();
    if (options === '' || OPTIONS_RE.test(options)) {
      return { framing: tail.slice(0, 3).trim(), coding: tail.slice(4, 8).trim(), options, lbo: tail.slice(18).trim() };
    }
  }
  // Blanks collapsed (copied from a web page or a monitoring plugin): go by words.
  const words = tail.trim().split(/\s+/);
  const framing = words.shift() ?? '';
  const coding = words.shift() ?? '';
  let rest = words.join(' ');
  let options = '';
  const o = OPTIONS_RE.exec(rest);
  if (o) {
    options = o[1]!;
    rest = rest.slice(o[0].length).trim();
  }
  return { framing, coding, options, lbo: rest };
}

export function parseDahdiShowStatus(text: unknown): ShowStatusResult {
  const rows: ShowStatusRow[] = [];
  const warnings: ParseWarning[] = [];
  let hasSpanColumn = false;
  let sawHeader = false;
  for (const { no, text: raw } of numberedLines(text)) {
    if (raw.trim() === '') continue;
    if (/^\s*(Span\s+)?Description\s+Alarms\s+IRQ\b/.test(raw)) {
      sawHeader = true;
      hasSpanColumn = /^\s*Span\s/.test(raw);
      continue;
    }
    if (/^No DAHDI found/.test(raw)) {
      warn(warnings, no, 'Asterisk could not open /dev/dahdi/ctl: the DAHDI modules are not loaded', raw);
      continue;
    }
    let body = raw;
    let span: number | undefined;
    const withSpan = hasSpanColumn || !sawHeader;
    const sm = withSpan ? /^\s*(\d{1,5}) /.exec(raw) : null;
    if (sm) {
      span = Number(sm[1]);
      body = raw.slice(sm[0].length);
    }
    let description: string | undefined;
    let after: string | undefined;
    // Fixed width: 40 characters of description, a blank, then the alarms.
    if (body.length > 41 && body[40] === ' ' && new RegExp(`^${ALARM_TOKEN}(?=\\s)`).test(body.slice(41))) {
      description = body.slice(0, 40).trimEnd();
      after = body.slice(41);
    } else {
      const m = new RegExp(`^(.*?)\\s+(${ALARM_TOKEN}\\s+\\d+\\s+\\d+\\s+\\d+\\s.*)$`).exec(body);
      if (m) {
        description = m[1]!.trim();
        after = m[2]!;
      }
    }
    const parts = after === undefined ? null : /^(\S{1,7})\s+(\d+)\s+(\d+)\s+(\d+) +(.*)$/.exec(after);
    if (description === undefined || !parts) {
      warn(warnings, no, 'not a "dahdi show status" row (description, alarms, IRQ, bpviol, CRC, framing, coding, options, LBO expected)', raw);
      continue;
    }
    const alarms = parseSpanAlarms(parts[1]!);
    if (parts[1]!.length === 7 && parts[1]!.includes('/')) alarms.truncated = true;
    const onlyUnconfigured = alarms.alarms.length === 1 && alarms.alarms[0] === 'UNCONFIGURED';
    if (alarms.truncated && !onlyUnconfigured) {
      warn(warnings, no, `the alarm column "${parts[1]}" is cut at 7 characters by Asterisk; more alarms may be hidden (check dahdi_scan)`, raw);
    }
    const row: ShowStatusRow = {
      line: no,
      description,
      alarms,
      irqMisses: Number(parts[2]),
      bpvCount: Number(parts[3]),
      crc4Count: Number(parts[4]),
      ...parseTail(parts[5]!),
    };
    if (span !== undefined) row.span = span;
    rows.push(row);
  }
  return { hasSpanColumn, rows, warnings };
}
