// /proc/dahdi/<span> — the kernel's view of one span and its channels.
//
// dahdi-linux dahdi-base.c dahdi_seq_show() prints:
//   Span <n>: <name> "<description>"[ (MASTER)][ <coding>/<framing>[/CRC4]] <alarms >[ClockSource ]
//   \tBPV count: n / \tCRC4 error count: n / \tE-bit error count: n / \tFAS error count: n /
//   \tIRQ misses: n / \tTiming slips: n          (each only when non-zero)
//   (empty line)
//   \t%4d <channel name> [<signalling> [Master ]|Reserved ][(In use) ][(no pcm) ]<alarms >[(EC: <name> - ACTIVE|INACTIVE) ]
// <coding>/<framing>: B8ZS|AMI|HDB3 then ESF|D4|CCS; "HDB3/" alone means CAS framing.
// <signalling> comes from sigstr(): FXSLS FXSKS FXSGS FXOLS FXOKS FXOGS E&M E&M-E1 Clear
// HDLCRAW HDLCFCS HDLCNET "Hardware-assisted HDLC" MTP2 Slave CAS DACS DACS+RBS
// "SF (ToneOnly)" Unconfigured. A channel with no signalling and no capabilities is
// "Reserved" (an empty module slot on analog cards). Alarm words: BLUE YELLOW RED LOOP
// RECOVERING NOTOPEN. Older DAHDI/Zaptel also printed "(SWEC: <name>)", "(EC: <name>)",
// "(Slaved)" and "(Unconfigured)"; they are understood too. Several spans may be given at
// once (cat /proc/dahdi/*).

import { parseSpanAlarms, type SpanAlarms } from './alarms.js';
import { numberedLines, warn, type ParseWarning } from './text.js';

export interface ProcLineConfig {
  coding?: 'B8ZS' | 'AMI' | 'HDB3';
  /** 'CAS' when a coding is printed without framing ("HDB3/"). */
  framing?: 'ESF' | 'D4' | 'CCS' | 'CAS';
  crc4: boolean;
  raw: string;
}

export interface ProcCounters {
  bpv?: number;
  crc4?: number;
  ebit?: number;
  fas?: number;
  irqMisses?: number;
  timingSlips?: number;
}

export interface ProcEchoCanceller {
  name: string;
  /** ACTIVE/INACTIVE (DAHDI >= 2.4); absent in older output. */
  state?: 'ACTIVE' | 'INACTIVE';
  /** Printed as "(SWEC: ...)" by old DAHDI: a software echo canceller. */
  software: boolean;
}

export interface ProcChannel {
  line: number;
  channel: number;
  name: string;
  /** sigstr() text: "FXOKS", "Clear", "HDLCFCS", "CAS", "Hardware-assisted HDLC"... */
  signalling?: string;
  /** Has a signalling other than "Unconfigured". */
  configured: boolean;
  /** "Reserved": no signalling and no capability — an empty module slot. */
  reserved: boolean;
  /** "Master": first channel of a bundle of slaved channels. */
  master: boolean;
  inUse: boolean;
  noPcm: boolean;
  slaved: boolean;
  alarms: SpanAlarms;
  echoCanceller?: ProcEchoCanceller;
  /** Other parenthesised remarks, verbatim. */
  remarks: string[];
}

export interface ProcSpan {
  line: number;
  span: number;
  name: string;
  description: string;
  /** The span is DAHDI's timing master. */
  master: boolean;
  /** The span's own line is the timing source (syncsrc == span). */
  clockSource: boolean;
  lineConfig?: ProcLineConfig;
  alarms: SpanAlarms;
  counters: ProcCounters;
  channels: ProcChannel[];
}

export interface ProcDahdiResult {
  spans: ProcSpan[];
  warnings: ParseWarning[];
}

/** sigstr() of dahdi-base.c, longest first where one is a prefix of another. */
export const PROC_SIGNALLINGS = [
  'Hardware-assisted HDLC',
  'SF (ToneOnly)',
  'DACS+RBS',
  'E&M-E1',
  'FXSLS',
  'FXSKS',
  'FXSGS',
  'FXOLS',
  'FXOKS',
  'FXOGS',
  'E&M',
  'Clear',
  'HDLCRAW',
  'HDLCFCS',
  'HDLCNET',
  'MTP2',
  'Slave',
  'CAS',
  'DACS',
  'Unconfigured',
] as const;
const SIGNALLING_WORDS = new Set<string>(PROC_SIGNALLINGS.filter((s) => !s.includes(' ')));

const ALARM_WORDS = new Set(['BLUE', 'YELLOW', 'RED', 'LOOP', 'RECOVERING', 'NOTOPEN']);

const COUNTERS: ReadonlyArray<readonly [RegExp, keyof ProcCounters]> = [
  [/^BPV count$/i, 'bpv'],
  [/^CRC4 error count$/i, 'crc4'],
  [/^E-bit error count$/i, 'ebit'],
  [/^FAS error count$/i, 'fas'],
  [/^IRQ misses$/i, 'irqMisses'],
  [/^Timing slips$/i, 'timingSlips'],
];

const LINECONFIG_RE = /^(?:(B8ZS|AMI|HDB3)\/)?(ESF|D4|CCS)?(\/CRC4)?$/;

function parseHeader(no: number, raw: string, warnings: ParseWarning[]): ProcSpan | undefined {
  const m = /^\s*Span\s+(\d{1,5}):\s*(\S+)\s*(.*)$/.exec(raw);
  if (!m) return undefined;
  let rest = m[3]!;
  let description = '';
  if (rest.startsWith('"')) {
    const end = rest.lastIndexOf('"');
    if (end > 0) {
      description = rest.slice(1, end);
      rest = rest.slice(end + 1);
    } else {
      description = rest.slice(1);
      rest = '';
      warn(warnings, no, 'span description has no closing quote (truncated line?)', raw);
    }
  }
  const span: ProcSpan = {
    line: no,
    span: Number(m[1]),
    name: m[2]!,
    description,
    master: false,
    clockSource: false,
    alarms: parseSpanAlarms(''),
    counters: {},
    channels: [],
  };
  const alarmWords: string[] = [];
  for (const tok of rest.split(/\s+/).filter((x) => x !== '')) {
    if (tok === '(MASTER)') span.master = true;
    else if (tok === 'ClockSource') span.clockSource = true;
    else if (ALARM_WORDS.has(tok)) alarmWords.push(tok);
    else if (!span.lineConfig && tok.includes('/') && LINECONFIG_RE.test(tok)) {
      const lc = LINECONFIG_RE.exec(tok)!;
      const cfg: ProcLineConfig = { crc4: lc[3] !== undefined, raw: tok };
      if (lc[1]) cfg.coding = lc[1] as ProcLineConfig['coding'];
      if (lc[2]) cfg.framing = lc[2] as ProcLineConfig['framing'];
      else if (cfg.coding) cfg.framing = 'CAS';
      span.lineConfig = cfg;
    } else if (!span.lineConfig && /^(ESF|D4|CCS)$/.test(tok)) {
      span.lineConfig = { framing: tok as ProcLineConfig['framing'], crc4: false, raw: tok };
    } else warn(warnings, no, `unknown word "${tok}" in the span header`, raw);
  }
  span.alarms = parseSpanAlarms(alarmWords.join(' '));
  return span;
}

function parseChannel(no: number, raw: string, warnings: ParseWarning[]): ProcChannel | undefined {
  const m = /^\s*(\d{1,5})\s+(\S+)(?:\s+(.*))?$/.exec(raw);
  if (!m) return undefined;
  const ch: ProcChannel = {
    line: no,
    channel: Number(m[1]),
    name: m[2]!,
    configured: false,
    reserved: false,
    master: false,
    inUse: false,
    noPcm: false,
    slaved: false,
    alarms: parseSpanAlarms(''),
    remarks: [],
  };
  let rest = (m[3] ?? '').trim();
  // Signallings that contain a blank or parentheses first, so that "(ToneOnly)" is not a remark.
  for (const sig of PROC_SIGNALLINGS) {
    if (sig.includes(' ') && rest.startsWith(sig)) {
      ch.signalling = sig;
      rest = rest.slice(sig.length);
      break;
    }
  }
  rest = rest.replace(/\(([^()]*)\)/g, (_all, inner: string) => {
    const r = inner.trim();
    let ec: RegExpExecArray | null;
    if (/^In use$/i.test(r)) ch.inUse = true;
    else if (/^no pcm$/i.test(r)) ch.noPcm = true;
    else if (/^Slaved$/i.test(r)) ch.slaved = true;
    else if (/^Unconfigured$/i.test(r)) ch.signalling ??= 'Unconfigured';
    else if ((ec = /^(SW)?EC:\s*(.*?)(?:\s+-\s+(ACTIVE|INACTIVE))?$/i.exec(r))) {
      const e: ProcEchoCanceller = { name: ec[2]!.trim(), software: ec[1] !== undefined };
      if (ec[3]) e.state = ec[3].toUpperCase() as 'ACTIVE' | 'INACTIVE';
      ch.echoCanceller = e;
    } else ch.remarks.push(r);
    return ' ';
  });
  if (/[()]/.test(rest)) {
    warn(warnings, no, 'unbalanced parenthesis in the channel line (truncated line?)', raw);
    rest = rest.replace(/[()]/g, ' ');
  }
  const alarmWords: string[] = [];
  for (const word of rest.split(/\s+/).filter((x) => x !== '')) {
    if (SIGNALLING_WORDS.has(word) && ch.signalling === undefined) ch.signalling = word;
    else if (word === 'Master') ch.master = true;
    else if (word === 'Reserved') ch.reserved = true;
    else if (ALARM_WORDS.has(word)) alarmWords.push(word);
    else warn(warnings, no, `unknown word "${word}" in channel ${ch.channel}`, raw);
  }
  ch.alarms = parseSpanAlarms(alarmWords.join(' '));
  ch.configured = ch.signalling !== undefined && ch.signalling !== 'Unconfigured';
  return ch;
}

export function parseProcDahdi(text: unknown): ProcDahdiResult {
  const spans: ProcSpan[] = [];
  const warnings: ParseWarning[] = [];
  let cur: ProcSpan | undefined;
  for (const { no, text: raw } of numberedLines(text)) {
    if (raw.trim() === '') continue;
    if (/^\s*Span\s+\d/.test(raw)) {
      const span = parseHeader(no, raw, warnings);
      if (span) {
        if (spans.some((s) => s.span === span.span)) warn(warnings, no, `span ${span.span} appears twice`, raw);
        spans.push(span);
        cur = span;
        continue;
      }
    }
    const counter = /^\s*([A-Za-z][A-Za-z0-9 -]*?):\s*(\d{1,12})\s*$/.exec(raw);
    if (counter) {
      const entry = COUNTERS.find(([re]) => re.test(counter[1]!));
      if (!entry) warn(warnings, no, `unknown counter "${counter[1]}"`, raw);
      else if (!cur) warn(warnings, no, 'counter line before any "Span N:" header', raw);
      else cur.counters[entry[1]] = Number(counter[2]);
      continue;
    }
    const ch = parseChannel(no, raw, warnings);
    if (ch) {
      if (!cur) {
        warn(warnings, no, 'channel line before any "Span N:" header', raw);
        continue;
      }
      const prev = cur.channels[cur.channels.length - 1];
      if (prev && ch.channel <= prev.channel) warn(warnings, no, `channel ${ch.channel} is out of order (after ${prev.channel})`, raw);
      cur.channels.push(ch);
      continue;
    }
    warn(warnings, no, 'not a /proc/dahdi line (span header, counter or channel expected)', raw);
  }
  return { spans, warnings };
}
