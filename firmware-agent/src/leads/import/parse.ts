// Reading a lead file into rows (CSV in any supported encoding, or .xlsx), finding its header
// and columns, and checking every row: the pure heart of `seatbox leads check` and of imports.
import { parseCsv, type BrokenRow, type RawRow } from './csv.js';
import { decodeText, sniffKind, type FileKind } from './encoding.js';
import { normalisePhone, phoneReason, type PhoneKind } from './phone.js';
import { readXlsx } from './xlsx.js';

export const FIELD_TARGETS = ['phone', 'name', 'address', 'note', 'gender', 'company', 'field', 'ignore'] as const;
export type FieldTarget = (typeof FIELD_TARGETS)[number];
/** Column label (header text, or "column N" without header) → what the column holds. */
export type ColumnMapping = Record<string, FieldTarget>;

const SYNONYMS: Record<Exclude<FieldTarget, 'field' | 'ignore'>, string[]> = {
  phone: ['电话', '手机', '手机号', '手机号码', '联系电话', '电话号码', '联系方式', '号码', '移动电话', '固话', '座机', '客户电话', '联系手机', 'phone', 'mobile', 'tel', 'telephone', 'cell', 'phonenumber', 'mobilephone', 'phoneno', 'mobileno'],
  name: ['姓名', '客户名称', '客户姓名', '名称', '名字', '联系人', '客户', 'name', 'customer', 'contact', 'fullname', 'customername'],
  address: ['地址', '联系地址', '详细地址', '住址', '所在地', 'address', 'addr'],
  note: ['备注', '说明', '附注', 'note', 'notes', 'remark', 'remarks', 'comment', 'comments'],
  gender: ['性别', 'gender', 'sex'],
  company: ['公司', '公司名称', '单位', '工作单位', '企业', '企业名称', 'company', 'organization', 'organisation', 'org', 'employer'],
};

const keyOf = (h: string): string => h.normalize('NFKC').toLowerCase().replace(/[\s*:：_\-.()（）]/g, '');
const SYNONYM_INDEX = new Map<string, FieldTarget>();
for (const [target, words] of Object.entries(SYNONYMS)) for (const w of words) SYNONYM_INDEX.set(keyOf(w), target as FieldTarget);

/** What a header text most likely means, or null. */
export function guessTarget(header: string): FieldTarget | null {
  return SYNONYM_INDEX.get(keyOf(header)) ?? null;
}

export interface LeadFile {
  kind: 'csv' | 'xlsx';
  encoding: FileKind;
  sheet?: string;
  /** Line (CSV) / sheet row (XLSX) of the header, null when the file has none. */
  headerLine: number | null;
  /** One label per column: the header text (made unique), or "column N". */
  columns: string[];
  /** Data rows (header and blank lines excluded). */
  rows: RawRow[];
  /** Rows the reader could not split into cells (unclosed quote). */
  broken: BrokenRow[];
}

// Line breaks inside a cell are stored as \n whatever the file used.
const cellText = (c: string | number | undefined): string => (c === undefined ? '' : typeof c === 'number' ? String(c) : c.trim().replace(/\r\n?/g, '\n'));

/** Reads CSV/XLSX bytes into a LeadFile; throws UnreadableFileError for files that are neither. */
export async function readLeadFile(bytes: Uint8Array): Promise<LeadFile> {
  if (sniffKind(bytes) === 'xlsx') {
    const { rows, sheet } = await readXlsx(bytes);
    return withHeader({ kind: 'xlsx', encoding: 'xlsx', sheet, rows, broken: [] });
  }
  const { encoding, text } = decodeText(bytes);
  const csv = parseCsv(text);
  return withHeader({ kind: 'csv', encoding, rows: csv.rows, broken: csv.broken });
}

/**
 * Finds the header: the first of the first 10 rows naming a phone column; else the first row
 * when no cell of it is a phone number (an unknown header); else the file has no header.
 */
function withHeader(f: Omit<LeadFile, 'headerLine' | 'columns'>): LeadFile {
  const width = f.rows.reduce((m, r) => Math.max(m, r.cells.length), 0);
  let headerIdx = f.rows.slice(0, 10).findIndex((r) => r.cells.some((c) => typeof c === 'string' && guessTarget(c) === 'phone'));
  if (headerIdx < 0 && f.rows[0] && !f.rows[0].cells.some((c) => normalisePhone(c).ok) && f.rows[0].cells.every((c) => typeof c === 'string')) headerIdx = 0;
  const columns: string[] = [];
  const seen = new Map<string, number>();
  const header = headerIdx >= 0 ? f.rows[headerIdx]! : null;
  for (let c = 0; c < width; c++) {
    let label = header ? cellText(header.cells[c]) : '';
    if (label === '') label = `column ${c + 1}`;
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    columns.push(k === 0 ? label : `${label} (${k + 1})`);
  }
  return { ...f, headerLine: header ? header.line : null, columns, rows: headerIdx >= 0 ? f.rows.slice(headerIdx + 1) : f.rows };
}

/**
 * The mapping for a file: a remembered one (per source) for the columns it knows, header
 * synonyms for the rest; when no column is named like a phone column, the column where most of
 * the first 200 rows hold phone numbers. Only one phone column; further ones are kept as fields.
 */
export function detectMapping(file: LeadFile, remembered: ColumnMapping = {}): ColumnMapping {
  const mapping: ColumnMapping = {};
  // A phone column named by the remembered/given mapping wins over guessed ones.
  let phoneSeen = file.columns.some((c) => remembered[c] === 'phone');
  for (const col of file.columns) {
    let t: FieldTarget = remembered[col] ?? guessTarget(col) ?? 'field';
    if (t === 'phone' && remembered[col] !== 'phone') {
      if (phoneSeen) t = 'field';
      phoneSeen = true;
    }
    mapping[col] = t;
  }
  if (!phoneSeen) {
    let best = -1;
    let bestCount = 0;
    file.columns.forEach((_, c) => {
      let count = 0;
      for (const r of file.rows.slice(0, 200)) if (normalisePhone(r.cells[c]).ok) count++;
      if (count > bestCount) [best, bestCount] = [c, count];
    });
    if (best >= 0) mapping[file.columns[best]!] = 'phone';
  }
  return mapping;
}

export interface CheckedRow {
  line: number;
  status: 'valid' | 'invalid' | 'duplicate';
  phone: string | null;
  kind: PhoneKind | null;
  areaCode: string | null;
  extension: string | null;
  name: string | null;
  fields: Record<string, string>;
  /** invalid / duplicate: stable code and "code: text" reason. */
  code?: string;
  reason?: string;
  /** duplicate: the line that had the number first. */
  firstLine?: number;
}

export interface InvalidLine {
  line: number;
  reason: string;
}

/** The `seatbox leads check --json` contract. */
export interface CheckReport {
  encoding: string;
  /** Data rows (header and blank lines excluded; broken rows included). */
  rows: number;
  /** Unique importable numbers. */
  valid: number;
  /** Rows repeating a number of an earlier row in the file. */
  duplicates: number;
  invalid: InvalidLine[];
}

export class MappingError extends Error {
  readonly code = 'no_phone_column';
}

/** Checks rows one at a time (imports feed it in chunks to report progress). */
export class RowChecker {
  private readonly phoneCol: number;
  private readonly cols: Array<{ index: number; target: FieldTarget; label: string }>;
  private readonly firstLineOf = new Map<string, number>();
  readonly checked: CheckedRow[] = [];
  valid = 0;
  duplicates = 0;
  readonly invalid: InvalidLine[] = [];

  constructor(
    readonly file: LeadFile,
    readonly mapping: ColumnMapping,
    private readonly opts: { defaultAreaCode?: string | null; keepRows?: boolean } = {},
  ) {
    this.phoneCol = file.columns.findIndex((c) => mapping[c] === 'phone');
    if (this.phoneCol < 0) {
      throw new MappingError(`no column is mapped to the phone number (columns: ${file.columns.join(', ') || 'none'})`);
    }
    this.cols = file.columns.map((label, index) => ({ index, label, target: mapping[label] ?? 'field' }));
  }

  check(row: RawRow): CheckedRow {
    const res = normalisePhone(row.cells[this.phoneCol], { defaultAreaCode: this.opts.defaultAreaCode ?? null });
    let name: string | null = null;
    const fields: Record<string, string> = {};
    for (const col of this.cols) {
      if (col.target === 'phone' || col.target === 'ignore') continue;
      const v = cellText(row.cells[col.index]);
      if (v === '') continue;
      if (col.target === 'name') name = v;
      else fields[col.target === 'field' ? col.label : col.target] = v;
    }
    // Cells beyond the header's columns are kept too, not silently dropped.
    for (let c = this.cols.length; c < row.cells.length; c++) {
      const v = cellText(row.cells[c]);
      if (v !== '') fields[`column ${c + 1}`] = v;
    }
    let out: CheckedRow;
    if (!res.ok) {
      const reason = phoneReason(res);
      out = { line: row.line, status: 'invalid', phone: null, kind: null, areaCode: null, extension: null, name, fields, code: res.code, reason };
      this.invalid.push({ line: row.line, reason });
    } else {
      const first = this.firstLineOf.get(res.phone);
      if (first !== undefined) {
        this.duplicates++;
        out = { line: row.line, status: 'duplicate', phone: res.phone, kind: res.kind, areaCode: res.areaCode, extension: res.extension, name, fields, code: 'duplicate_in_file', reason: `duplicate_in_file: ${res.phone} already on line ${first}`, firstLine: first };
      } else {
        this.firstLineOf.set(res.phone, row.line);
        this.valid++;
        out = { line: row.line, status: 'valid', phone: res.phone, kind: res.kind, areaCode: res.areaCode, extension: res.extension, name, fields };
      }
    }
    if (this.opts.keepRows !== false) this.checked.push(out);
    return out;
  }

  report(): CheckReport {
    const invalid = [...this.file.broken.map((b) => ({ line: b.line, reason: b.reason })), ...this.invalid].sort((a, b) => a.line - b.line);
    return { encoding: this.file.encoding, rows: this.file.rows.length + this.file.broken.length, valid: this.valid, duplicates: this.duplicates, invalid };
  }
}

/** Parses and checks a whole file (no database): what `seatbox leads check` prints. */
export async function checkLeadFile(bytes: Uint8Array, opts: { mapping?: ColumnMapping; defaultAreaCode?: string | null } = {}): Promise<{ file: LeadFile; mapping: ColumnMapping; report: CheckReport }> {
  const file = await readLeadFile(bytes);
  const mapping = opts.mapping ?? detectMapping(file);
  if (file.rows.length === 0) return { file, mapping, report: { encoding: file.encoding, rows: file.broken.length, valid: 0, duplicates: 0, invalid: file.broken.map((b) => ({ line: b.line, reason: b.reason })) } };
  const checker = new RowChecker(file, mapping, { defaultAreaCode: opts.defaultAreaCode, keepRows: false });
  for (const r of file.rows) checker.check(r);
  return { file, mapping, report: checker.report() };
}
