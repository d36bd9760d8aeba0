// /etc/dahdi/system.conf lines (dahdi-tools system.conf.sample, dahdi_cfg(8)):
//   span=<span>,<timing>,<lbo>,<framing>,<coding>[,crc4][,yellow]
//   <signalling>=<channel list>        fxoks fxsks fxols ... bchan dchan hardhdlc clear ...
//   cas=<channel list>:<ABCD idle bits>
//   echocanceller=<name>,<channel list>
//   loadzone=<zone>   defaultzone=<zone>
// The parser reads what renderSystemConf writes (and dahdi_genconf's output) back, for
// round-trip tests and for reading a system.conf found on a box.

import { dict, numberedLines, parseChannelList, parseUInt, warn, type ParseWarning } from './text.js';

export interface SpanLine {
  span: number;
  timing: number;
  lbo: number;
  framing: string;
  coding: string;
  crc4: boolean;
  yellow: boolean;
}

export function formatSpanLine(s: SpanLine): string {
  return `span=${s.span},${s.timing},${s.lbo},${s.framing},${s.coding}${s.crc4 ? ',crc4' : ''}${s.yellow ? ',yellow' : ''}`;
}

/** Parses the value of a span= line ("1,1,0,ccs,hdb3,crc4"). */
export function parseSpanLine(value: string): SpanLine | undefined {
  const f = value.split(',').map((x) => x.trim());
  if (f.length < 5 || f.length > 7) return undefined;
  const span = parseUInt(f[0]);
  const timing = parseUInt(f[1]);
  const lbo = parseUInt(f[2]);
  const framing = f[3]!.toLowerCase();
  const coding = f[4]!.toLowerCase();
  if (span === undefined || span < 1 || timing === undefined || lbo === undefined || lbo > 7) return undefined;
  if (!/^(ccs|cas|esf|d4|sf|superframe)$/.test(framing) || !/^(hdb3|ami|b8zs)$/.test(coding)) return undefined;
  const extra = f.slice(5).map((x) => x.toLowerCase());
  if (extra.some((x) => x !== 'crc4' && x !== 'yellow') || new Set(extra).size !== extra.length) return undefined;
  return { span, timing, lbo, framing, coding, crc4: extra.includes('crc4'), yellow: extra.includes('yellow') };
}

export interface SystemConf {
  spans: SpanLine[];
  /** <signalling>=<channels> lines, e.g. { fxoks: [1, 2], bchan: [1..15, 17..31], dchan: [16] }. */
  channels: Record<string, number[]>;
  cas: Array<{ channels: number[]; idleBits: string }>;
  echoCancellers: Array<{ name: string; channels: number[] }>;
  loadzones: string[];
  defaultzone?: string;
  warnings: ParseWarning[];
}

const CHANNEL_DIRECTIVES = new Set([
  'fxoks', 'fxols', 'fxogs', 'fxsks', 'fxsls', 'fxsgs', 'e&m', 'e&me1', 'unused', 'clear', 'bchan', 'inclear',
  'rawhdlc', 'dchan', 'fcshdlc', 'hardhdlc', 'nethdlc', 'mulaw', 'alaw', 'deflaw', 'channels',
]);

export function parseSystemConf(text: unknown): SystemConf {
  const conf: SystemConf = { spans: [], channels: dict<number[]>(), cas: [], echoCancellers: [], loadzones: [], warnings: [] };
  for (const { no, text: raw } of numberedLines(text)) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      warn(conf.warnings, no, 'not a key=value line', raw);
      continue;
    }
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'span') {
      const s = parseSpanLine(value);
      if (s) conf.spans.push(s);
      else warn(conf.warnings, no, 'span= is not "<span>,<timing>,<lbo>,<framing>,<coding>[,crc4][,yellow]"', raw);
    } else if (key === 'cas') {
      const m = /^(.*):([01]{4})$/.exec(value);
      const chans = m ? parseChannelList(m[1]!) : undefined;
      if (m && chans) conf.cas.push({ channels: chans, idleBits: m[2]! });
      else warn(conf.warnings, no, 'cas= is not "<channels>:<ABCD bits>"', raw);
    } else if (key === 'echocanceller') {
      const comma = value.indexOf(',');
      const chans = comma > 0 ? parseChannelList(value.slice(comma + 1)) : undefined;
      if (chans) conf.echoCancellers.push({ name: value.slice(0, comma).trim(), channels: chans });
      else warn(conf.warnings, no, 'echocanceller= is not "<name>,<channels>"', raw);
    } else if (key === 'loadzone') conf.loadzones.push(value);
    else if (key === 'defaultzone') conf.defaultzone = value;
    else if (CHANNEL_DIRECTIVES.has(key)) {
      const chans = parseChannelList(value);
      if (chans) (conf.channels[key] ??= []).push(...chans);
      else warn(conf.warnings, no, `${key}= is not a channel list`, raw);
    } else warn(conf.warnings, no, `unknown directive "${key}"`, raw);
  }
  return conf;
}
