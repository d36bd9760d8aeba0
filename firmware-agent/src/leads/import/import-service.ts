// Lead import into a campaign: uploads kept until confirmed, preview (detected encoding,
// header, mapping, the full check report incl. duplicates against the campaign and do-not-call
// hits), and the import itself — one SQLite transaction, all-or-nothing unless "valid rows
// only" is asked. Progress goes out as `leads.import.progress` frames. See docs/leads-import.md.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Module } from '../../core/module.js';
import type { Db } from '../../db/database.js';
import type { LiveFeed } from '../../http/live.js';
import { UnreadableFileError } from './encoding.js';
import { detectMapping, FIELD_TARGETS, MappingError, readLeadFile, RowChecker, type CheckReport, type CheckedRow, type ColumnMapping, type LeadFile } from './parse.js';

export type ImportMode = 'all_or_nothing' | 'valid_only';

export interface ImportActor {
  userId?: number | null;
  username?: string | null;
  ip?: string | null;
}

export interface LeadsImportProgress {
  /** The upload being imported (null for direct imports: CLI bench, tests). */
  uploadId: number | null;
  phase: 'reading' | 'checking' | 'writing' | 'done' | 'refused' | 'failed';
  done: number;
  total: number;
  jobId: number | null;
}

export interface RefusedRow {
  line: number;
  code: string;
  reason: string;
}

export interface ImportReport {
  jobId: number;
  status: 'imported' | 'refused' | 'failed';
  mode: ImportMode;
  campaignId: number;
  listId: number | null;
  source: string;
  fileName: string;
  encoding: string;
  sha256: string;
  rows: number;
  /** Rows that would be (valid_only: were) imported. */
  valid: number;
  imported: number;
  invalid: number;
  duplicatesInFile: number;
  duplicatesInCampaign: number;
  dnc: number;
  /** Every refused row, by line. */
  refused: RefusedRow[];
  error: string | null;
  durationMs: number;
  createdAt: string;
  createdBy: string | null;
}

export interface UploadInfo {
  id: number;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  encoding: string;
  status: string;
  createdAt: string;
}

export interface ImportOptions {
  campaignId: number;
  source: string;
  mode?: ImportMode;
  /** Column mapping; default: the source's remembered one, else detected. */
  mapping?: ColumnMapping;
  defaultAreaCode?: string | null;
}

export interface Preview {
  upload: UploadInfo;
  kind: 'csv' | 'xlsx';
  encoding: string;
  sheet: string | null;
  headerLine: number | null;
  columns: string[];
  mapping: ColumnMapping;
  /** Where the mapping came from: the source's last import, or detected from the header. */
  mappingFrom: 'remembered' | 'detected' | 'given';
  defaultAreaCode: string | null;
  sample: Array<{ line: number; cells: string[] }>;
  report: CheckReport;
  /** Every row the import would refuse (invalid, duplicate in file, and with a campaign: already in it, do-not-call), by line. */
  refused: RefusedRow[];
  /** With a campaign: what the import would additionally refuse. */
  campaign: { id: number; duplicates: number; dnc: number; refused: RefusedRow[] } | null;
}

export class LeadsImportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
const CHUNK = 10_000;
const AREA_CODE = /^0[1-9]\d{1,2}$/;

interface JobRow {
  id: number;
  campaign_id: number;
  list_id: number | null;
  source: string;
  file_name: string;
  file_sha256: string;
  encoding: string;
  mode: ImportMode;
  status: 'imported' | 'refused' | 'failed';
  rows_total: number;
  rows_valid: number;
  rows_imported: number;
  rows_invalid: number;
  rows_duplicate_file: number;
  rows_duplicate_campaign: number;
  rows_dnc: number;
  refused_json: string;
  error: string | null;
  duration_ms: number | null;
  created_at: string;
  created_by: string | null;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class LeadsImportService implements Module {
  readonly name = 'leads-import';
  private readonly uploadDir: string;

  constructor(
    private readonly deps: {
      db: Db;
      /** Uploads are kept under DATA/leads-import until imported. */
      dataDir: string;
      audit?: AuditLog;
      live?: LiveFeed;
      now?: () => Date;
    },
  ) {
    this.uploadDir = join(deps.dataDir, 'leads-import');
  }

  async start(): Promise<void> {
    mkdirSync(this.uploadDir, { recursive: true, mode: 0o700 });
  }

  async stop(): Promise<void> {}

  private get db(): Db {
    return this.deps.db;
  }

  // ---- campaigns, sources, mappings ----

  campaigns(): Array<{ id: number; name: string; status: string; leads: number }> {
    return this.db
      .prepare<[], { id: number; name: string; status: string; leads: number }>(
        "SELECT c.id, c.name, c.status, (SELECT count(*) FROM leads l WHERE l.campaign_id = c.id) AS leads FROM campaigns c WHERE c.status NOT IN ('ended', 'destroyed') ORDER BY c.id",
      )
      .all();
  }

  sources(): Array<{ source: string; mapping: ColumnMapping; defaultAreaCode: string | null; updatedAt: string }> {
    return this.db
      .prepare<[], { source: string; mapping_json: string; default_area_code: string | null; updated_at: string }>('SELECT * FROM lead_import_mappings ORDER BY source')
      .all()
      .map((r) => ({ source: r.source, mapping: JSON.parse(r.mapping_json) as ColumnMapping, defaultAreaCode: r.default_area_code, updatedAt: r.updated_at }));
  }

  remembered(source: string): { mapping: ColumnMapping; defaultAreaCode: string | null } | null {
    const r = this.db.prepare<[string], { mapping_json: string; default_area_code: string | null }>('SELECT mapping_json, default_area_code FROM lead_import_mappings WHERE source = ?').get(source);
    return r ? { mapping: JSON.parse(r.mapping_json) as ColumnMapping, defaultAreaCode: r.default_area_code } : null;
  }

  private rememberMapping(source: string, mapping: ColumnMapping, defaultAreaCode: string | null, by: string | null): void {
    this.db
      .prepare(
        `INSERT INTO lead_import_mappings (source, mapping_json, default_area_code, updated_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(source) DO UPDATE SET mapping_json = excluded.mapping_json, default_area_code = excluded.default_area_code,
           updated_by = excluded.updated_by, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
      )
      .run(source, JSON.stringify(mapping), defaultAreaCode, by);
  }

  // ---- uploads ----

  /** Stores an uploaded file (atomically) after making sure it can be read at all. */
  async saveUpload(fileName: string, bytes: Buffer, actor: ImportActor = {}): Promise<UploadInfo> {
    if (bytes.length === 0) throw new LeadsImportError('empty_file', 'the uploaded file is empty');
    if (bytes.length > MAX_UPLOAD_BYTES) throw new LeadsImportError('too_large', `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, 413);
    const file = await this.read(bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const name = cleanFileName(fileName);
    const id = Number(
      this.db.prepare('INSERT INTO lead_import_uploads (file_name, size_bytes, sha256, encoding, created_by) VALUES (?, ?, ?, ?, ?)').run(name, bytes.length, sha256, file.encoding, actor.username ?? null)
        .lastInsertRowid,
    );
    mkdirSync(this.uploadDir, { recursive: true, mode: 0o700 });
    const path = this.uploadPath(id);
    writeFileSync(`${path}.tmp`, bytes, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    this.deps.audit?.write({ ...actor, action: 'leads.import_uploaded', target: `upload:${id}`, detail: { fileName: name, sizeBytes: bytes.length, sha256, encoding: file.encoding } });
    return this.upload(id);
  }

  upload(id: number): UploadInfo {
    const r = this.db
      .prepare<[number], { id: number; file_name: string; size_bytes: number; sha256: string; encoding: string; status: string; created_at: string }>('SELECT * FROM lead_import_uploads WHERE id = ?')
      .get(id);
    if (!r) throw new LeadsImportError('upload_not_found', `no upload ${id}`, 404);
    return { id: r.id, fileName: r.file_name, sizeBytes: r.size_bytes, sha256: r.sha256, encoding: r.encoding, status: r.status, createdAt: r.created_at };
  }

  private uploadPath(id: number): string {
    return join(this.uploadDir, `upload-${id}.bin`);
  }

  private uploadBytes(id: number): Buffer {
    const up = this.upload(id);
    if (up.status !== 'pending') throw new LeadsImportError('upload_done', `upload ${id} was already ${up.status}; upload the file again`, 409);
    try {
      return readFileSync(this.uploadPath(id));
    } catch {
      throw new LeadsImportError('upload_missing', `the file of upload ${id} is gone; upload it again`, 410);
    }
  }

  /** Deletes a pending upload's file (it holds personal data). */
  discardUpload(id: number, actor: ImportActor = {}): void {
    this.upload(id);
    rmSync(this.uploadPath(id), { force: true });
    this.db.prepare("UPDATE lead_import_uploads SET status = 'discarded' WHERE id = ? AND status = 'pending'").run(id);
    this.deps.audit?.write({ ...actor, action: 'leads.import_discarded', target: `upload:${id}` });
  }

  private async read(bytes: Uint8Array): Promise<LeadFile> {
    try {
      return await readLeadFile(bytes);
    } catch (err) {
      if (err instanceof UnreadableFileError) throw new LeadsImportError(err.code, err.message, 422);
      throw err;
    }
  }

  private resolveMapping(file: LeadFile, source: string | undefined, given?: ColumnMapping): { mapping: ColumnMapping; from: Preview['mappingFrom'] } {
    if (given) {
      for (const [col, t] of Object.entries(given)) {
        if (!file.columns.includes(col)) throw new LeadsImportError('bad_mapping', `the mapping names a column "${col}" the file does not have (columns: ${file.columns.join(', ')})`);
        if (!(FIELD_TARGETS as readonly string[]).includes(t)) throw new LeadsImportError('bad_mapping', `column "${col}": unknown target "${t}"`);
      }
      const phones = Object.values(given).filter((t) => t === 'phone').length;
      if (phones !== 1) throw new LeadsImportError('bad_mapping', `map exactly one column to the phone number (${phones} are)`);
      return { mapping: detectMapping(file, given), from: 'given' };
    }
    const remembered = source ? this.remembered(source) : null;
    const known = remembered ? Object.keys(remembered.mapping).filter((c) => file.columns.includes(c)) : [];
    if (remembered && known.length > 0) return { mapping: detectMapping(file, remembered.mapping), from: 'remembered' };
    return { mapping: detectMapping(file), from: 'detected' };
  }

  /** The first rows, the mapping and the full check report of an upload (nothing is imported). */
  async preview(uploadId: number, opts: { source?: string; campaignId?: number; mapping?: ColumnMapping; defaultAreaCode?: string | null } = {}): Promise<Preview> {
    const upload = this.upload(uploadId);
    const file = await this.read(this.uploadBytes(uploadId));
    const { mapping, from } = this.resolveMapping(file, opts.source, opts.mapping);
    const defaultAreaCode = this.areaCode(opts.defaultAreaCode !== undefined ? opts.defaultAreaCode : opts.source ? (this.remembered(opts.source)?.defaultAreaCode ?? null) : null);
    const sample = file.rows.slice(0, 20).map((r) => ({ line: r.line, cells: file.columns.map((_, i) => (r.cells[i] === undefined ? '' : String(r.cells[i]))) }));
    let report: CheckReport = { encoding: file.encoding, rows: file.rows.length + file.broken.length, valid: 0, duplicates: 0, invalid: file.broken.map((b) => ({ line: b.line, reason: b.reason })) };
    let campaign: Preview['campaign'] = null;
    const refused: RefusedRow[] = file.broken.map((b) => ({ line: b.line, code: b.code, reason: b.reason }));
    if (file.rows.length > 0) {
      const checker = this.checker(file, mapping, defaultAreaCode);
      for (const r of file.rows) checker.check(r);
      report = checker.report();
      for (const r of checker.checked) if (r.status !== 'valid') refused.push({ line: r.line, code: r.code!, reason: r.reason! });
      if (opts.campaignId !== undefined) {
        this.campaign(opts.campaignId);
        const conflicts = this.campaignConflicts(opts.campaignId, checker.checked);
        campaign = { id: opts.campaignId, duplicates: conflicts.duplicates, dnc: conflicts.dnc, refused: conflicts.refused };
        refused.push(...conflicts.refused);
      }
    }
    refused.sort((a, b) => a.line - b.line);
    return { upload, kind: file.kind, encoding: file.encoding, sheet: file.sheet ?? null, headerLine: file.headerLine, columns: file.columns, mapping, mappingFrom: from, defaultAreaCode, sample, report, refused, campaign };
  }

  private areaCode(v: string | null | undefined): string | null {
    if (v === null || v === undefined || v === '') return null;
    if (!AREA_CODE.test(v)) throw new LeadsImportError('bad_area_code', `default area code "${v}": expected 0 + 2-3 digits, e.g. 010 or 0755`);
    return v;
  }

  private checker(file: LeadFile, mapping: ColumnMapping, defaultAreaCode: string | null): RowChecker {
    try {
      return new RowChecker(file, mapping, { defaultAreaCode });
    } catch (err) {
      if (err instanceof MappingError) throw new LeadsImportError(err.code, err.message, 422);
      throw err;
    }
  }

  private campaign(id: number): { id: number; name: string; status: string } {
    const c = this.db.prepare<[number], { id: number; name: string; status: string }>('SELECT id, name, status FROM campaigns WHERE id = ?').get(id);
    if (!c) throw new LeadsImportError('campaign_not_found', `no campaign ${id}`, 404);
    if (c.status === 'ended' || c.status === 'destroyed') throw new LeadsImportError('campaign_closed', `campaign "${c.name}" is ${c.status}; leads cannot be added`, 409);
    return c;
  }

  /** Valid rows whose number the campaign already has, or that are on the do-not-call list now. */
  private campaignConflicts(campaignId: number, rows: CheckedRow[]): { duplicates: number; dnc: number; refused: RefusedRow[]; blocked: Set<number> } {
    const existing = new Set(this.db.prepare<[number], { phone: string }>('SELECT phone FROM leads WHERE campaign_id = ? AND phone IS NOT NULL').pluck().all(campaignId) as unknown as string[]);
    const now = (this.deps.now?.() ?? new Date()).toISOString();
    const dnc = new Map(
      this.db
        .prepare<[string], { phone: string; reason: string; expires_at: string | null }>('SELECT phone, reason, expires_at FROM dnc_numbers WHERE expires_at IS NULL OR julianday(expires_at) > julianday(?)')
        .all(now)
        .map((r) => [r.phone, r] as const),
    );
    const refused: RefusedRow[] = [];
    const blocked = new Set<number>();
    let duplicates = 0;
    let dncHits = 0;
    for (const r of rows) {
      if (r.status !== 'valid' || r.phone === null) continue;
      const hit = dnc.get(r.phone);
      if (hit) {
        dncHits++;
        blocked.add(r.line);
        refused.push({ line: r.line, code: 'do_not_call', reason: `do_not_call: ${r.phone} is on the do-not-call list (${hit.reason}${hit.expires_at ? `, until ${hit.expires_at.slice(0, 10)}` : ''})` });
      } else if (existing.has(r.phone)) {
        duplicates++;
        blocked.add(r.line);
        refused.push({ line: r.line, code: 'duplicate_in_campaign', reason: `duplicate_in_campaign: ${r.phone} is already a lead of this campaign` });
      }
    }
    return { duplicates, dnc: dncHits, refused, blocked };
  }

  // ---- import ----

  /** Imports an upload; its file is deleted once imported. */
  async importUpload(uploadId: number, opts: ImportOptions, actor: ImportActor = {}): Promise<ImportReport> {
    const up = this.upload(uploadId);
    const bytes = this.uploadBytes(uploadId);
    const report = await this.importBytes(bytes, up.fileName, opts, actor, uploadId);
    if (report.status === 'imported') {
      this.db.prepare("UPDATE lead_import_uploads SET status = 'imported' WHERE id = ?").run(uploadId);
      rmSync(this.uploadPath(uploadId), { force: true });
    }
    return report;
  }

  /**
   * Checks and imports a file into a campaign. The database part is one transaction: either the
   * list and all its leads are written, or (all-or-nothing with refused rows, or any error)
   * no lead is, and the report says why.
   */
  async importBytes(bytes: Buffer, fileName: string, opts: ImportOptions, actor: ImportActor = {}, uploadId: number | null = null): Promise<ImportReport> {
    const started = performance.now();
    const mode = opts.mode ?? 'all_or_nothing';
    const source = opts.source.trim();
    if (source.length < 1 || source.length > 64) throw new LeadsImportError('bad_source', 'source (vendor) must be 1-64 characters');
    this.campaign(opts.campaignId);
    const progress = (phase: LeadsImportProgress['phase'], done: number, total: number, jobId: number | null = null): void =>
      this.deps.live?.publish({ type: 'leads.import.progress', data: { uploadId, phase, done, total, jobId } });
    progress('reading', 0, 0);
    const file = await this.read(bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { mapping } = this.resolveMapping(file, source, opts.mapping);
    const remembered = this.remembered(source);
    const defaultAreaCode = this.areaCode(opts.defaultAreaCode !== undefined ? opts.defaultAreaCode : (remembered?.defaultAreaCode ?? null));
    const checker = this.checker(file, mapping, defaultAreaCode);
    const total = file.rows.length;
    // Checking is pure: done in chunks so progress frames (and other requests) get through.
    for (let i = 0; i < total; i += CHUNK) {
      progress('checking', i, total);
      await yieldToLoop();
      const end = Math.min(total, i + CHUNK);
      for (let j = i; j < end; j++) checker.check(file.rows[j]!);
    }
    progress('writing', total, total);
    await yieldToLoop();
    const fileReport = checker.report();
    const rows = checker.checked;
    const by = actor.username ?? null;

    // Campaign duplicates, DNC and the writes in one synchronous transaction: nothing else can
    // add a lead to the campaign between the duplicate check and the inserts.
    const run = this.db.transaction(() => {
      this.campaign(opts.campaignId);
      const conflicts = this.campaignConflicts(opts.campaignId, rows);
      const refused: RefusedRow[] = [
        ...file.broken.map((b) => ({ line: b.line, code: b.code, reason: b.reason })),
        ...rows.filter((r) => r.status !== 'valid').map((r) => ({ line: r.line, code: r.code!, reason: r.reason! })),
        ...conflicts.refused,
      ].sort((a, b) => a.line - b.line);
      const importable = rows.filter((r) => r.status === 'valid' && !conflicts.blocked.has(r.line));
      const counts = {
        rows: fileReport.rows,
        invalid: fileReport.invalid.length,
        duplicatesInFile: fileReport.duplicates,
        duplicatesInCampaign: conflicts.duplicates,
        dnc: conflicts.dnc,
      };
      const refuse = mode === 'all_or_nothing' && refused.length > 0;
      let listId: number | null = null;
      if (!refuse && importable.length > 0) {
        listId = Number(
          this.db
            .prepare(
              `INSERT INTO lead_lists (campaign_id, source, file_name, file_sha256, encoding, imported_by, rows_total, rows_imported, rows_invalid, rows_duplicate, rows_dnc)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(opts.campaignId, source, fileName, sha256, file.encoding, by, counts.rows, importable.length, counts.invalid, counts.duplicatesInFile + counts.duplicatesInCampaign, counts.dnc).lastInsertRowid,
        );
        const insert = this.db.prepare('INSERT INTO leads (campaign_id, list_id, source_line, phone, phone_kind, area_code, extension, name, fields_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
        for (const r of importable) insert.run(opts.campaignId, listId, r.line, r.phone, r.kind, r.areaCode, r.extension, r.name, JSON.stringify(r.fields));
      }
      const status: ImportReport['status'] = refuse ? 'refused' : 'imported';
      const imported = listId === null ? 0 : importable.length;
      const jobId = Number(
        this.db
          .prepare(
            `INSERT INTO lead_import_jobs (upload_id, campaign_id, list_id, source, file_name, file_sha256, encoding, mode, status, rows_total, rows_valid, rows_imported, rows_invalid,
               rows_duplicate_file, rows_duplicate_campaign, rows_dnc, refused_json, duration_ms, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(uploadId, opts.campaignId, listId, source, fileName, sha256, file.encoding, mode, status, counts.rows, importable.length, imported, counts.invalid, counts.duplicatesInFile, counts.duplicatesInCampaign, counts.dnc, JSON.stringify(refused), Math.round(performance.now() - started), by)
          .lastInsertRowid,
      );
      // A confirmed import teaches the source's mapping for its next file.
      if (status === 'imported') this.rememberMapping(source, mapping, defaultAreaCode, by);
      return jobId;
    });

    let jobId: number;
    try {
      jobId = run();
    } catch (err) {
      // Rolled back: record the failure (outside the transaction) and say so.
      const message = (err as Error).message;
      jobId = Number(
        this.db
          .prepare(`INSERT INTO lead_import_jobs (upload_id, campaign_id, source, file_name, file_sha256, encoding, mode, status, rows_total, error, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'failed', ?, ?, ?)`)
          .run(uploadId, opts.campaignId, source, fileName, sha256, file.encoding, mode, fileReport.rows, message, by).lastInsertRowid,
      );
      progress('failed', 0, total, jobId);
      this.deps.audit?.write({ ...actor, action: 'leads.import_failed', target: `campaign:${opts.campaignId}`, detail: { jobId, fileName, error: message } });
      if (err instanceof LeadsImportError) throw err;
      throw new LeadsImportError('import_failed', `nothing was imported: ${message}`, 500);
    }
    const report = this.job(jobId);
    this.db.prepare('UPDATE lead_import_jobs SET duration_ms = ? WHERE id = ?').run(Math.round(performance.now() - started), jobId);
    report.durationMs = Math.round(performance.now() - started);
    progress(report.status === 'imported' ? 'done' : 'refused', total, total, jobId);
    this.deps.audit?.write({
      ...actor,
      action: report.status === 'imported' ? 'leads.imported' : 'leads.import_refused',
      target: `campaign:${opts.campaignId}`,
      detail: { jobId, listId: report.listId, fileName, sha256, mode, rows: report.rows, imported: report.imported, refused: report.refused.length },
    });
    return report;
  }

  job(id: number): ImportReport {
    const r = this.db.prepare<[number], JobRow>('SELECT * FROM lead_import_jobs WHERE id = ?').get(id);
    if (!r) throw new LeadsImportError('job_not_found', `no import ${id}`, 404);
    return toReport(r);
  }

  jobs(campaignId?: number, limit = 50): Array<Omit<ImportReport, 'refused'> & { refusedCount: number }> {
    const rows =
      campaignId === undefined
        ? this.db.prepare<[number], JobRow>('SELECT * FROM lead_import_jobs ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare<[number, number], JobRow>('SELECT * FROM lead_import_jobs WHERE campaign_id = ? ORDER BY id DESC LIMIT ?').all(campaignId, limit);
    return rows.map((r) => {
      const { refused, ...rest } = toReport(r);
      return { ...rest, refusedCount: refused.length };
    });
  }

  /** The refused rows of an import as CSV (UTF-8 with BOM so Excel in China opens it right). */
  refusedCsv(jobId: number): string {
    const rep = this.job(jobId);
    const q = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = ['line,code,reason', ...rep.refused.map((r) => `${r.line},${q(r.code)},${q(r.reason)}`)];
    return `\ufeff${lines.join('\r\n')}\r\n`;
  }
}

function toReport(r: JobRow): ImportReport {
  const refused = JSON.parse(r.refused_json) as RefusedRow[];
  return {
    jobId: r.id,
    status: r.status,
    mode: r.mode,
    campaignId: r.campaign_id,
    listId: r.list_id,
    source: r.source,
    fileName: r.file_name,
    encoding: r.encoding,
    sha256: r.file_sha256,
    rows: r.rows_total,
    valid: r.rows_valid,
    imported: r.rows_imported,
    invalid: r.rows_invalid,
    duplicatesInFile: r.rows_duplicate_file,
    duplicatesInCampaign: r.rows_duplicate_campaign,
    dnc: r.rows_dnc,
    refused,
    error: r.error,
    durationMs: r.duration_ms ?? 0,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\x00-\x1f]/g, '').trim().slice(0, 200);
  return clean || 'leads.csv';
}
