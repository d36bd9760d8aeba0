// Telephony hardware inventory: what cards the box has, their spans, and what every port
// and timeslot is — joined from dahdi_hardware (cards), dahdi_scan (spans, port kinds,
// line settings) and /proc/dahdi (channel numbers, current signalling, alarms, in-use state).
//
// The FXS/FXO naming trap, once: a port is named after the *module* in it. An FXS port
// ("Foreign eXchange Station") *is* the exchange side for a phone: a phone plugs into it and it
// gives dial tone and ring voltage. DAHDI configures a channel with the signalling the
// channel *speaks*, which is the opposite: an FXS port speaks FXO signalling ("fxoks" in
// system.conf, "signalling=fxo_ks" in chan_dahdi.conf, "FXOKS" in /proc/dahdi). An FXO port
// (a PSTN line plugs in) speaks FXS signalling: "fxsks" / "fxs_ks" / "FXSKS".

import { noAlarms, type SpanAlarms } from './alarms.js';
import { driverInfo, lookupCardModel, type CardKind, type CardModel } from './card-catalog.js';
import { parseDahdiHardware, type DahdiHardwareCard, type PciAddress } from './dahdi-hardware.js';
import { parseDahdiScan, type DahdiScanSpan, type SpanLineType } from './dahdi-scan.js';
import { parseProcDahdi, type ProcChannel, type ProcLineConfig, type ProcSpan } from './proc-dahdi.js';
import { formatChannelList, type ParseWarning } from './text.js';

export interface DetectInput {
  /** dahdi_hardware output. */
  hardware?: string;
  /** dahdi_scan output. */
  scan?: string;
  /** /proc/dahdi/N contents: one text, or one per span file. */
  proc?: string | readonly string[];
}

export type InventorySource = 'dahdi_hardware' | 'dahdi_scan' | 'proc' | 'inventory';

export interface InventoryWarning {
  source: InventorySource;
  /** Line in that source's text (for proc given as several texts: in the text of `procIndex`). */
  line?: number;
  procIndex?: number;
  message: string;
}

export type PortKind = 'FXS' | 'FXO' | 'empty' | 'failed' | 'unknown';

export interface AnalogPort {
  /** DAHDI channel number (absolute, as in system.conf). */
  channel: number;
  /** 1-based position on the span (the card's port label). */
  port: number;
  /** Kernel channel name, e.g. "WCTDM/0/0". */
  name?: string;
  kind: PortKind;
  /** What plugs into the port: a phone (FXS port) or a PSTN line (FXO port). */
  connectsTo: 'phone' | 'line' | null;
  /** The signalling the port needs in system.conf: fxoks for FXS ports, fxsks for FXO ports. */
  systemConfSignalling: 'fxoks' | 'fxsks' | null;
  /** The same in chan_dahdi.conf: fxo_ks for FXS ports, fxs_ks for FXO ports. */
  chanDahdiSignalling: 'fxo_ks' | 'fxs_ks' | null;
  /** Signalling configured now, as /proc/dahdi shows it ("FXOKS"), if any. */
  currentSignalling?: string;
  /** The current signalling is the wrong side for the module (e.g. FXSKS on an FXS port). */
  signallingMismatch: boolean;
  inUse: boolean;
  alarms: SpanAlarms;
}

export interface TimeslotMap {
  /** 'E1' (30 B + D on timeslot 16) or 'T1' (23 B + D on timeslot 24). */
  line: 'E1' | 'T1';
  firstChannel: number;
  /** Channels carrying voice: E1 timeslots 1-15 and 17-31. */
  bchannels: number[];
  /** The channel of the signalling timeslot: D-channel for PRI; for MFC/R2 it carries the
   * ABCD bits and stays unconfigured in system.conf. */
  dchannel: number;
  /** bchannels as system.conf writes them, e.g. "1-15,17-31". */
  bchannelList: string;
  timeslots: Array<{ timeslot: number; channel: number; role: 'bearer' | 'signalling' }>;
}

export interface InventoryChannel {
  channel: number;
  name: string;
  signalling?: string;
  inUse: boolean;
  alarms: SpanAlarms;
  echoCanceller?: string;
}

export interface InventorySpan {
  span: number;
  /** Card id (its dahdi_hardware location) when the span could be matched to a card. */
  card?: string;
  name?: string;
  description?: string;
  manufacturer?: string;
  devicetype?: string;
  location?: string;
  kind: SpanLineType;
  firstChannel?: number;
  channelCount?: number;
  alarms: SpanAlarms;
  /** Some channel has a signalling (dahdi_cfg ran). */
  configured: boolean;
  timingMaster: boolean;
  clockSource: boolean;
  /** Current line settings (dahdi_scan, else /proc). */
  lineConfig?: { framing?: string; coding?: string; crc4: boolean };
  counters: ProcSpan['counters'];
  /** Analog spans: one entry per channel. */
  ports: AnalogPort[];
  /** E1/T1 spans: channel numbering of the timeslots. */
  timeslots?: TimeslotMap;
  /** /proc/dahdi channels, when given. */
  channels: InventoryChannel[];
}

export interface InventoryCard {
  /** dahdi_hardware location, e.g. "pci:0000:04:05.0". */
  id: string;
  pci?: PciAddress;
  driver: string;
  driverLoaded: boolean;
  vendorId: string;
  deviceId: string;
  description: string;
  model?: CardModel;
  kind: CardKind | 'unknown';
  /** Span numbers of this card, ascending. */
  spans: number[];
}

export interface TelephonyInventory {
  cards: InventoryCard[];
  spans: InventorySpan[];
  /** Spans no card could be matched to. */
  unassignedSpans: number[];
  warnings: InventoryWarning[];
}

// ---------------------------------------------------------------------------------------

const FXS_SIGS = /^FXS(LS|KS|GS)$/;
const FXO_SIGS = /^FXO(LS|KS|GS)$/;

/** Channel numbering of an E1 (or T1) span starting at `firstChannel`. */
export function timeslotMap(line: 'E1' | 'T1', firstChannel: number): TimeslotMap {
  const count = line === 'E1' ? 31 : 24;
  const dTimeslot = line === 'E1' ? 16 : 24;
  const timeslots = Array.from({ length: count }, (_, i) => ({
    timeslot: i + 1,
    channel: firstChannel + i,
    role: (i + 1 === dTimeslot ? 'signalling' : 'bearer') as 'bearer' | 'signalling',
  }));
  const bchannels = timeslots.filter((t) => t.role === 'bearer').map((t) => t.channel);
  return {
    line,
    firstChannel,
    bchannels,
    dchannel: firstChannel + dTimeslot - 1,
    bchannelList: formatChannelList(bchannels),
    timeslots,
  };
}

function portFromKind(kind: PortKind): Pick<AnalogPort, 'connectsTo' | 'systemConfSignalling' | 'chanDahdiSignalling'> {
  if (kind === 'FXS') return { connectsTo: 'phone', systemConfSignalling: 'fxoks', chanDahdiSignalling: 'fxo_ks' };
  if (kind === 'FXO') return { connectsTo: 'line', systemConfSignalling: 'fxsks', chanDahdiSignalling: 'fxs_ks' };
  return { connectsTo: null, systemConfSignalling: null, chanDahdiSignalling: null };
}

/** The driver-written location of a PCI card: bus in decimal, slot = PCI device + 1. */
function pciLocationStrings(pci: PciAddress): string[] {
  const bus = String(pci.bus).padStart(2, '0');
  const slot = String(pci.device + 1).padStart(2, '0');
  return [`PCI Bus ${bus} Slot ${slot}`, `PCI Express Bus ${bus} Slot ${slot}`];
}

/** Card number in a span name: "WCTDM/1" -> 1, "D115/0/1" -> 0, "TE4/1/3" -> 1. */
function cardNumberFromSpanName(name: string, prefixes: readonly string[]): number | undefined {
  for (const p of [...prefixes].sort((a, b) => b.length - a.length)) {
    if (!name.startsWith(p)) continue;
    const m = /^(\d+)/.exec(name.slice(p.length));
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
}

function lineTypeFromProc(p: ProcSpan): SpanLineType {
  const sigs = p.channels.map((c) => c.signalling ?? '');
  if (sigs.some((s) => FXS_SIGS.test(s) || FXO_SIGS.test(s))) return 'analog';
  if (p.channels.some((c) => c.reserved)) return 'analog';
  if (p.lineConfig?.coding === 'HDB3' || p.lineConfig?.crc4) return 'E1';
  if (p.lineConfig?.coding === 'B8ZS' || p.lineConfig?.framing === 'ESF' || p.lineConfig?.framing === 'D4') return 'T1';
  if (p.channels.length === 31) return 'E1';
  return 'unknown';
}

function portKindFromProc(c: ProcChannel | undefined): PortKind {
  if (!c) return 'unknown';
  if (c.reserved) return 'empty';
  const s = c.signalling ?? '';
  if (FXO_SIGS.test(s)) return 'FXS';
  if (FXS_SIGS.test(s)) return 'FXO';
  return 'unknown';
}

function buildSpan(num: number, scan: DahdiScanSpan | undefined, proc: ProcSpan | undefined, warnings: InventoryWarning[]): InventorySpan {
  const kind: SpanLineType = scan && scan.lineType !== 'unknown' ? scan.lineType : proc ? lineTypeFromProc(proc) : 'unknown';
  const firstChannel = scan?.basechan ?? proc?.channels[0]?.channel;
  const channelCount = scan?.totchans ?? (proc && proc.channels.length > 0 ? proc.channels.length : undefined);
  const procByChannel = new Map((proc?.channels ?? []).map((c) => [c.channel, c]));
  const span: InventorySpan = {
    span: num,
    kind,
    alarms: scan?.alarms ?? proc?.alarms ?? noAlarms(),
    configured: scan?.alarms ? !scan.alarms.alarms.includes('UNCONFIGURED') : (proc?.channels.some((c) => c.configured) ?? false),
    timingMaster: proc?.master ?? false,
    clockSource: proc?.clockSource ?? (scan?.syncsrc !== undefined && scan.syncsrc === num),
    counters: proc?.counters ?? {},
    ports: [],
    channels: (proc?.channels ?? []).map((c) => {
      const ch: InventoryChannel = { channel: c.channel, name: c.name, inUse: c.inUse, alarms: c.alarms };
      if (c.signalling !== undefined) ch.signalling = c.signalling;
      if (c.echoCanceller) ch.echoCanceller = c.echoCanceller.name;
      return ch;
    }),
  };
  for (const k of ['name', 'description', 'manufacturer', 'devicetype', 'location'] as const) {
    const v = scan?.[k] ?? (k === 'name' ? proc?.name : k === 'description' ? proc?.description : undefined);
    if (v !== undefined) span[k] = v;
  }
  if (firstChannel !== undefined) span.firstChannel = firstChannel;
  if (channelCount !== undefined) span.channelCount = channelCount;
  if (scan && proc) {
    if (scan.basechan !== undefined && proc.channels[0] && proc.channels[0].channel !== scan.basechan) {
      warnings.push({ source: 'inventory', message: `span ${num}: dahdi_scan says channels start at ${scan.basechan}, /proc/dahdi at ${proc.channels[0].channel}` });
    }
    if (scan.name !== undefined && scan.name !== proc.name) {
      warnings.push({ source: 'inventory', message: `span ${num}: dahdi_scan names it "${scan.name}", /proc/dahdi "${proc.name}"` });
    }
  }

  // Line settings.
  if (scan && (scan.coding !== undefined || scan.framing !== undefined)) {
    span.lineConfig = { crc4: scan.crc4 ?? false };
    if (scan.framing) span.lineConfig.framing = scan.framing;
    if (scan.coding) span.lineConfig.coding = scan.coding;
  } else if (proc?.lineConfig) {
    const lc: ProcLineConfig = proc.lineConfig;
    span.lineConfig = { crc4: lc.crc4 };
    if (lc.framing) span.lineConfig.framing = lc.framing;
    if (lc.coding) span.lineConfig.coding = lc.coding;
  }

  if (kind === 'E1' || kind === 'T1') {
    if (firstChannel !== undefined) {
      span.timeslots = timeslotMap(kind, firstChannel);
      const expected = kind === 'E1' ? 31 : 24;
      if (channelCount !== undefined && channelCount !== expected) {
        warnings.push({ source: 'inventory', message: `span ${num} is ${kind} but has ${channelCount} channels (expected ${expected})` });
      }
    } else warnings.push({ source: 'inventory', message: `span ${num}: no channel numbers known (neither basechan nor /proc channels)` });
  }

  if (kind === 'analog' && firstChannel !== undefined && channelCount !== undefined) {
    const scanPorts = new Map((scan?.ports ?? []).map((p) => [p.channel, p]));
    for (let i = 0; i < channelCount; i++) {
      const channel = firstChannel + i;
      const sp = scanPorts.get(channel);
      const pc = procByChannel.get(channel);
      let portKind: PortKind;
      if (sp) portKind = sp.failed ? 'failed' : sp.kind === 'FXS' ? 'FXS' : sp.kind === 'FXO' ? 'FXO' : sp.kind === 'none' ? 'empty' : 'unknown';
      else portKind = portKindFromProc(pc);
      const port: AnalogPort = {
        channel,
        port: i + 1,
        kind: portKind,
        ...portFromKind(portKind),
        signallingMismatch: false,
        inUse: pc?.inUse ?? false,
        alarms: pc?.alarms ?? noAlarms(),
      };
      if (pc) {
        port.name = pc.name;
        if (pc.signalling !== undefined) port.currentSignalling = pc.signalling;
        const s = pc.signalling ?? '';
        port.signallingMismatch = (portKind === 'FXS' && FXS_SIGS.test(s)) || (portKind === 'FXO' && FXO_SIGS.test(s));
        if (port.signallingMismatch) {
          warnings.push({
            source: 'inventory',
            message: `channel ${channel} is an ${portKind} port but is configured ${s}: an ${portKind} port needs ${port.systemConfSignalling} (the opposite side's name)`,
          });
        }
      }
      if (sp?.failed) warnings.push({ source: 'inventory', message: `channel ${channel}: the ${sp.kind} module failed to initialise (dahdi_scan FAILED)` });
      span.ports.push(port);
    }
  }
  return span;
}

/**
 * Builds the inventory from the texts of the three tools. Missing texts are fine (less is
 * known); garbage lines become warnings. Never throws.
 */
export function detectTelephonyHardware(input: DetectInput): TelephonyInventory {
  const warnings: InventoryWarning[] = [];
  const addWarnings = (source: InventorySource, ws: ParseWarning[], procIndex?: number) => {
    for (const w of ws) {
      const iw: InventoryWarning = { source, line: w.line, message: w.text ? `${w.message}: ${w.text}` : w.message };
      if (procIndex !== undefined) iw.procIndex = procIndex;
      warnings.push(iw);
    }
  };

  const hw = parseDahdiHardware(input?.hardware ?? '');
  addWarnings('dahdi_hardware', hw.warnings);
  const scan = parseDahdiScan(input?.scan ?? '');
  addWarnings('dahdi_scan', scan.warnings);
  const rawProc: unknown = input?.proc;
  const procTexts: string[] =
    typeof rawProc === 'string' ? [rawProc] : Array.isArray(rawProc) ? rawProc.filter((t): t is string => typeof t === 'string') : [];
  const procSpans: ProcSpan[] = [];
  procTexts.forEach((t, i) => {
    const r = parseProcDahdi(t);
    addWarnings('proc', r.warnings, procTexts.length > 1 ? i : undefined);
    procSpans.push(...r.spans);
  });

  const scanBySpan = new Map(scan.spans.map((s) => [s.span, s]));
  const procBySpan = new Map(procSpans.map((s) => [s.span, s]));
  const spanNumbers = [...new Set([...scanBySpan.keys(), ...procBySpan.keys()])].sort((a, b) => a - b);
  const spans = spanNumbers.map((n) => buildSpan(n, scanBySpan.get(n), procBySpan.get(n), warnings));
  spans.forEach((s, i) => {
    if (s.firstChannel === undefined || s.channelCount === undefined) return;
    for (const o of spans.slice(0, i)) {
      if (o.firstChannel === undefined || o.channelCount === undefined) continue;
      if (s.firstChannel < o.firstChannel + o.channelCount && o.firstChannel < s.firstChannel + s.channelCount) {
        warnings.push({ source: 'inventory', message: `span ${s.span} (channels ${s.firstChannel}-${s.firstChannel + s.channelCount - 1}) overlaps span ${o.span} (channels ${o.firstChannel}-${o.firstChannel + o.channelCount - 1}): outputs from different boots mixed?` });
      }
    }
  });

  const cards: InventoryCard[] = hw.cards.map((c: DahdiHardwareCard) => {
    const model = lookupCardModel(c.id, c.driver, c.description);
    const info = driverInfo(c.driver);
    const card: InventoryCard = {
      id: c.location,
      driver: c.driver,
      driverLoaded: c.loaded,
      vendorId: c.vendorId,
      deviceId: c.deviceId,
      description: c.description,
      kind: model?.kind ?? info?.kind ?? 'unknown',
      spans: [],
    };
    if (c.pci) card.pci = c.pci;
    if (model) card.model = model;
    if (!c.loaded && c.driver) {
      warnings.push({ source: 'dahdi_hardware', line: c.line, message: `${c.location} (${c.description}): driver ${c.driver} is not loaded (modprobe ${c.driver})` });
    }
    return card;
  });

  // 1. Match spans to cards by the location the driver wrote ("PCI Bus 04 Slot 06").
  const unmatched = new Set(spans.map((s) => s.span));
  for (const card of cards) {
    if (!card.pci) continue;
    const locs = pciLocationStrings(card.pci);
    for (const s of spans) {
      if (unmatched.has(s.span) && s.location !== undefined && locs.includes(s.location.trim())) {
        s.card = card.id;
        card.spans.push(s.span);
        unmatched.delete(s.span);
      }
    }
  }
  // 2. Then by span name: "<driver prefix><card number>", card number = order of the
  //    driver's cards on the bus (the order the driver probes them in).
  const byDriver = new Map<string, InventoryCard[]>();
  for (const card of cards) {
    const list = byDriver.get(card.driver) ?? [];
    list.push(card);
    byDriver.set(card.driver, list);
  }
  for (const s of spans) {
    if (!unmatched.has(s.span) || s.name === undefined) continue;
    for (const [driver, list] of byDriver) {
      const info = driverInfo(driver);
      if (!info) continue;
      const n = cardNumberFromSpanName(s.name, info.spanNamePrefixes);
      if (n === undefined) continue;
      const sorted = [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const card = sorted[n];
      if (!card) continue;
      s.card = card.id;
      card.spans.push(s.span);
      unmatched.delete(s.span);
      if (s.location !== undefined && /\bPCI\b/.test(s.location) && card.pci) {
        warnings.push({
          source: 'inventory',
          message: `span ${s.span} (${s.name}) matched to ${card.id} by its name; its location "${s.location}" is not the card's`,
        });
      }
      break;
    }
  }
  for (const card of cards) card.spans.sort((a, b) => a - b);
  const unassignedSpans = [...unmatched].sort((a, b) => a - b);
  for (const n of unassignedSpans) {
    if (cards.length > 0) warnings.push({ source: 'inventory', message: `span ${n} could not be matched to a card of dahdi_hardware` });
  }
  for (const s of spans) {
    if (s.alarms.severity !== 'ok') {
      warnings.push({ source: 'inventory', message: `span ${s.span} (${s.name ?? 'unnamed'}): alarms ${s.alarms.alarms.join(', ') || s.alarms.raw}` });
    }
  }
  return { cards, spans, unassignedSpans, warnings };
}

/** Alarm text of a span or port, for UIs and logs ("OK", "RED, YELLOW"). */
export function alarmSummary(a: SpanAlarms): string {
  if (a.ok) return 'OK';
  return [...a.alarms, ...a.unrecognized].join(', ') || a.raw;
}
