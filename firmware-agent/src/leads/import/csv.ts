// CSV with physical line numbers, on csv-parse: every record carries the line it starts on
// (header = line 1; a quoted field with newlines belongs to its first line; blank lines count
// as lines but yield no record). Lenient where Excel and vendors are sloppy (stray quotes inside
// a field are kept as text; CRLF, LF and lone CR all end a line), strict where data would be
// lost (an unclosed quote is reported, the rows before it are kept).
import { CsvError, parse } from 'csv-parse/sync';

export interface RawRow {
  /** Physical line (CSV) or sheet row number (XLSX), 1-based. */
  line: number;
  /** Cell texts; a number where an .xlsx cell held a number. */
  cells: Array<string | number>;
}

export interface BrokenRow {
  line: number;
  code: 'broken_row';
  reason: string;
}

export interface CsvResult {
  rows: RawRow[];
  broken: BrokenRow[];
  delimiter: string;
  /** Physical lines in the file. */
  lines: number;
}

/** The delimiter of the first non-blank line: the most frequent of , TAB ; | outside quotes. */
export function detectDelimiter(text: string): string {
  const candidates = [',', '\t', ';', '|'];
  const counts = new Map(candidates.map((c) => [c, 0]));
  let inQuotes = false;
  let seenContent = false;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (seenContent) break;
    } else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
    else if (ch.trim() !== '') seenContent = true;
  }
  let best = ',';
  let max = 0;
  for (const [c, n] of counts) if (n > max) [best, max] = [c, n];
  return best;
}

/** Line breaks in a record's raw text, its own trailing line break excluded. */
function breaksInside(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length - 1; i++) if (raw.charCodeAt(i) === 10) n++;
  return n;
}

export function parseCsv(text: string, delimiter = detectDelimiter(text)): CsvResult {
  const rows: RawRow[] = [];
  const broken: BrokenRow[] = [];
  let lastLine = 0;
  const keep = (cells: string[], raw: string, endLine: number): void => {
    lastLine = endLine;
    // A blank line, or a row of empty cells (Excel writes ",,,," for an empty row), is no row.
    if (cells.some((c) => c.trim() !== '')) rows.push({ line: endLine - breaksInside(raw), cells });
  };
  // CRLF, LF and a lone CR each end one physical line: made LF first, so csv-parse counts lines
  // exactly (a CRLF inside a quoted field reads as LF).
  const lf = text.replace(/\r\n?/g, '\n');
  try {
    parse(lf, {
      delimiter,
      record_delimiter: '\n',
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      raw: true,
      info: true,
      // Records are taken as they are parsed, so an error at the end keeps the rows before it.
      // With raw + info set, each record comes as { record, raw, info } (csv-parse's types
      // describe the plain record only).
      on_record: (rec: unknown) => {
        const r = rec as { record: string[]; raw: string; info: { lines: number } };
        keep(r.record, r.raw, r.info.lines);
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const from = lastLine + 1;
    const total = physicalLines(text);
    const what = err.code === 'CSV_QUOTE_NOT_CLOSED' ? `a quoted field opened on line ${from} is never closed` : `the row on line ${from} is not valid CSV (${err.message})`;
    broken.push({ line: from, code: 'broken_row', reason: `broken_row: ${what}; lines ${from}-${total} cannot be read as rows` });
    return { rows, broken, delimiter, lines: total };
  }
  return { rows, broken, delimiter, lines: physicalLines(text) };
}

/** Lines in the text (a final line break does not start another line). */
function physicalLines(text: string): number {
  if (!text.length) return 0;
  const breaks = (text.match(/\r\n|\n|\r/g) ?? []).length;
  return /(\r\n|\n|\r)$/.test(text) ? breaks : breaks + 1;
}
