// dahdi_hardware(8) output: one line per telephony device found on the PCI/USB buses.
//
// dahdi-tools xpp/dahdi_hardware prints   printf "%-20s %-12s %4s:%4s %s\n"
//   hardware_name   "pci:0000:04:05.0" (PCI: domain:bus:device.function) or "usb:001/002"
//   driver          the module that should drive it (from Dahdi/Hardware/PCI.pm), then "+"
//                   when a driver is bound to the device, "-" when not; Astribanks may add "[T]"
//   vendor:product  PCI/USB ids in hex
//   description     PCI.pm's text for the id (may end with a blank)
// With -v, Astribank units add indented detail lines; with -x a "-----" banner and
// "NO HARDWARE" lines for disconnected units.

import { numberedLines, warn, type ParseWarning } from './text.js';

export interface PciAddress {
  domain: number;
  bus: number;
  device: number;
  function: number;
}

export interface DahdiHardwareCard {
  /** Line number in the text parsed. */
  line: number;
  /** hardware_name as printed, e.g. "pci:0000:04:05.0". */
  location: string;
  /** "pci", "usb"... */
  busType: string;
  pci?: PciAddress;
  /** Kernel module name, e.g. "wctdm24xxp" ('' when dahdi_hardware does not know one). */
  driver: string;
  /** "+": a driver is bound to the device; "-": none is. */
  loaded: boolean;
  /** Astribank TwinStar "[T]" marker. */
  twinstar: boolean;
  /** Lower-case hex, e.g. "d161". */
  vendorId: string;
  deviceId: string;
  /** "vendor:device", e.g. "d161:8005". */
  id: string;
  description: string;
  /** Indented lines that followed (dahdi_hardware -v). */
  details: string[];
}

export interface DahdiHardwareResult {
  cards: DahdiHardwareCard[];
  warnings: ParseWarning[];
}

const LINE_RE = /^(\S+)\s+(\S*?)([+-])(\[T\])?\s+([0-9A-Fa-f]{1,4})\s*:\s*([0-9A-Fa-f]{1,4})(?:\s+(.*?))?\s*$/;
const PCI_RE = /^pci:([0-9A-Fa-f]{4}):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2})\.([0-7])$/;

export function parsePciLocation(location: string): PciAddress | undefined {
  const m = PCI_RE.exec(location);
  if (!m) return undefined;
  return {
    domain: parseInt(m[1]!, 16),
    bus: parseInt(m[2]!, 16),
    device: parseInt(m[3]!, 16),
    function: parseInt(m[4]!, 16),
  };
}

export function parseDahdiHardware(text: unknown): DahdiHardwareResult {
  const cards: DahdiHardwareCard[] = [];
  const warnings: ParseWarning[] = [];
  for (const { no, text: raw } of numberedLines(text)) {
    if (raw.trim() === '') continue;
    if (/^\s/.test(raw)) {
      const last = cards[cards.length - 1];
      if (last) last.details.push(raw.trim());
      else warn(warnings, no, 'indented detail line before any device line', raw);
      continue;
    }
    if (/^-{3,}/.test(raw)) continue; // "----------- XPP Spans with disconnected hardware -----------"
    const m = LINE_RE.exec(raw);
    if (!m) {
      if (/\bNO HARDWARE\b/.test(raw)) continue;
      warn(warnings, no, 'not a dahdi_hardware device line (expected "<location> <driver>+|- <vendor>:<device> <description>")', raw);
      continue;
    }
    const location = m[1]!;
    const busType = location.includes(':') ? location.slice(0, location.indexOf(':')).toLowerCase() : '';
    const card: DahdiHardwareCard = {
      line: no,
      location,
      busType,
      driver: m[2]!,
      loaded: m[3] === '+',
      twinstar: m[4] !== undefined,
      vendorId: m[5]!.toLowerCase().padStart(4, '0'),
      deviceId: m[6]!.toLowerCase().padStart(4, '0'),
      id: '',
      description: (m[7] ?? '').trim(),
      details: [],
    };
    card.id = `${card.vendorId}:${card.deviceId}`;
    if (busType === 'pci') {
      const pci = parsePciLocation(location);
      if (pci) card.pci = pci;
      else warn(warnings, no, `PCI location "${location}" is not domain:bus:device.function`, raw);
    }
    if (card.driver === '') warn(warnings, no, `no DAHDI driver is known for ${card.id}`, raw);
    cards.push(card);
  }
  return { cards, warnings };
}
