// Chinese phone numbers as lead vendors write them, normalised to the national form we dial:
// mobile 1[3-9]xxxxxxxxx, landline 0 + area code (010, 02x: 2 digits; 03xx-09xx: 3 digits) +
// a 7-8 digit local number; the extension apart. Pure; every refusal has a stable code and a
// sentence a data manager understands.

export type PhoneKind = 'mobile' | 'landline';
export type PhoneErrorCode =
  | 'missing_phone'
  | 'invalid_phone'
  | 'scientific_notation'
  | 'missing_area_code'
  | 'leading_zero_lost'
  | 'foreign_number'
  | 'extension_on_mobile';

export type PhoneResult =
  | { ok: true; phone: string; kind: PhoneKind; areaCode: string | null; extension: string | null }
  | { ok: false; code: PhoneErrorCode; message: string };

export interface PhoneOptions {
  /** Prepended to a local number written without area code (the source's setting), e.g. "0755". */
  defaultAreaCode?: string | null;
}

const fail = (code: PhoneErrorCode, message: string): PhoneResult => ({ ok: false, code, message });

/** "code: message", the reason text of reports and the CLI. */
export function phoneReason(r: Extract<PhoneResult, { ok: false }>): string {
  return `${r.code}: ${r.message}`;
}

/** Area code of a national landline number (with its 0), or null when the prefix is no area code. */
export function areaCodeOf(national: string): string | null {
  if (national[0] !== '0') return null;
  const d = national[1];
  if (d === '1') return national[2] === '0' ? '010' : null;
  if (d === '2') return national.slice(0, 3);
  if (d !== undefined && d >= '3' && d <= '9') return national.slice(0, 4);
  return null;
}

// Full-width and look-alike punctuation NFKC leaves alone.
const DASHES = /[‐‑‒–—―－﹣]/g;
const EXT_MARKER = /\s*(?:转|轉|分机|分機|ext\.?|x|#)\s*(\d{1,6})\s*$/i;
const SEPARATORS = /[\s\-.()[\]/【】（）]/g;

/** Classifies a string of national digits (no separators, no prefix). */
function classify(digits: string, shown: string, opts: PhoneOptions, fromNumber: boolean): PhoneResult {
  if (digits[0] === '1') {
    if (digits.length !== 11) return fail('invalid_phone', `"${shown}" has ${digits.length} digits, a mobile number needs 11`);
    if (digits[1]! < '3') return fail('invalid_phone', `"${shown}" starts with ${digits.slice(0, 2)}, mobile numbers start with 13-19`);
    return { ok: true, phone: digits, kind: 'mobile', areaCode: null, extension: null };
  }
  if (digits[0] === '0') {
    if (digits[1] === '0') return fail('foreign_number', `"${shown}" starts with the international prefix 00`);
    const area = areaCodeOf(digits);
    if (!area) return fail('invalid_phone', `"${shown}" starts with ${digits.slice(0, 3)}, which is no Chinese area code`);
    const local = digits.slice(area.length);
    if (local.length < 7 || local.length > 8) {
      return fail('invalid_phone', `"${shown}" has a ${local.length}-digit local number after area code ${area}, landlines need 7 or 8`);
    }
    if (local[0] === '0' || local[0] === '1') return fail('invalid_phone', `"${shown}": a local number after area code ${area} cannot start with ${local[0]}`);
    return { ok: true, phone: digits, kind: 'landline', areaCode: area, extension: null };
  }
  // Starts with 2-9: a local number without area code, or a number Excel stored as a number.
  if (fromNumber) {
    const withZero = classify(`0${digits}`, `0${digits}`, {}, false);
    if (withZero.ok) return fail('leading_zero_lost', `${digits} was stored as a number in Excel and lost its leading 0 (probably 0${digits}); format the column as text`);
  }
  if (digits.length === 7 || digits.length === 8) {
    if (opts.defaultAreaCode) return classify(`${opts.defaultAreaCode}${digits}`, shown, {}, false);
    return fail('missing_area_code', `"${shown}" is a local number without area code; add the area code or set a default area code for this source`);
  }
  return fail('invalid_phone', `"${shown}" has ${digits.length} digits: not a mobile (1…, 11 digits) nor a landline (0 + area code + 7-8 digits)`);
}

/** Digits of a number written with separators and an optional +86 / 0086 / 86 prefix. */
function normaliseDigits(s: string, shown: string, opts: PhoneOptions, fromNumber: boolean): PhoneResult {
  const compact = s.replace(SEPARATORS, '');
  if (compact === '') return fail('missing_phone', 'no phone number');
  if (!/^\+?\d+$/.test(compact)) {
    const bad = compact.replace(/[+\d]/g, '')[0] ?? '+';
    return fail('invalid_phone', `"${shown}" contains "${bad}", not a phone number`);
  }
  if (compact[0] === '+') {
    if (!compact.startsWith('+86')) return fail('foreign_number', `"${shown}" is not a Chinese number (+86)`);
    return national(compact.slice(3), shown, opts);
  }
  if (compact.startsWith('0086')) return national(compact.slice(4), shown, opts);
  if (compact.startsWith('86') && compact.length >= 12) {
    // Only a prefix when what follows is a whole number (a local 86xxxxxx has 7-8 digits).
    const rest = national(compact.slice(2), shown, opts);
    if (rest.ok) return rest;
  }
  return classify(compact, shown, opts, fromNumber);
}

/** After +86: a mobile, or a landline with or without its trunk 0. */
function national(rest: string, shown: string, opts: PhoneOptions): PhoneResult {
  if (rest === '') return fail('invalid_phone', `"${shown}" has nothing after the country code`);
  if (rest[0] === '1' && rest[1] !== '0') return classify(rest, shown, opts, false);
  return classify(rest[0] === '0' ? rest : `0${rest}`, shown, opts, false);
}

/**
 * Normalises one phone cell. `value` is the cell text, or a number when an .xlsx cell held a
 * number (Excel does that to phone columns not formatted as text).
 */
export function normalisePhone(value: string | number | null | undefined, opts: PhoneOptions = {}): PhoneResult {
  if (value === null || value === undefined) return fail('missing_phone', 'no phone number');
  const fromNumber = typeof value === 'number';
  let s: string;
  if (fromNumber) {
    if (!Number.isFinite(value) || !Number.isInteger(value) || value > Number.MAX_SAFE_INTEGER) {
      return fail('scientific_notation', `${String(value)} is not a whole number: Excel rounded it, the real digits are lost`);
    }
    s = String(value);
  } else {
    s = value.normalize('NFKC').replace(DASHES, '-').trim();
    // Excel tricks to keep digits as text: '13812345678 and ="13812345678".
    const formula = /^="(.*)"$/.exec(s);
    if (formula) s = formula[1]!.trim();
    else if (s[0] === "'") s = s.slice(1).trim();
  }
  if (s === '') return fail('missing_phone', 'no phone number');
  const shown = s;
  // 1.38E+10: Excel showed a long number in scientific notation and the CSV kept only that.
  if (/^[+-]?\d+(?:\.\d+)?e[+-]?\d+$/i.test(s)) {
    return fail('scientific_notation', `"${shown}" is in scientific notation: Excel rounded the number, the real digits are lost; format the column as text and export again`);
  }
  // 13812345678.0: a number column exported with a decimal part.
  const dotZero = /^(\d{7,})\.0+$/.exec(s);
  if (dotZero) s = dotZero[1]!;

  let extension: string | null = null;
  const marker = EXT_MARKER.exec(s);
  if (marker && marker.index > 0) {
    extension = marker[1]!;
    s = s.slice(0, marker.index);
  }
  let res = normaliseDigits(s, shown, opts, fromNumber);
  if (!res.ok && extension === null) {
    // 010-12345678-123: the last dash group is an extension when what precedes is a whole landline.
    const dash = /^(.*\d)\s*-\s*(\d{1,6})$/.exec(s);
    if (dash) {
      const head = normaliseDigits(dash[1]!, shown, opts, false);
      if (head.ok && head.kind === 'landline') {
        extension = dash[2]!;
        res = head;
      }
    }
  }
  if (!res.ok) return res;
  if (extension !== null) {
    if (res.kind === 'mobile') return fail('extension_on_mobile', `"${shown}": a mobile number has no extension`);
    return { ...res, extension };
  }
  return res;
}
