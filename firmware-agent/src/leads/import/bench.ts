// `seatbox bench leads-import`: a generated 110,000-row messy GBK file, checked (the CLI's
// `leads check` path) and imported into a fresh campaign of a fresh SQLite database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/database.js';
import { LeadsImportService } from './import-service.js';
import { checkLeadFile } from './parse.js';
import { messyLeadsCsv } from './sample.js';

export interface LeadsImportBench {
  rows: number;
  fileBytes: number;
  encoding: string;
  generateMs: number;
  checkMs: number;
  checkRowsPerSecond: number;
  importMs: number;
  importRowsPerSecond: number;
  imported: number;
  invalid: number;
  duplicates: number;
  expected: { rows: number; valid: number; duplicates: number; invalid: number };
}

export async function runLeadsImportBench(rows = 110_000): Promise<LeadsImportBench> {
  let t = performance.now();
  const file = messyLeadsCsv(rows);
  const generateMs = performance.now() - t;
  t = performance.now();
  const { report } = await checkLeadFile(file.bytes);
  const checkMs = performance.now() - t;
  const dir = mkdtempSync(join(tmpdir(), 'seatbox-bench-leads-'));
  try {
    const db = openDatabase(dir);
    try {
      const campaignId = Number(db.prepare("INSERT INTO campaigns (name, status) VALUES ('bench', 'active')").run().lastInsertRowid);
      const svc = new LeadsImportService({ db, dataDir: dir });
      t = performance.now();
      const rep = await svc.importBytes(file.bytes, 'bench.csv', { campaignId, source: 'bench', mode: 'valid_only' });
      const importMs = performance.now() - t;
      return {
        rows: report.rows,
        fileBytes: file.bytes.length,
        encoding: report.encoding,
        generateMs: Math.round(generateMs),
        checkMs: Math.round(checkMs),
        checkRowsPerSecond: Math.round(report.rows / (checkMs / 1000)),
        importMs: Math.round(importMs),
        importRowsPerSecond: Math.round(report.rows / (importMs / 1000)),
        imported: rep.imported,
        invalid: rep.invalid,
        duplicates: rep.duplicatesInFile,
        expected: file.expected,
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runLeadsImportBenchCli(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, rows: { type: 'string' } }, strict: true });
  const rows = values.rows ? Number(values.rows) : 110_000;
  if (!Number.isInteger(rows) || rows < 1 || rows > 2_000_000) throw new Error(`--rows: expected 1-2000000, got "${values.rows}"`);
  const r = await runLeadsImportBench(rows);
  if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else
    process.stdout.write(
      `lead import: ${r.rows.toLocaleString('en')} rows (${(r.fileBytes / 1e6).toFixed(1)} MB ${r.encoding}) checked in ${r.checkMs} ms (${r.checkRowsPerSecond.toLocaleString('en')} rows/s), ` +
        `imported in ${r.importMs} ms (${r.importRowsPerSecond.toLocaleString('en')} rows/s): ${r.imported} leads, ${r.invalid} invalid, ${r.duplicates} duplicates\n`,
    );
  return 0;
}
