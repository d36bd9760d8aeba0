// `seatbox leads check FILE --json` (the built CLI, as a user runs it) on the fixture files:
// the exact JSON contract with counts and lines known by construction (tests/fixtures/leads/
// make-fixtures.ts, leads/import/sample.ts), the readable summary, exit codes.
// Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'firmware-agent', 'bin', 'seatbox.js');
const FIX = join(ROOT, 'tests', 'fixtures', 'leads');
const tmp = mkdtempSync(join(tmpdir(), 'seatbox-leads-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function seatbox(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const check = (file: string, ...extra: string[]) => {
  const r = seatbox('leads', 'check', join(FIX, file), '--json', ...extra);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as { encoding: string; rows: number; valid: number; duplicates: number; invalid: Array<{ line: number; reason: string }> };
};
const lines = (r: { invalid: Array<{ line: number; reason: string }> }) => r.invalid.map((i) => `${i.line} ${i.reason.split(':')[0]}`);

describe('seatbox leads check --json', () => {
  it('messy GBK sample: exact contract', () => {
    const r = check('sample-messy-gbk.csv');
    expect(Object.keys(r)).toEqual(['encoding', 'rows', 'valid', 'duplicates', 'invalid']);
    expect(r).toMatchObject({ encoding: 'gbk', rows: 17, valid: 9, duplicates: 2 });
    expect(lines(r)).toEqual(['9 scientific_notation', '10 invalid_phone', '14 missing_area_code', '16 invalid_phone', '18 invalid_phone', '19 missing_phone']);
    expect(r.invalid[0]).toEqual({ line: 9, reason: 'scientific_notation: "1.38E+10" is in scientific notation: Excel rounded the number, the real digits are lost; format the column as text and export again' });
    expect(Object.keys(r.invalid[0]!)).toEqual(['line', 'reason']);
  });

  it('--area-code makes local numbers valid', () => {
    const r = check('sample-messy-gbk.csv', '--area-code', '0755');
    expect(r).toMatchObject({ rows: 17, valid: 10, duplicates: 2 });
    expect(r.invalid.map((i) => i.line)).toEqual([9, 10, 16, 18, 19]);
  });

  it('UTF-8 BOM with quoted newlines, GB18030, UTF-16LE, a broken quote, an Excel export', () => {
    expect(check('utf8-bom-quoted.csv')).toEqual({
      encoding: 'utf-8-bom', rows: 7, valid: 5, duplicates: 1,
      invalid: [{ line: 9, reason: 'missing_area_code: "6512 3456" is a local number without area code; add the area code or set a default area code for this source' }],
    });
    expect(check('gb18030.csv')).toEqual({ encoding: 'gb18030', rows: 2, valid: 2, duplicates: 0, invalid: [] });
    expect(check('utf16le-tabs.csv')).toEqual({ encoding: 'utf-16le', rows: 1, valid: 1, duplicates: 0, invalid: [] });
    expect(check('broken-quote.csv')).toEqual({
      encoding: 'utf-8', rows: 2, valid: 1, duplicates: 0,
      invalid: [{ line: 3, reason: 'broken_row: a quoted field opened on line 3 is never closed; lines 3-4 cannot be read as rows' }],
    });
    const x = check('excel-export.xlsx');
    expect(x).toMatchObject({ encoding: 'xlsx', rows: 6, valid: 3, duplicates: 1 });
    expect(lines(x)).toEqual(['6 scientific_notation', '7 leading_zero_lost']);
  });

  it('a readable summary without --json', () => {
    const r = seatbox('leads', 'check', join(FIX, 'sample-messy-gbk.csv'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('CSV, gbk');
    expect(r.out).toContain('rows: 17   valid numbers: 9   duplicate rows: 2   invalid rows: 6');
    expect(r.out).toMatch(/line +10 {2}invalid_phone: "1381234567" has 10 digits, a mobile number needs 11/);
  });

  it('non-zero exit with a clear message for unreadable files and bad usage', () => {
    const missing = seatbox('leads', 'check', join(tmp, 'nope.csv'), '--json');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no such file');
    const bin = join(tmp, 'x.bin');
    writeFileSync(bin, Buffer.from([0x41, 0x42, 0xff, 0xfe, 0x00, 0x81]));
    const binary = seatbox('leads', 'check', bin, '--json');
    expect(binary.code).toBe(1);
    expect(binary.out).toBe('');
    expect(binary.err).toContain('neither UTF-8 nor GBK/GB18030 text (byte 0xff at offset 2');
    const xls = join(tmp, 'old.xls');
    writeFileSync(xls, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]));
    expect(seatbox('leads', 'check', xls).err).toContain('old Excel .xls');
    expect(seatbox('leads', 'check').code).toBe(2);
    expect(seatbox('leads', 'check', 'a.csv', '--area-code', '755').code).toBe(2);
  });
});
