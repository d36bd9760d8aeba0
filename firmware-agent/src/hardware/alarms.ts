// Span and channel alarms as the DAHDI tools print them, mapped to one typed set.
//
// Three spellings exist for the same kernel alarm bits (DAHDI_ALARM_* in dahdi/user.h):
//   /proc/dahdi/N     fill_alarm_string() in dahdi-base.c: "BLUE YELLOW RED LOOP RECOVERING NOTOPEN"
//                     (words separated by blanks; nothing at all when there is no alarm)
//   dahdi_scan        dahdi_scan.c: "BLU/YEL/RED/LFA/LB/REC/NOP", "UUU" for unknown bits,
//                     "OK" (and "LMFA/OK"), "UNCONFIGURED" when no channel is configured
//   dahdi show status Asterisk chan_dahdi build_alarm_info(): "BLU/YEL/RED/LB/REC/NOP", "UUU",
//                     "OK", "UNCONFIGURED" — printed with %-7.7s, so cut after 7 characters
//                     ("UNCONFIGURED" shows as "UNCONFI", "BLU/YEL/RED" as "BLU/YEL").

export const ALARM_KINDS = [
  'BLUE',
  'YELLOW',
  'RED',
  'LFA',
  'LMFA',
  'LOOPBACK',
  'RECOVERING',
  'NOTOPEN',
  'UNKNOWN',
  'UNCONFIGURED',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export type AlarmSeverity = 'ok' | 'warning' | 'critical';

export interface SpanAlarms {
  /** The text parsed, trimmed. */
  raw: string;
  /** Distinct alarms, in ALARM_KINDS order. Empty when the span is OK. */
  alarms: AlarmKind[];
  /** True when nothing is wrong: "OK", an empty alarm field, or only an explicit OK. */
  ok: boolean;
  severity: AlarmSeverity;
  /** Tokens that name no known alarm (they raise the severity to at least 'warning'). */
  unrecognized: string[];
  /** The text was cut (dahdi show status prints 7 characters); more alarms may be hidden. */
  truncated: boolean;
}

/** What each alarm means for the person looking at the box. */
export const ALARM_INFO: Readonly<Record<AlarmKind, { severity: AlarmSeverity; meaning: string }>> = {
  RED: { severity: 'critical', meaning: 'red alarm: no signal or no framing from the line (cable, line or framing setting)' },
  YELLOW: { severity: 'critical', meaning: 'yellow alarm (RAI): the far end does not receive our signal' },
  BLUE: { severity: 'critical', meaning: 'blue alarm (AIS): the carrier sends all-ones, its side of the line is down' },
  LFA: { severity: 'critical', meaning: 'loss of frame alignment (reported with the red alarm)' },
  LMFA: { severity: 'warning', meaning: 'loss of CRC-4 multiframe alignment: check the crc4 setting against the carrier' },
  LOOPBACK: { severity: 'warning', meaning: 'the span is in a maintenance loopback: no calls pass' },
  RECOVERING: { severity: 'warning', meaning: 'an alarm just cleared; the span waits before returning to service' },
  NOTOPEN: { severity: 'warning', meaning: 'the span is not opened by any application (Asterisk not running on it)' },
  UNKNOWN: { severity: 'warning', meaning: 'the driver reports an alarm bit the tools do not name ("UUU")' },
  UNCONFIGURED: { severity: 'warning', meaning: 'no channel of the span is configured (dahdi_cfg has not run on it)' },
};

/** Every spelling, upper case, of each alarm. */
const TOKENS: ReadonlyArray<readonly [string, AlarmKind]> = [
  ['BLUE', 'BLUE'],
  ['BLU', 'BLUE'],
  ['AIS', 'BLUE'],
  ['YELLOW', 'YELLOW'],
  ['YEL', 'YELLOW'],
  ['RAI', 'YELLOW'],
  ['RED', 'RED'],
  ['LFA', 'LFA'],
  ['LMFA', 'LMFA'],
  ['LOOP', 'LOOPBACK'],
  ['LOOPBACK', 'LOOPBACK'],
  ['LB', 'LOOPBACK'],
  ['RECOVERING', 'RECOVERING'],
  ['RECOVER', 'RECOVERING'],
  ['REC', 'RECOVERING'],
  ['NOTOPEN', 'NOTOPEN'],
  ['NOP', 'NOTOPEN'],
  ['UUU', 'UNKNOWN'],
  ['UNCONFIGURED', 'UNCONFIGURED'],
];
const TOKEN_MAP: ReadonlyMap<string, AlarmKind> = new Map(TOKENS);
const OK_TOKENS = new Set(['OK', 'NONE', 'CLEAR']);

const SEVERITY_RANK: Record<AlarmSeverity, number> = { ok: 0, warning: 1, critical: 2 };

export function maxSeverity(a: AlarmSeverity, b: AlarmSeverity): AlarmSeverity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** The alarm kinds a cut-off token could be the start of (at least 3 characters for a guess). */
function prefixCandidates(tok: string): Set<AlarmKind> {
  const out = new Set<AlarmKind>();
  if (tok.length < 1) return out;
  for (const [spelling, kind] of TOKENS) if (spelling.startsWith(tok)) out.add(kind);
  return out;
}

/**
 * Parses any of the alarm spellings above ("OK", "UNCONFIGURED", "RED", "YEL/RED",
 * "RED YELLOW", "BLUE RED", "LOOPBACK", "NOP", "UUU", "UNCONFI"...). Case-insensitive;
 * '/', ',', '|', '+' and blanks separate alarms. Never throws.
 */
export function parseSpanAlarms(input: unknown): SpanAlarms {
  const raw = typeof input === 'string' ? input.trim() : '';
  const found = new Set<AlarmKind>();
  const unrecognized: string[] = [];
  let truncated = false;
  let explicitOk = false;

  // A trailing '/' means the text was cut right after a separator ("RED/LB/").
  if (/[/,|+]$/.test(raw)) truncated = true;
  const tokens = raw
    .toUpperCase()
    .split(/[\s/,|+]+/)
    .filter((t) => t.length > 0);

  tokens.forEach((tok, i) => {
    const kind = TOKEN_MAP.get(tok);
    if (kind) {
      found.add(kind);
      return;
    }
    if (OK_TOKENS.has(tok)) {
      explicitOk = true;
      return;
    }
    // The last token may be cut off by a fixed-width column ("UNCONFI", "BLU/YE").
    if (i === tokens.length - 1) {
      const candidates = prefixCandidates(tok);
      if (candidates.size > 0) {
        truncated = true;
        if (candidates.size === 1 && tok.length >= 3) found.add([...candidates][0]!);
        return;
      }
    }
    unrecognized.push(tok);
  });

  const alarms = ALARM_KINDS.filter((k) => found.has(k));
  let severity: AlarmSeverity = 'ok';
  for (const k of alarms) severity = maxSeverity(severity, ALARM_INFO[k].severity);
  if (unrecognized.length > 0) severity = maxSeverity(severity, 'warning');
  const ok = alarms.length === 0 && unrecognized.length === 0 && (explicitOk || !truncated);
  return { raw, alarms, ok, severity, unrecognized, truncated };
}

/** The alarm set of a span or channel that reported nothing. */
export function noAlarms(): SpanAlarms {
  return parseSpanAlarms('');
}
