// Time helpers for reports: half-hour buckets (UTC epoch seconds), the center's local day of
// a bucket, and local midnights. Buckets are UTC half-hours, which are also local half-hours
// in every zone whose offset is a multiple of 30 min (Asia/Shanghai: +08:00, no DST).

export const HALF_HOUR = 1800;

export const floorHH = (sec: number): number => Math.floor(sec / HALF_HOUR) * HALF_HOUR;
export const isoOf = (sec: number): string => new Date(sec * 1000).toISOString();
/** ms since the epoch of a stored ISO timestamp (NaN for garbage). */
export const msOf = (iso: string): number => Date.parse(iso);

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    fmtCache.set(tz, f);
  }
  return f;
}

/** Throws a clear error for a time zone the runtime does not know. */
export function checkTimeZone(tz: string): void {
  try {
    fmt(tz);
  } catch {
    throw new Error(`unknown time zone "${tz}"`);
  }
}

/** Local wall time of an instant: { day: 'YYYY-MM-DD', hm: 'HH:MM' }. */
export function localParts(sec: number, tz: string): { day: string; hm: string } {
  const p: Record<string, string> = {};
  for (const part of fmt(tz).formatToParts(new Date(sec * 1000))) p[part.type] = part.value;
  return { day: `${p.year}-${p.month}-${p.day}`, hm: `${p.hour}:${p.minute}` };
}

const dayCache = new Map<string, string>();
/** The center's local date of a half-hour bucket (cached: folds ask for the same buckets often). */
export function localDay(bucket: number, tz: string): string {
  const k = `${tz}|${bucket}`;
  let d = dayCache.get(k);
  if (d === undefined) {
    d = localParts(bucket, tz).day;
    if (dayCache.size > 100_000) dayCache.clear();
    dayCache.set(k, d);
  }
  return d;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDay(day: string, field = 'date'): { y: number; m: number; d: number } {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`${field}: "${day}" is not a date (YYYY-MM-DD)`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) throw new RangeError(`${field}: "${day}" is not a calendar date`);
  return { y, m: mo, d };
}

export function addDays(day: string, n: number): string {
  const { y, m, d } = parseDay(day);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** UTC epoch seconds of local midnight starting `day` in tz. */
export function localMidnight(day: string, tz: string): number {
  const { y, m, d } = parseDay(day);
  const guess = Date.UTC(y, m - 1, d) / 1000;
  // Two rounds settle the zone offset (also across a DST change).
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const p = localParts(t, tz);
    const shown = Date.UTC(Number(p.day.slice(0, 4)), Number(p.day.slice(5, 7)) - 1, Number(p.day.slice(8, 10)), Number(p.hm.slice(0, 2)), Number(p.hm.slice(3, 5))) / 1000;
    t = t - (shown - guess);
  }
  return t;
}

/** ISO week start (Monday) of a local date. */
export function weekOf(day: string): string {
  const { y, m, d } = parseDay(day);
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday 0
  return addDays(day, -dow);
}

export type Period = 'halfhour' | 'day' | 'week' | 'month';

/** Period label of a local day (day, week, month periods). */
export function periodOfDay(day: string, period: Exclude<Period, 'halfhour'>): string {
  if (period === 'day') return day;
  if (period === 'week') return weekOf(day);
  return day.slice(0, 7);
}

const hhCache = new Map<string, string>();
/** Period label of a bucket (half-hour labels cached: Intl formatting is slow per row). */
export function periodOfBucket(bucket: number, period: Period, tz: string): string {
  if (period === 'halfhour') {
    const k = `${tz}|${bucket}`;
    let label = hhCache.get(k);
    if (label === undefined) {
      const p = localParts(bucket, tz);
      label = `${p.day} ${p.hm}`;
      if (hhCache.size > 100_000) hhCache.clear();
      hhCache.set(k, label);
    }
    return label;
  }
  return periodOfDay(localDay(bucket, tz), period);
}
