// Phone normalisation of Chinese lead files: examples of what vendors write, and properties
// (fast-check) over every way a valid mobile or landline can be formatted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePhone, phoneReason } from '../../firmware-agent/src/leads/import/phone.js';

const ok = (v: string | number, area?: string) => {
  const r = normalisePhone(v, { defaultAreaCode: area ?? null });
  if (!r.ok) throw new Error(`${String(v)}: ${phoneReason(r)}`);
  return r;
};
const err = (v: string | number | null, area?: string) => {
  const r = normalisePhone(v, { defaultAreaCode: area ?? null });
  if (r.ok) throw new Error(`${String(v)} should be refused, got ${r.phone}`);
  return r;
};

describe('normalisePhone: examples', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['138 1234 5678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['138.1234.5678', '13812345678'],
    ['(138)12345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['+86-13812345678', '13812345678'],
    ['0086 13812345678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['＋８６　１３８－１２３４－５６７８', '13812345678'],
    ['（１３８）１２３４５６７８', '13812345678'],
    ["'13812345678", '13812345678'],
    ['="13812345678"', '13812345678'],
    ['13812345678.0', '13812345678'],
    [13812345678, '13812345678'],
  ])('mobile %j → %s', (input, phone) => {
    expect(ok(input)).toEqual({ ok: true, phone, kind: 'mobile', areaCode: null, extension: null });
  });

  it.each([
    ['010-62345678', '01062345678', '010', null],
    ['(010) 8765-4321', '01087654321', '010', null],
    ['021 6234 5678', '02162345678', '021', null],
    ['０２１－６２３４５６７８', '02162345678', '021', null],
    ['0755-86123456', '075586123456', '0755', null],
    ['0571.8812.3456', '057188123456', '0571', null],
    ['0571-8812345', '05718812345', '0571', null],
    ['+86 10 8765 4321', '01087654321', '010', null],
    ['+86 (0)755 8612 3456', '075586123456', '0755', null],
    ['0086 755 86123456', '075586123456', '0755', null],
    ['0755-86123456转123', '075586123456', '0755', '123'],
    ['0755-86123456 转 8001', '075586123456', '0755', '8001'],
    ['010-87654321 ext 12', '01087654321', '010', '12'],
    ['010-87654321 ext.12', '01087654321', '010', '12'],
    ['010-87654321 EXT. 12', '01087654321', '010', '12'],
    ['010-87654321x12', '01087654321', '010', '12'],
    ['010-87654321#12', '01087654321', '010', '12'],
    ['010-87654321-12', '01087654321', '010', '12'],
    ['010-8765-4321-123', '01087654321', '010', '123'],
    ['0755-86123456分机66', '075586123456', '0755', '66'],
  ])('landline %j → %s (area %s, ext %s)', (input, phone, areaCode, extension) => {
    expect(ok(input)).toEqual({ ok: true, phone, kind: 'landline', areaCode, extension });
  });

  it('a local number needs the source default area code', () => {
    expect(err('87654321').code).toBe('missing_area_code');
    expect(ok('8765 4321', '0755')).toMatchObject({ phone: '075587654321', areaCode: '0755', kind: 'landline' });
    expect(ok('8765432', '0571')).toMatchObject({ phone: '05718765432' });
  });

  it.each([
    [null, 'missing_phone', 'no phone number'],
    ['', 'missing_phone', 'no phone number'],
    ['   ', 'missing_phone', 'no phone number'],
    ['1381234567', 'invalid_phone', '"1381234567" has 10 digits, a mobile number needs 11'],
    ['138123456789', 'invalid_phone', '"138123456789" has 12 digits, a mobile number needs 11'],
    ['12345678901', 'invalid_phone', '"12345678901" starts with 12, mobile numbers start with 13-19'],
    ['1.38E+10', 'scientific_notation', '"1.38E+10" is in scientific notation: Excel rounded the number, the real digits are lost; format the column as text and export again'],
    ['1.3812E10', 'scientific_notation', undefined],
    [13812345678.5, 'scientific_notation', undefined],
    [75586123456, 'leading_zero_lost', '75586123456 was stored as a number in Excel and lost its leading 0 (probably 075586123456); format the column as text'],
    ['+1 415 555 0100', 'foreign_number', '"+1 415 555 0100" is not a Chinese number (+86)'],
    ['00852 2345 6789', 'foreign_number', undefined],
    ['0111234567', 'invalid_phone', '"0111234567" starts with 011, which is no Chinese area code'],
    ['010-123456', 'invalid_phone', '"010-123456" has a 6-digit local number after area code 010, landlines need 7 or 8'],
    ['0755-123456789', 'invalid_phone', undefined],
    ['010-01234567', 'invalid_phone', '"010-01234567": a local number after area code 010 cannot start with 0'],
    ['010-12345678', 'invalid_phone', '"010-12345678": a local number after area code 010 cannot start with 1'],
    ['abc123', 'invalid_phone', '"abc123" contains "a", not a phone number'],
    ['13812345678转12', 'extension_on_mobile', '"13812345678转12": a mobile number has no extension'],
    ['12345', 'invalid_phone', undefined],
  ])('refuses %j as %s', (input, code, message) => {
    const r = err(input);
    expect(r.code).toBe(code);
    if (message !== undefined) expect(r.message).toBe(message);
    expect(phoneReason(r)).toBe(`${code}: ${r.message}`);
  });
});

// ---- properties ----

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((a) => a.join(''));
const mobile = fc.tuple(fc.integer({ min: 3, max: 9 }), digits(9)).map(([d, rest]) => `1${d}${rest}`);
const area = fc.oneof(
  fc.constant('010'),
  fc.integer({ min: 0, max: 9 }).map((d) => `02${d}`),
  fc.tuple(fc.integer({ min: 3, max: 9 }), digits(2)).map(([d, r]) => `0${d}${r}`),
);
const local = fc.tuple(fc.integer({ min: 2, max: 9 }), fc.oneof(digits(6), digits(7))).map(([d, r]) => `${d}${r}`);
const FULL = '０１２３４５６７８９';
const SEPS = [' ', '-', '.', ' - ', '　', '－'];

/** Writes digits the messy ways vendors do: separators between groups, some digits full-width. */
const messy = (s: string) =>
  fc.tuple(fc.array(fc.integer({ min: 0, max: SEPS.length }), { minLength: s.length, maxLength: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })).map(([seps, wide]) =>
    [...s].map((ch, i) => (wide[i] ? FULL[Number(ch)]! : ch) + (i < s.length - 1 && seps[i]! < SEPS.length && i % 3 === 2 ? SEPS[seps[i]!]! : '')).join(''),
  );

describe('normalisePhone: properties', () => {
  it('every formatting of a mobile, with or without +86 / 0086 / 86, normalises to its 11 digits', () => {
    fc.assert(
      fc.property(
        mobile.chain((m) => fc.tuple(fc.constant(m), messy(m), fc.constantFrom('', '+86 ', '+86-', '0086 ', '86', '(+86)'))),
        ([m, written, prefix]) => {
          const r = normalisePhone(prefix + written);
          expect(r).toEqual({ ok: true, phone: m, kind: 'mobile', areaCode: null, extension: null });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every formatting of a landline with area code (and optional extension) normalises to 0 + area + local', () => {
    fc.assert(
      fc.property(
        fc.tuple(area, local, fc.option(fc.integer({ min: 1, max: 99999 }).map(String), { nil: null }), fc.constantFrom('转', ' ext ', 'ext.', 'x', '#', ' 转 ')),
        fc.constantFrom('', '+86 ', '0086 '),
        fc.boolean(),
        ([a, l, ext, marker], prefix, brackets) => {
          const areaPart = prefix ? a.slice(1) : a;
          const written = `${brackets ? `(${areaPart})` : `${areaPart}-`}${l}${ext ? marker + ext : ''}`;
          const r = normalisePhone(prefix + written);
          expect(r).toEqual({ ok: true, phone: a + l, kind: 'landline', areaCode: a, extension: ext });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a number stored as an Excel number normalises like its text', () => {
    fc.assert(
      fc.property(mobile, (m) => {
        expect(normalisePhone(Number(m))).toEqual(normalisePhone(m));
      }),
    );
  });

  it('normalising is idempotent and its output is always a well-formed national number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[+0-9０-９ ()\-.转#x]{0,24}$/), mobile, area.chain((a) => local.map((l) => `${a}-${l}`))), (s) => {
        const r = normalisePhone(s);
        if (!r.ok) {
          expect(r.message.length).toBeGreaterThan(0);
          return;
        }
        expect(r.phone).toMatch(/^(1[3-9]\d{9}|0(10|2\d|[3-9]\d\d)[2-9]\d{6,7})$/);
        const again = normalisePhone(r.phone);
        expect(again).toEqual({ ...r, extension: null });
      }),
      { numRuns: 2000 },
    );
  });
});
