// Lead files as they come: encodings (UTF-8, BOM, GBK, GB18030, UTF-16), Excel exports (.xlsx
// with numbers, a title row, rich text), broken rows, quoted newlines, blank lines, full-width
// characters, a 110,000-row file. Expected counts and lines come from how each file is built
// (tests/fixtures/leads/make-fixtures.ts, leads/import/sample.ts), never from program output.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../firmware-agent/src/leads/import/csv.js';
import { decodeText, encodeGbk, sniffKind, UnreadableFileError } from '../../firmware-agent/src/leads/import/encoding.js';
import { checkLeadFile, detectMapping, guessTarget, readLeadFile, RowChecker } from '../../firmware-agent/src/leads/import/parse.js';
import { messyLeadsCsv, SAMPLE_LINES, sampleLeadsCsv } from '../../firmware-agent/src/leads/import/sample.js';
import { broken, excelExport, gb18030, gb18030FourByte, utf16le, utf8Bom, UTF8_BOM_LINES } from '../fixtures/leads/make-fixtures.js';

const FIX = join(__dirname, '..', 'fixtures', 'leads');
const fixture = (name: string) => readFileSync(join(FIX, name));

describe('encoding detection', () => {
  it('tells UTF-8, UTF-8 with BOM, GBK, GB18030 and UTF-16 apart and decodes them exactly', () => {
    expect(decodeText(Buffer.from('姓名,电话\n张三,13800000001\n'))).toEqual({ encoding: 'utf-8', text: '姓名,电话\n张三,13800000001\n' });
    expect(decodeText(Buffer.from('name,phone\n'))).toMatchObject({ encoding: 'utf-8' });
    expect(decodeText(utf8Bom())).toEqual({ encoding: 'utf-8-bom', text: `${UTF8_BOM_LINES.join('\n')}\n` });
    expect(decodeText(encodeGbk('姓名,电话\r\n张三,13800000001\r\n'))).toEqual({ encoding: 'gbk', text: '姓名,电话\r\n张三,13800000001\r\n' });
    expect(decodeText(gb18030())).toEqual({ encoding: 'gb18030', text: '姓名,电话\r\n𠮷祥,13700000001\r\n张三,13700000002\r\n' });
    expect(decodeText(utf16le())).toEqual({ encoding: 'utf-16le', text: 'name\tphone\r\n王五\t13600000001\r\n' });
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('王五', 'utf16le').swap16()]);
    expect(decodeText(be)).toEqual({ encoding: 'utf-16be', text: '王五' });
  });

  it('encodes GBK and the 4-byte GB18030 form the way the decoder reads them back', () => {
    const text = '张伟，北京市朝阳区（老客户）１３８';
    expect(new TextDecoder('gbk').decode(encodeGbk(text))).toBe(text);
    expect(new TextDecoder('gb18030').decode(gb18030FourByte('𠮷'))).toBe('𠮷');
    expect(() => encodeGbk('𠮷')).toThrow(/no GBK encoding/);
  });

  it('refuses binary files and old .xls with a clear message', () => {
    expect(() => decodeText(Buffer.from([0x41, 0xff, 0xff, 0x00, 0x80]))).toThrow(UnreadableFileError);
    expect(() => decodeText(Buffer.from([0x41, 0xff, 0xff, 0x00, 0x80]))).toThrow(/neither UTF-8 nor GBK\/GB18030 text \(byte 0xff at offset 1/);
    expect(() => sniffKind(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toThrow(/old Excel \.xls/);
    expect(sniffKind(Buffer.from('PK\x03\x04rest'))).toBe('xlsx');
  });
});

describe('CSV reader: physical lines', () => {
  it('numbers rows by their first physical line; blank lines count but are no rows', () => {
    const r = parseCsv('h1,h2\n\na,1\r\n"b\nc",2\r\r\n,,\nd,"x""y"\n');
    // lines: 1 header, 2 blank, 3 a, 4-5 quoted newline, 6 blank (lone CR), 7 ",," (empty row), 8 d
    expect(r.rows.map((x) => x.line)).toEqual([1, 3, 4, 8]);
    expect(r.rows[2]!.cells).toEqual(['b\nc', '2']);
    expect(r.rows[3]!.cells).toEqual(['d', 'x"y']);
    expect(r.lines).toBe(8);
    expect(r.broken).toEqual([]);
  });

  it('detects tab, semicolon and comma delimiters; keeps stray quotes inside a field', () => {
    expect(parseCsv('a\tb\n1\t2\n').rows[1]!.cells).toEqual(['1', '2']);
    expect(parseCsv('a;b\n1;2\n').delimiter).toBe(';');
    expect(parseCsv('a,b\n张"三,2\n').rows[1]!.cells).toEqual(['张"三', '2']);
  });

  it('reports an unclosed quote at the row it starts, not as a silent swallow', () => {
    const r = parseCsv(broken().toString('utf8'));
    expect(r.rows.map((x) => x.line)).toEqual([1, 2]);
    expect(r.broken).toEqual([{ line: 3, code: 'broken_row', reason: 'broken_row: a quoted field opened on line 3 is never closed; lines 3-4 cannot be read as rows' }]);
  });
});

describe('CSV reader: property', () => {
  it('any table written as CSV (quotes, commas, newlines, blank lines, CRLF) reads back with each row on its first physical line', () => {
    const cell = fc.oneof(fc.stringMatching(/^[a-z0-9 张三]{0,6}$/), fc.stringMatching(/^[a-z,"\n张]{1,8}$/));
    const row = fc.array(cell, { minLength: 2, maxLength: 4 }).filter((r) => r.some((c) => c.trim() !== ''));
    fc.assert(
      fc.property(fc.array(fc.tuple(row, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (rows, eol) => {
        let text = '';
        let line = 1;
        const expected: Array<{ line: number; cells: string[] }> = [];
        for (const [cells, blanks] of rows) {
          for (let b = 0; b < blanks; b++) {
            text += eol;
            line++;
          }
          expected.push({ line, cells });
          const written = cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c));
          text += written.join(',') + eol;
          line += 1 + cells.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
        }
        const r = parseCsv(text, ',');
        expect(r.broken).toEqual([]);
        expect(r.rows).toEqual(expected);
        expect(r.lines).toBe(line - 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('header and mapping', () => {
  it('recognises common Chinese and English headers', () => {
    expect(['姓名', '客户名称', 'Name', ' 联系人 '].map(guessTarget)).toEqual(['name', 'name', 'name', 'name']);
    expect(['电话', '手机', '手机号码', '联系电话', 'Phone', 'MOBILE', '手机号码：', '*电话'].map(guessTarget)).toEqual(Array(8).fill('phone'));
    expect(['地址', '备注', '性别', '公司', '单位'].map(guessTarget)).toEqual(['address', 'note', 'gender', 'company', 'company']);
    expect(guessTarget('来源渠道')).toBeNull();
  });

  it('maps the sample: one phone column, known fields, unknown columns kept as fields', async () => {
    const f = await readLeadFile(sampleLeadsCsv());
    expect(f.headerLine).toBe(1);
    expect(detectMapping(f)).toEqual({ 姓名: 'name', 手机号码: 'phone', 地址: 'address', 备注: 'note', 性别: 'gender', 公司: 'company', 来源渠道: 'field' });
    const checker = new RowChecker(f, detectMapping(f));
    const first = checker.check(f.rows[0]!);
    expect(first).toMatchObject({ line: 2, status: 'valid', phone: '13812345678', name: '张伟', fields: { address: '北京市朝阳区建国路88号', note: '老客户', gender: '男', company: '北京华信科技有限公司', 来源渠道: '展会' } });
  });

  it('a remembered mapping wins over detection; a second phone-like column is kept as a field', async () => {
    const f = await readLeadFile(Buffer.from('Tel,Mobile,Who\n010-62345678,13800000001,A\n'));
    expect(detectMapping(f)).toEqual({ Tel: 'phone', Mobile: 'field', Who: 'field' });
    expect(detectMapping(f, { Tel: 'field', Mobile: 'phone', Who: 'name' })).toEqual({ Tel: 'field', Mobile: 'phone', Who: 'name' });
    // A partial mapping naming the phone column: the guessed phone column before it steps aside.
    expect(detectMapping(f, { Mobile: 'phone' })).toEqual({ Tel: 'field', Mobile: 'phone', Who: 'field' });
  });

  it('a file without header: the phone column is found from its values', async () => {
    const f = await readLeadFile(Buffer.from('张三,北京,13800000001\n李四,上海,13800000002\n'));
    expect(f.headerLine).toBeNull();
    expect(f.columns).toEqual(['column 1', 'column 2', 'column 3']);
    expect(detectMapping(f)).toEqual({ 'column 1': 'field', 'column 2': 'field', 'column 3': 'phone' });
    expect((await checkLeadFile(Buffer.from('张三,北京,13800000001\n李四,上海,13800000002\n'))).report).toEqual({ encoding: 'utf-8', rows: 2, valid: 2, duplicates: 0, invalid: [] });
  });
});

describe('check reports of the fixture files (counts by construction)', () => {
  it('the shipped sample file is exactly what the generator writes', () => {
    expect(fixture('sample-messy-gbk.csv').equals(sampleLeadsCsv())).toBe(true);
    expect(fixture('utf8-bom-quoted.csv').equals(utf8Bom())).toBe(true);
    expect(fixture('gb18030.csv').equals(gb18030())).toBe(true);
  });

  it('messy GBK sample: 17 rows, 9 valid, 2 duplicates, 6 invalid at lines 9 10 14 16 18 19', async () => {
    // The sample has 20 lines: header, 18 data lines, one blank (line 5); lines 12-13 are one row.
    expect(SAMPLE_LINES.length).toBe(20);
    const { report } = await checkLeadFile(fixture('sample-messy-gbk.csv'));
    expect(report.encoding).toBe('gbk');
    expect(report.rows).toBe(17);
    expect(report.valid).toBe(9);
    expect(report.duplicates).toBe(2);
    expect(report.invalid.map((i) => i.line)).toEqual([9, 10, 14, 16, 18, 19]);
    expect(report.invalid.map((i) => i.reason.split(':')[0])).toEqual(['scientific_notation', 'invalid_phone', 'missing_area_code', 'invalid_phone', 'invalid_phone', 'missing_phone']);
    expect(report.invalid[1]!.reason).toBe('invalid_phone: "1381234567" has 10 digits, a mobile number needs 11');
  });

  it('with a default area code the local number on line 14 becomes valid', async () => {
    const { report } = await checkLeadFile(fixture('sample-messy-gbk.csv'), { defaultAreaCode: '0755' });
    expect(report.valid).toBe(10);
    expect(report.invalid.map((i) => i.line)).toEqual([9, 10, 16, 18, 19]);
  });

  it('UTF-8 with BOM, quoted newlines and blank lines', async () => {
    expect(await checkLeadFile(utf8Bom()).then((r) => r.report)).toEqual({
      encoding: 'utf-8-bom',
      rows: 7,
      valid: 5,
      duplicates: 1,
      invalid: [{ line: 9, reason: 'missing_area_code: "6512 3456" is a local number without area code; add the area code or set a default area code for this source' }],
    });
    const f = await readLeadFile(utf8Bom());
    expect(f.rows.map((r) => r.line)).toEqual([2, 6, 7, 8, 9, 10, 13]);
    const c = new RowChecker(f, detectMapping(f));
    const rows = f.rows.map((r) => c.check(r));
    expect(rows[0]).toMatchObject({ name: 'Li, Lei', fields: { address: 'Room 1\nBuilding 2' } });
    expect(rows[2]).toMatchObject({ line: 7, status: 'duplicate', firstLine: 2, reason: 'duplicate_in_file: 13800000001 already on line 2' });
    expect(rows[3]).toMatchObject({ line: 8, phone: '01065123456', extension: '88', areaCode: '010' });
  });

  it('GB18030 (4-byte character), UTF-16LE with tabs, a broken quote', async () => {
    expect((await checkLeadFile(gb18030())).report).toEqual({ encoding: 'gb18030', rows: 2, valid: 2, duplicates: 0, invalid: [] });
    expect((await checkLeadFile(utf16le())).report).toEqual({ encoding: 'utf-16le', rows: 1, valid: 1, duplicates: 0, invalid: [] });
    const b = (await checkLeadFile(broken())).report;
    expect(b).toMatchObject({ encoding: 'utf-8', rows: 2, valid: 1, duplicates: 0 });
    expect(b.invalid.map((i) => i.line)).toEqual([3]);
  });

  it('Excel export (.xlsx): title row, numbers as numbers, scientific notation, lost leading zero, rich text', async () => {
    const bytes = await excelExport();
    const f = await readLeadFile(bytes);
    expect(f).toMatchObject({ kind: 'xlsx', encoding: 'xlsx', sheet: '客户名单', headerLine: 2, columns: ['客户名称', '联系电话', '公司', '备注'] });
    expect(f.rows.map((r) => r.line)).toEqual([3, 4, 6, 7, 8, 9]);
    const { report } = await checkLeadFile(bytes);
    expect(report).toMatchObject({ encoding: 'xlsx', rows: 6, valid: 3, duplicates: 1 });
    expect(report.invalid.map((i) => [i.line, i.reason.split(':')[0]])).toEqual([
      [6, 'scientific_notation'],
      [7, 'leading_zero_lost'],
    ]);
    await expect(readLeadFile(Buffer.from('PK\x03\x04 not really a zip'))).rejects.toThrow(/looks like a zip\/\.xlsx but Excel data could not be read/);
    // The committed fixture reads the same.
    expect((await checkLeadFile(fixture('excel-export.xlsx'))).report).toEqual(report);
  });

  it('110,000 messy GBK rows: exact counts, in well under the import budget', async () => {
    const file = messyLeadsCsv(110_000);
    const t = performance.now();
    const { report } = await checkLeadFile(file.bytes);
    const ms = performance.now() - t;
    expect(report.encoding).toBe('gbk');
    expect(report.rows).toBe(110_000);
    expect(report.valid).toBe(file.expected.valid);
    expect(report.duplicates).toBe(file.expected.duplicates);
    expect(report.invalid.length).toBe(file.expected.invalid);
    expect(file.expected.invalid).toBeGreaterThan(1000);
    expect(file.expected.duplicates).toBeGreaterThan(500);
    expect(ms).toBeLessThan(10_000);
  });
});
