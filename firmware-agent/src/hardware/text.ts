// Small text helpers shared by the DAHDI parsers and generators.

/** A problem found while parsing tool output. `line` is 1-based in the text given (0: the whole text). */
export interface ParseWarning {
  line: number;
  message: string;
  /** The offending line (trimmed, at most 200 characters), when there is one. */
  text?: string;
}

export interface NumberedLine {
  /** 1-based line number in the original text. */
  no: number;
  text: string;
}

/**
 * Splits tool output into numbered lines. Never throws: anything that is not a string is
 * treated as empty text. CR LF and lone CR end lines too; a BOM is dropped. Lines starting
 * with '#' are provenance comments (our fixtures, genconf headers) and are skipped — no tool
 * we parse prints a data line starting with '#'.
 */
export function numberedLines(text: unknown): NumberedLine[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: NumberedLine[] = [];
  src.split(/\r\n|\r|\n/).forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    out.push({ no: i + 1, text: raw });
  });
  return out;
}

export function warn(out: ParseWarning[], line: number, message: string, text?: string): void {
  const w: ParseWarning = { line, message };
  if (text !== undefined) w.text = text.trim().slice(0, 200);
  out.push(w);
}

/** Strict non-negative decimal integer ("007" is fine, "1e3", "0x10", "-1", "" are not). */
export function parseUInt(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!/^\d{1,9}$/.test(t)) return undefined;
  return Number(t);
}

/** An object without prototype, so that keys read from untrusted text ("__proto__") are plain keys. */
export function dict<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

// ---------------------------------------------------------------------------------------
// Channel lists as dahdi_cfg and chan_dahdi write them: "1-15,17-31".

/** Formats channel numbers (any order, duplicates ignored) as "1-15,17-31". */
export function formatChannelList(channels: Iterable<number>): string {
  const sorted = [...new Set(channels)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end = sorted[i + 1]!;
      i++;
    }
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

/** Parses "1-15,17-31" (blanks allowed around items). Returns undefined when malformed. */
export function parseChannelList(s: string): number[] | undefined {
  const out: number[] = [];
  const items = s.split(',').map((x) => x.trim());
  if (items.length === 0 || items.some((x) => x === '')) return undefined;
  for (const item of items) {
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(item);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b < a || b - a > 4096) return undefined;
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

export function range(first: number, count: number): number[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => first + i);
}
