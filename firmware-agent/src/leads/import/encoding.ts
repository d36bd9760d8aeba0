// Text encodings of lead files. Excel in China saves "CSV" in the ANSI code page (GBK, i.e.
// CP936), newer tools write UTF-8 with or without a BOM, a few UTF-16. We decode strictly
// (fatal) so a wrong guess fails instead of producing mojibake.

export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'gbk' | 'gb18030' | 'utf-16le' | 'utf-16be';
export type FileKind = TextEncodingName | 'xlsx';

export class UnreadableFileError extends Error {
  readonly code = 'unreadable_file';
}

const isZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const isOle = (b: Uint8Array): boolean => b.length >= 8 && b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;

/** xlsx (a zip) or a text encoding; refuses .xls and binary files with a clear message. */
export function sniffKind(bytes: Uint8Array): 'xlsx' | 'text' {
  if (isZip(bytes)) return 'xlsx';
  if (isOle(bytes)) throw new UnreadableFileError('this is an old Excel .xls (or other OLE) file: save it as .xlsx or CSV and upload again');
  return 'text';
}

/** True when the GB18030 text uses a 4-byte sequence (beyond GBK). Assumes valid GB18030. */
function usesFourByte(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x80) continue;
    if (c >= 0x81 && c <= 0xfe && i + 1 < b.length) {
      const d = b[i + 1]!;
      if (d >= 0x30 && d <= 0x39) return true;
      i++;
    }
  }
  return false;
}

/** Decodes a text file: BOMs first, then strict UTF-8, then strict GB18030 (reported as gbk when only 2-byte sequences occur). */
export function decodeText(bytes: Uint8Array): { encoding: TextEncodingName; text: string } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { encoding: 'utf-8-bom', text: strict('utf-8', bytes.subarray(3), 'UTF-8') };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', text: strict('utf-16le', bytes.subarray(2), 'UTF-16LE') };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', text: strict('utf-16be', bytes.subarray(2), 'UTF-16BE') };
  try {
    return { encoding: 'utf-8', text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    /* not UTF-8: try the Chinese code pages */
  }
  try {
    const text = new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    return { encoding: usesFourByte(bytes) ? 'gb18030' : 'gbk', text };
  } catch {
    /* neither */
  }
  const at = firstBadUtf8(bytes);
  throw new UnreadableFileError(
    `the file is neither UTF-8 nor GBK/GB18030 text (byte 0x${bytes[at]?.toString(16).padStart(2, '0') ?? '??'} at offset ${at} does not decode); save it as CSV (UTF-8) or .xlsx`,
  );
}

function strict(label: string, bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UnreadableFileError(`the file starts with a ${name} byte-order mark but is not valid ${name}`);
  }
}

/** Offset of the first byte that starts no valid UTF-8 sequence. */
function firstBadUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return 0;
}

let gbkTable: Map<number, number> | undefined;

/**
 * GBK encoder (Node has none): the reverse of the WHATWG GBK decoder, built once from all
 * 2-byte sequences. Used to write GBK samples and benchmark files; unencodable characters throw.
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const dec = new TextDecoder('gbk', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        let s: string;
        try {
          s = dec.decode(Uint8Array.of(lead, trail));
        } catch {
          continue;
        }
        const cp = s.codePointAt(0)!;
        if (s.length === 1 && !gbkTable.has(cp)) gbkTable.set(cp, (lead << 8) | trail);
      }
    }
  }
  const out = Buffer.allocUnsafe(text.length * 2);
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      out[n++] = cp;
      continue;
    }
    const code = gbkTable.get(cp);
    if (code === undefined) throw new Error(`character ${JSON.stringify(ch)} (U+${cp.toString(16).toUpperCase()}) has no GBK encoding`);
    out[n++] = code >> 8;
    out[n++] = code & 0xff;
  }
  return out.subarray(0, n);
}
