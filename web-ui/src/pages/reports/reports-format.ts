// Number formats and date presets of the Reports page. Rates arrive as fractions (0-1),
// durations as seconds; dates are the center's local dates (its time zone, not the browser's).
import type { MessageKey } from '../../i18n/index.js';
import type { Kpis, TargetMetric } from './reports-api.js';

export type Kind = 'int' | 'pct' | 'mss' | 'hms';

/** Every KPI column the table can show, in reading order; columns null on every row are hidden. */
export const KPI_COLUMNS: ReadonlyArray<{ key: keyof Kpis; kind: Kind }> = [
  { key: 'offered', kind: 'int' },
  { key: 'answered', kind: 'int' },
  { key: 'answerRate', kind: 'pct' },
  { key: 'serviceLevel', kind: 'pct' },
  { key: 'abandoned', kind: 'int' },
  { key: 'shortAbandoned', kind: 'int' },
  { key: 'abandonRate', kind: 'pct' },
  { key: 'timedOut', kind: 'int' },
  { key: 'asaSeconds', kind: 'mss' },
  { key: 'avgAbandonWaitSeconds', kind: 'mss' },
  { key: 'avgRingSeconds', kind: 'mss' },
  { key: 'avgTalkSeconds', kind: 'mss' },
  { key: 'avgWrapSeconds', kind: 'mss' },
  { key: 'ahtSeconds', kind: 'mss' },
  { key: 'transfers', kind: 'int' },
  { key: 'transferRate', kind: 'pct' },
  { key: 'surveys', kind: 'int' },
  { key: 'satisfactionRate', kind: 'pct' },
  { key: 'dials', kind: 'int' },
  { key: 'liveAnswers', kind: 'int' },
  { key: 'connected', kind: 'int' },
  { key: 'drops', kind: 'int' },
  { key: 'dropRate', kind: 'pct' },
  { key: 'conversations', kind: 'int' },
  { key: 'registrations', kind: 'int' },
  { key: 'complaints', kind: 'int' },
  { key: 'occupancy', kind: 'pct' },
  { key: 'utilisation', kind: 'pct' },
  { key: 'loginSeconds', kind: 'hms' },
  { key: 'readySeconds', kind: 'hms' },
  { key: 'talkSeconds', kind: 'hms' },
  { key: 'pausedSeconds', kind: 'hms' },
  { key: 'pauses', kind: 'int' },
];

export const kindOf = (key: string): Kind => KPI_COLUMNS.find((c) => c.key === key)?.kind ?? 'int';
export const kpiLabel = (key: string) => `kpi.${key}` as MessageKey;

/** Metrics a target can be set on (targets.ts TARGET_METRICS) — percent ones are edited as %. */
export const TARGET_METRIC_LIST: readonly TargetMetric[] = ['answerRate', 'serviceLevel', 'abandonRate', 'transferRate', 'satisfactionRate', 'avgTalkSeconds', 'ahtSeconds', 'asaSeconds', 'dropRate', 'occupancy'];

/** m:ss (h:mm:ss from an hour), rounded to the second. */
export function clock(seconds: number): string {
  const s = Math.round(Math.max(0, seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatValue(lang: string, kind: Kind, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (kind === 'pct') return new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
  if (kind === 'mss' || kind === 'hms') return clock(v);
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(v);
}

// ---- dates (YYYY-MM-DD in the center's time zone) ----

export function todayIn(tz: string, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Monday of the ISO week of a day. */
export const mondayOf = (day: string): string => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));
const lastOfMonth = (month: string): string => addDays(`${addDays(`${month}-01`, 32).slice(0, 7)}-01`, -1);

export const PRESETS = ['today', 'yesterday', 'thisWeek', 'lastWeek', 'thisMonth', 'lastMonth', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

export function presetRange(p: Exclude<Preset, 'custom'>, today: string): { from: string; to: string } {
  switch (p) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: addDays(today, -1), to: addDays(today, -1) };
    case 'thisWeek':
      return { from: mondayOf(today), to: today };
    case 'lastWeek': {
      const mon = addDays(mondayOf(today), -7);
      return { from: mon, to: addDays(mon, 6) };
    }
    case 'thisMonth':
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case 'lastMonth': {
      const m = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
      return { from: `${m}-01`, to: lastOfMonth(m) };
    }
  }
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

/** Days in [from, to] inclusive (NaN for malformed dates). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
/** The API's limits (query.ts MAX_DAYS / MAX_HALFHOUR_DAYS). */
export const maxDays = (period: string): number => (period === 'halfhour' ? 31 : 400);
