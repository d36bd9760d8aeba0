// One CSV cell for every export (leads fairness, desk records, reports): RFC 4180 quoting and
// formula-injection defence — a text cell starting with = + - @ tab or CR gets a leading
// apostrophe, so a spreadsheet shows it as text. Numbers pass as numbers.
export function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
