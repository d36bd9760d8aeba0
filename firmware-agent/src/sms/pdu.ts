// SMS PDU codec (3GPP TS 23.040 / 23.038), pure and without Node APIs so the web UI can use the
// same length counter. SMS-SUBMIT encoding (GSM 7-bit default alphabet + extension table, or
// UCS-2), automatic choice, concatenation (8-bit reference IE 00); decoding of SMS-DELIVER,
// SMS-SUBMIT (the simulator reads what we send) and SMS-STATUS-REPORT. See docs/sms.md.

export type SmsEncoding = 'gsm7' | 'ucs2';

// GSM 03.38 default alphabet, index = septet value. \x1b is the escape to the extension table.
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXT: Record<string, number> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };
const BASIC_INDEX = new Map<string, number>([...GSM7_BASIC].map((c, i) => [c, i]));
const EXT_REVERSE = new Map<number, string>(Object.entries(GSM7_EXT).map(([c, v]) => [v, c]));
const ESC = 0x1b;

/** Single-part limits and per-part limits with the 6-octet concatenation header. */
export const LIMITS = { gsm7Single: 160, gsm7Part: 153, ucs2Single: 70, ucs2Part: 67, maxParts: 255 } as const;

export class PduError extends Error {}

// ---- hex helpers -----------------------------------------------------------------------------

export function toHex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! & 0xff).toString(16).padStart(2, '0');
  return s.toUpperCase();
}

export function fromHex(hex: string): number[] {
  const h = hex.trim();
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new PduError(`not a hex PDU (${h.length} characters, odd length or non-hex digits)`);
  const out: number[] = [];
  for (let i = 0; i < h.length; i += 2) out.push(parseInt(h.slice(i, i + 2), 16));
  return out;
}

// ---- alphabets -------------------------------------------------------------------------------

/** Septets of a text in the GSM default alphabet (escape chars as two), or null if a character is not in it. */
export function gsm7Septets(text: string): number[] | null {
  const out: number[] = [];
  for (const ch of text) {
    const b = BASIC_INDEX.get(ch);
    if (b !== undefined && b !== ESC) out.push(b);
    else if (GSM7_EXT[ch] !== undefined) out.push(ESC, GSM7_EXT[ch]!);
    else return null;
  }
  return out;
}

export function gsm7Text(septets: number[]): string {
  let s = '';
  for (let i = 0; i < septets.length; i++) {
    const v = septets[i]!;
    if (v === ESC && i + 1 < septets.length) {
      const e = EXT_REVERSE.get(septets[++i]!);
      s += e ?? ' ';
    } else s += v === ESC ? ' ' : GSM7_BASIC[v]!;
  }
  return s;
}

export function chooseEncoding(text: string): SmsEncoding {
  return gsm7Septets(text) ? 'gsm7' : 'ucs2';
}

/**
 * The text cut into parts: GSM-7 up to 160 septets in one SMS, else 153 per part (an escape
 * sequence is never split); UCS-2 up to 70 UTF-16 units, else 67 per part (a surrogate pair is
 * never split).
 */
export function splitText(text: string, encoding: SmsEncoding = chooseEncoding(text)): string[] {
  const chars = [...text]; // code points: a surrogate pair stays one item
  const cost = (c: string) => (encoding === 'gsm7' ? (GSM7_EXT[c] !== undefined ? 2 : 1) : c.length);
  const total = chars.reduce((n, c) => n + cost(c), 0);
  const single = encoding === 'gsm7' ? LIMITS.gsm7Single : LIMITS.ucs2Single;
  if (total <= single) return [text];
  const per = encoding === 'gsm7' ? LIMITS.gsm7Part : LIMITS.ucs2Part;
  const parts: string[] = [];
  let cur = '';
  let n = 0;
  for (const c of chars) {
    const k = cost(c);
    if (n + k > per) {
      parts.push(cur);
      cur = '';
      n = 0;
    }
    cur += c;
    n += k;
  }
  if (cur) parts.push(cur);
  return parts;
}

export interface SmsInfo {
  encoding: SmsEncoding;
  /** characters as a person counts them (code points) */
  characters: number;
  /** septets (GSM-7) or UTF-16 units (UCS-2) */
  units: number;
  parts: number;
  /** units per part at this length (160/153 or 70/67) */
  perPart: number;
}

/** The template counter: encoding, length and number of SMS parts. */
export function smsInfo(text: string): SmsInfo {
  const encoding = chooseEncoding(text);
  const units = encoding === 'gsm7' ? gsm7Septets(text)!.length : text.length;
  const parts = text.length === 0 ? 1 : splitText(text, encoding).length;
  const perPart = parts > 1 ? (encoding === 'gsm7' ? LIMITS.gsm7Part : LIMITS.ucs2Part) : encoding === 'gsm7' ? LIMITS.gsm7Single : LIMITS.ucs2Single;
  return { encoding, characters: [...text].length, units, parts, perPart };
}

// ---- septet packing --------------------------------------------------------------------------

/** Packs septets after `headerOctets` octets of UDH (fill bits up to the next septet boundary). */
export function packSeptets(septets: number[], headerOctets = 0): number[] {
  const startBit = Math.ceil((headerOctets * 8) / 7) * 7;
  const totalBits = startBit + septets.length * 7;
  const out = new Array<number>(Math.ceil(totalBits / 8)).fill(0);
  septets.forEach((s, i) => {
    const p = startBit + i * 7;
    const idx = p >> 3;
    const shift = p & 7;
    out[idx] = (out[idx]! | (s << shift)) & 0xff;
    if (shift > 1) out[idx + 1] = (out[idx + 1]! | (s >> (8 - shift))) & 0xff;
  });
  return out;
}

/** Unpacks `count` septets (UDL, header included) skipping the header's septets. */
export function unpackSeptets(octets: number[], count: number, headerOctets = 0): number[] {
  const startSeptet = Math.ceil((headerOctets * 8) / 7);
  const out: number[] = [];
  for (let i = startSeptet; i < count; i++) {
    const p = i * 7;
    const idx = p >> 3;
    const v = ((octets[idx] ?? 0) | ((octets[idx + 1] ?? 0) << 8)) >> (p & 7);
    out.push(v & 0x7f);
  }
  return out;
}

function ucs2Bytes(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    out.push(u >> 8, u & 0xff);
  }
  return out;
}

function ucs2Text(bytes: number[]): string {
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return s;
}

// ---- addresses and time stamps ---------------------------------------------------------------

function semiOctets(digits: string): number[] {
  const d = digits.length % 2 ? digits + 'F' : digits;
  const out: number[] = [];
  for (let i = 0; i < d.length; i += 2) out.push(parseInt(d[i + 1]! + d[i]!, 16));
  return out;
}

function readSemiOctets(bytes: number[]): string {
  let s = '';
  for (const b of bytes) {
    s += (b & 0x0f).toString(16);
    s += (b >> 4).toString(16);
  }
  return s.replace(/f$/i, '').toUpperCase().replace(/A/g, '*').replace(/B/g, '#');
}

/** '+8613800138000' → international (TON 1, 0x91); '13800138000' → unknown (0x81, dialled as is). */
export function encodeAddress(number: string): number[] {
  const intl = number.startsWith('+');
  const digits = intl ? number.slice(1) : number;
  if (!/^[0-9]{1,20}$/.test(digits)) throw new PduError(`"${number}" is not a phone number (digits, optionally a leading +)`);
  return [digits.length, intl ? 0x91 : 0x81, ...semiOctets(digits)];
}

function encodeSmsc(smsc: string | null | undefined): number[] {
  if (!smsc) return [0x00];
  const a = encodeAddress(smsc);
  return [a.length - 1, ...a.slice(1)];
}

function decodeAddressValue(toa: number, bytes: number[], digits: number): string {
  if ((toa & 0x70) === 0x50) {
    // Alphanumeric sender (e.g. a bank's name): GSM-7 packed.
    return gsm7Text(unpackSeptets(bytes, Math.floor((digits * 4) / 7)));
  }
  const n = readSemiOctets(bytes);
  return (toa & 0x70) === 0x10 ? `+${n}` : n;
}

/** TP-VP relative format (23.040 9.2.3.12.1) for a validity in minutes (rounded up to the next step). */
export function encodeValidity(minutes: number): number {
  if (minutes <= 0) throw new PduError('validity must be positive');
  if (minutes <= 720) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 1440) return 143 + Math.ceil((minutes - 720) / 30);
  if (minutes <= 30 * 1440) return 166 + Math.ceil(minutes / 1440);
  if (minutes <= 63 * 7 * 1440) return 192 + Math.ceil(minutes / (7 * 1440));
  throw new PduError('validity longer than 63 weeks');
}

export function decodeValidity(vp: number): number {
  if (vp <= 143) return (vp + 1) * 5;
  if (vp <= 167) return 720 + (vp - 143) * 30;
  if (vp <= 196) return (vp - 166) * 1440;
  return (vp - 192) * 7 * 1440;
}

const bcd = (b: number): number => (b & 0x0f) * 10 + (b >> 4);

/** Service-centre time stamp (7 semi-octets, zone in quarter hours) → instant and its zone offset. */
export function decodeTimestamp(bytes: number[]): { at: Date; offsetMinutes: number } {
  if (bytes.length < 7) throw new PduError('time stamp shorter than 7 octets');
  const [yy, mo, dd, hh, mi, ss, tzb] = bytes as [number, number, number, number, number, number, number];
  const quarters = (tzb & 0x07) * 10 + (tzb >> 4);
  const offset = (tzb & 0x08 ? -1 : 1) * quarters * 15;
  const y = bcd(yy);
  const local = Date.UTC(y < 70 ? 2000 + y : 1900 + y, bcd(mo) - 1, bcd(dd), bcd(hh), bcd(mi), bcd(ss));
  return { at: new Date(local - offset * 60_000), offsetMinutes: offset };
}

export function encodeTimestamp(at: Date, offsetMinutes = 480): number[] {
  const l = new Date(at.getTime() + offsetMinutes * 60_000);
  const sw = (n: number) => ((n % 10) << 4) | Math.floor(n / 10) % 10;
  const q = Math.round(Math.abs(offsetMinutes) / 15);
  const tz = ((q % 10) << 4) | Math.floor(q / 10) | (offsetMinutes < 0 ? 0x08 : 0);
  return [sw(l.getUTCFullYear() % 100), sw(l.getUTCMonth() + 1), sw(l.getUTCDate()), sw(l.getUTCHours()), sw(l.getUTCMinutes()), sw(l.getUTCSeconds()), tz];
}

// ---- user data -------------------------------------------------------------------------------

export interface Concat {
  ref: number;
  total: number;
  seq: number;
}

function userData(text: string, encoding: SmsEncoding, concat: Concat | null): { dcs: number; udl: number; ud: number[] } {
  const udh = concat ? [0x05, 0x00, 0x03, concat.ref & 0xff, concat.total, concat.seq] : [];
  if (encoding === 'gsm7') {
    const septets = gsm7Septets(text);
    if (!septets) throw new PduError('text has characters outside the GSM 7-bit alphabet');
    const packed = packSeptets(septets, udh.length);
    udh.forEach((b, i) => (packed[i] = b));
    return { dcs: 0x00, udl: Math.ceil((udh.length * 8) / 7) + septets.length, ud: packed };
  }
  const bytes = [...udh, ...ucs2Bytes(text)];
  return { dcs: 0x08, udl: bytes.length, ud: bytes };
}

// ---- SMS-SUBMIT ------------------------------------------------------------------------------

export interface SubmitOptions {
  to: string;
  text: string;
  /** TP-SRR: ask for a status report (default true). */
  statusReport?: boolean;
  /** Relative validity in minutes (default 24 h); null: no TP-VP. */
  validityMinutes?: number | null;
  /** SMSC number; absent: the one stored on the SIM (length octet 00). */
  smsc?: string | null;
  /** Concatenation reference of a multipart message (0–255). */
  concatRef?: number;
  rejectDuplicates?: boolean;
  /** Force an encoding (GSM-7 only if the text fits the alphabet). */
  encoding?: SmsEncoding;
}

export interface SubmitPdu {
  /** The PDU as AT+CMGS takes it (SMSC part included). */
  hex: string;
  /** AT+CMGS=<length>: octets of the TPDU, SMSC part excluded. */
  tpduLength: number;
  seq: number;
  total: number;
  text: string;
}

export function encodeSubmit(o: SubmitOptions): SubmitPdu[] {
  const encoding = o.encoding === 'gsm7' && gsm7Septets(o.text) ? 'gsm7' : o.encoding === 'ucs2' ? 'ucs2' : chooseEncoding(o.text);
  const parts = splitText(o.text, encoding);
  if (parts.length > LIMITS.maxParts) throw new PduError(`text needs ${parts.length} parts; at most ${LIMITS.maxParts}`);
  const vp = o.validityMinutes === undefined ? 1440 : o.validityMinutes;
  const smsc = encodeSmsc(o.smsc);
  const da = encodeAddress(o.to);
  return parts.map((text, i) => {
    const concat = parts.length > 1 ? { ref: o.concatRef ?? 0, total: parts.length, seq: i + 1 } : null;
    const { dcs, udl, ud } = userData(text, encoding, concat);
    let fo = 0x01; // SMS-SUBMIT
    if (o.rejectDuplicates) fo |= 0x04;
    if (vp !== null) fo |= 0x10; // relative VP
    if (o.statusReport !== false) fo |= 0x20;
    if (concat) fo |= 0x40;
    const tpdu = [fo, 0x00, ...da, 0x00, dcs, ...(vp !== null ? [encodeValidity(vp)] : []), udl, ...ud];
    return { hex: toHex([...smsc, ...tpdu]), tpduLength: tpdu.length, seq: i + 1, total: parts.length, text };
  });
}

// ---- decoding --------------------------------------------------------------------------------

export interface DecodedUserData {
  encoding: SmsEncoding | '8bit';
  text: string;
  concat: Concat | null;
}

export interface DecodedDeliver extends DecodedUserData {
  type: 'deliver';
  smsc: string | null;
  from: string;
  at: Date;
  offsetMinutes: number;
  statusReportIndication: boolean;
}

export interface DecodedSubmit extends DecodedUserData {
  type: 'submit';
  smsc: string | null;
  to: string;
  statusReport: boolean;
  validityMinutes: number | null;
  /** TPDU octets (AT+CMGS length) */
  tpduLength: number;
}

export type DeliveryState = 'delivered' | 'pending' | 'failed';

export interface DecodedStatusReport {
  type: 'status-report';
  smsc: string | null;
  ref: number;
  recipient: string;
  at: Date;
  dischargedAt: Date;
  status: number;
  state: DeliveryState;
}

export type DecodedPdu = DecodedDeliver | DecodedSubmit | DecodedStatusReport;

/** TP-ST (23.040 9.2.3.15): 0x00–0x1F done, 0x20–0x3F SC still trying, others final failures. */
export function deliveryState(st: number): DeliveryState {
  if (st <= 0x1f) return 'delivered';
  if (st <= 0x3f) return 'pending';
  return 'failed';
}

class Reader {
  i = 0;
  constructor(readonly b: number[]) {}
  byte(what: string): number {
    if (this.i >= this.b.length) throw new PduError(`PDU ends before ${what} (octet ${this.i})`);
    return this.b[this.i++]!;
  }
  take(n: number, what: string): number[] {
    if (this.i + n > this.b.length) throw new PduError(`PDU ends inside ${what} (needs ${n} octets at ${this.i}, has ${this.b.length - this.i})`);
    const out = this.b.slice(this.i, this.i + n);
    this.i += n;
    return out;
  }
  address(what: string): string {
    const digits = this.byte(`${what} length`);
    const toa = this.byte(`${what} type`);
    return decodeAddressValue(toa, this.take(Math.ceil(digits / 2), what), digits);
  }
}

function alphabetOf(dcs: number): SmsEncoding | '8bit' {
  if ((dcs & 0xc0) === 0x00 || (dcs & 0xc0) === 0x40) {
    const a = (dcs >> 2) & 0x03;
    return a === 2 ? 'ucs2' : a === 1 ? '8bit' : 'gsm7';
  }
  if ((dcs & 0xf0) === 0xf0) return dcs & 0x04 ? '8bit' : 'gsm7';
  if ((dcs & 0xf0) === 0xe0) return 'ucs2';
  return 'gsm7';
}

function readUserData(r: Reader, dcs: number, udhi: boolean): DecodedUserData {
  const udl = r.byte('TP-UDL');
  const encoding = alphabetOf(dcs);
  const octets = encoding === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl;
  // Some modems report a UDL longer than the data (python-gsmmodem saw this): read what is there.
  const ud = r.b.slice(r.i, r.i + octets);
  if (ud.length < Math.min(octets, 1) && udl > 0) throw new PduError('PDU ends before the user data');
  r.i += ud.length;
  let concat: Concat | null = null;
  let headerOctets = 0;
  if (udhi && ud.length) {
    const udhl = ud[0]!;
    headerOctets = udhl + 1;
    let p = 1;
    while (p < headerOctets) {
      const iei = ud[p]!;
      const len = ud[p + 1] ?? 0;
      const data = ud.slice(p + 2, p + 2 + len);
      if (iei === 0x00 && len === 3) concat = { ref: data[0]!, total: data[1]!, seq: data[2]! };
      if (iei === 0x08 && len === 4) concat = { ref: (data[0]! << 8) | data[1]!, total: data[2]!, seq: data[3]! };
      p += 2 + len;
    }
  }
  let text: string;
  if (encoding === 'gsm7') text = gsm7Text(unpackSeptets(ud, udl, headerOctets));
  else if (encoding === 'ucs2') text = ucs2Text(ud.slice(headerOctets));
  else text = String.fromCharCode(...ud.slice(headerOctets));
  return { encoding, text, concat };
}

function readSmsc(r: Reader, hasSmsc: boolean): string | null {
  if (!hasSmsc) return null;
  const len = r.byte('SMSC length');
  if (len === 0) return null;
  const toa = r.byte('SMSC type');
  const n = readSemiOctets(r.take(len - 1, 'SMSC address'));
  return (toa & 0x70) === 0x10 ? `+${n}` : n;
}

/**
 * Decodes a PDU as a modem reports it (+CMGR, +CMGL, +CDS: SMSC part first). `hasSmsc: false`
 * for a bare TPDU (some +CDS examples leave the SMSC out).
 */
export function decodePdu(hex: string, opts: { hasSmsc?: boolean } = {}): DecodedPdu {
  const r = new Reader(fromHex(hex));
  const smsc = readSmsc(r, opts.hasSmsc !== false);
  const tpduStart = r.i;
  const fo = r.byte('first octet');
  const mti = fo & 0x03;
  if (mti === 0x00) {
    const from = r.address('originating address');
    r.byte('TP-PID');
    const dcs = r.byte('TP-DCS');
    const ts = decodeTimestamp(r.take(7, 'TP-SCTS'));
    const ud = readUserData(r, dcs, (fo & 0x40) !== 0);
    return { type: 'deliver', smsc, from, at: ts.at, offsetMinutes: ts.offsetMinutes, statusReportIndication: (fo & 0x20) !== 0, ...ud };
  }
  if (mti === 0x01) {
    r.byte('TP-MR');
    const to = r.address('destination address');
    r.byte('TP-PID');
    const dcs = r.byte('TP-DCS');
    const vpf = (fo >> 3) & 0x03;
    let validityMinutes: number | null = null;
    if (vpf === 0x02) validityMinutes = decodeValidity(r.byte('TP-VP'));
    else if (vpf === 0x01 || vpf === 0x03) r.take(7, 'TP-VP');
    const ud = readUserData(r, dcs, (fo & 0x40) !== 0);
    return { type: 'submit', smsc, to, statusReport: (fo & 0x20) !== 0, validityMinutes, tpduLength: r.b.length - tpduStart, ...ud };
  }
  if (mti === 0x02) {
    const ref = r.byte('TP-MR');
    const recipient = r.address('recipient address');
    const at = decodeTimestamp(r.take(7, 'TP-SCTS')).at;
    const dischargedAt = decodeTimestamp(r.take(7, 'TP-DT')).at;
    const status = r.byte('TP-ST');
    return { type: 'status-report', smsc, ref, recipient, at, dischargedAt, status, state: deliveryState(status) };
  }
  throw new PduError(`unknown message type ${mti} in first octet ${fo.toString(16)}`);
}

// ---- PDUs the network side sends (the modem simulator, tests) ---------------------------------

export function encodeDeliver(o: { from: string; text: string; at: Date; smsc?: string | null; concatRef?: number; offsetMinutes?: number }): string[] {
  const encoding = chooseEncoding(o.text);
  const parts = splitText(o.text, encoding);
  const oa = encodeAddress(o.from);
  return parts.map((text, i) => {
    const concat = parts.length > 1 ? { ref: o.concatRef ?? 0, total: parts.length, seq: i + 1 } : null;
    const { dcs, udl, ud } = userData(text, encoding, concat);
    const fo = 0x04 | (concat ? 0x40 : 0); // SMS-DELIVER, no more messages
    return toHex([...encodeSmsc(o.smsc), fo, ...oa, 0x00, dcs, ...encodeTimestamp(o.at, o.offsetMinutes ?? 480), udl, ...ud]);
  });
}

export function encodeStatusReport(o: { ref: number; recipient: string; at: Date; dischargedAt: Date; status: number; smsc?: string | null }): { hex: string; tpduLength: number } {
  const tpdu = [0x06, o.ref & 0xff, ...encodeAddress(o.recipient), ...encodeTimestamp(o.at), ...encodeTimestamp(o.dischargedAt), o.status & 0xff];
  return { hex: toHex([...encodeSmsc(o.smsc), ...tpdu]), tpduLength: tpdu.length };
}
