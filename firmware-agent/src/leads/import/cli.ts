// `seatbox leads …`: check a lead file without importing it (the JSON output is a contract,
// see docs/leads-import.md).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UnreadableFileError } from './encoding.js';
import { checkLeadFile, MappingError } from './parse.js';

const HELP = `Usage: seatbox leads check FILE [--json] [--area-code 0755]

  Parses a CSV or .xlsx lead file without importing it and reports its encoding, data rows,
  unique valid numbers, duplicate rows and every invalid row with its physical line number.
  --json            { "encoding", "rows", "valid", "duplicates", "invalid": [{ "line", "reason" }] }
  --area-code CODE  area code for local numbers written without one (e.g. 0755)
`;

export async function leadsCli(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check') {
    process.stderr.write(sub === undefined || sub === 'help' || sub === '--help' ? HELP : `seatbox leads: unknown subcommand "${sub}"\n\n${HELP}`);
    return sub === undefined || sub === 'help' || sub === '--help' ? 0 : 2;
  }
  let values: { json?: boolean; 'area-code'?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false }, 'area-code': { type: 'string' } }, allowPositionals: true, strict: true }));
  } catch (err) {
    process.stderr.write(`seatbox leads check: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    process.stderr.write(`seatbox leads check: expected exactly one FILE\n\n${HELP}`);
    return 2;
  }
  const area = values['area-code'];
  if (area !== undefined && !/^0[1-9]\d{1,2}$/.test(area)) {
    process.stderr.write(`seatbox leads check: --area-code: expected an area code such as 010 or 0755, got "${area}"\n`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    process.stderr.write(`seatbox leads check: cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}\n`);
    return 1;
  }
  try {
    const { report, mapping, file: parsed } = await checkLeadFile(bytes, { defaultAreaCode: area ?? null });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const phoneCol = Object.entries(mapping).find(([, t]) => t === 'phone')?.[0] ?? '-';
    const out = [
      `${file}: ${parsed.kind === 'xlsx' ? `xlsx (sheet "${parsed.sheet ?? ''}")` : `CSV, ${report.encoding}`}`,
      `header: ${parsed.headerLine === null ? 'none' : `line ${parsed.headerLine}`}; phone column: ${phoneCol}`,
      `rows: ${report.rows}   valid numbers: ${report.valid}   duplicate rows: ${report.duplicates}   invalid rows: ${report.invalid.length}`,
    ];
    if (report.invalid.length > 0) {
      out.push('', 'invalid rows:');
      for (const i of report.invalid.slice(0, 200)) out.push(`  line ${String(i.line).padStart(6)}  ${i.reason}`);
      if (report.invalid.length > 200) out.push(`  … ${report.invalid.length - 200} more (use --json for all)`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UnreadableFileError || err instanceof MappingError) {
      process.stderr.write(`seatbox leads check: ${file}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
