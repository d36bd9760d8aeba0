// Calling hours in the campaign's time zone (default Asia/Shanghai): open now? when does the
// next window open? Pure functions of an instant, so tests use a fixed clock.
import { WEEKDAYS, type CampaignSettings, type Weekday } from './settings.js';

export interface LocalParts {
  date: string; // YYYY-MM-DD
  weekday: Weekday;
  minutes: number; // minutes since local midnight
  hhmm: string;
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    fmtCache.set(tz, f);
  }
  return f;
}

export function localParts(at: Date, tz: string): LocalParts {
  const p = Object.fromEntries(fmt(tz).formatToParts(at).map((x) => [x.type, x.value]));
  const hour = Number(p.hour) % 24;
  const minute = Number(p.minute);
  const weekday = (p.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday;
  return { date: `${p.year}-${p.month}-${p.day}`, weekday, minutes: hour * 60 + minute, hhmm: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
}

/** The local calendar day (YYYY-MM-DD) of an instant: the daily cap's day. */
export function localDay(at: Date, tz: string): string {
  return localParts(at, tz).date;
}

/** The instant of local date + HH:MM in tz (offset found by one correction step; exact without DST jumps). */
export function zonedInstant(date: string, hhmm: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const mins = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const guess = Date.UTC(y, m - 1, d, 0, mins);
  const p = localParts(new Date(guess), tz);
  const [py, pm, pd] = p.date.split('-').map(Number) as [number, number, number];
  const offset = Date.UTC(py, pm - 1, pd, 0, p.minutes) - guess;
  return new Date(guess - offset);
}

const toMin = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

function addDays(date: string, n: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + n * 86400_000;
  return new Date(t).toISOString().slice(0, 10);
}

function weekdayOf(date: string): Weekday {
  const js = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return WEEKDAYS[(js + 6) % 7]!;
}

export type HoursState = { open: true; closesAt: Date } | { open: false; opensAt: Date | null; holiday: boolean };

/** Open now (until when) or closed (opening next when; null: no window in the next 31 days). */
export function hoursState(hours: CampaignSettings['hours'], at: Date): HoursState {
  const tz = hours.timezone;
  const now = localParts(at, tz);
  const holidays = new Set(hours.holidays);
  const todayHoliday = holidays.has(now.date);
  if (!todayHoliday) {
    for (const w of hours.weekly[now.weekday]) {
      if (now.minutes >= toMin(w.from) && now.minutes < toMin(w.to)) return { open: true, closesAt: zonedInstant(now.date, w.to === '24:00' ? '23:59' : w.to, tz) };
    }
  }
  for (let i = 0; i <= 31; i++) {
    const date = addDays(now.date, i);
    if (holidays.has(date)) continue;
    const windows = [...hours.weekly[weekdayOf(date)]].sort((a, b) => toMin(a.from) - toMin(b.from));
    for (const w of windows) {
      if (i === 0 && toMin(w.from) <= now.minutes) continue;
      return { open: false, opensAt: zonedInstant(date, w.from, tz), holiday: todayHoliday };
    }
  }
  return { open: false, opensAt: null, holiday: todayHoliday };
}

/** First instant at or after `from` that lies in calling hours (null: none within 31 days). */
export function nextOpenAt(hours: CampaignSettings['hours'], from: Date): Date | null {
  const s = hoursState(hours, from);
  return s.open ? from : s.opensAt;
}

/** HH:MM of an instant in tz (for explanations). */
export function localTime(at: Date, tz: string): string {
  return localParts(at, tz).hhmm;
}

/** "YYYY-MM-DD HH:MM" in tz. */
export function localDateTime(at: Date, tz: string): string {
  const p = localParts(at, tz);
  return `${p.date} ${p.hhmm}`;
}
