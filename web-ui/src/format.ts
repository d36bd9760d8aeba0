import type { Lang, MessageKey, TFunction } from './i18n/index.js';

/** "3 天 4 小时 5 分钟" / "3d 4h 5m": the two largest non-zero units (seconds only under a minute). */
export function formatUptime(t: TFunction, seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return t('status.notAvailable');
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: [MessageKey, number][] = [
    ['unit.days', d],
    ['unit.hours', h],
    ['unit.minutes', m],
  ];
  const first = parts.findIndex(([, n]) => n > 0);
  if (first === -1) return t('unit.seconds', { n: s });
  return parts
    .slice(first, first + 2)
    .filter(([, n], i) => i === 0 || n > 0)
    .map(([k, n]) => t(k, { n }))
    .join(' ');
}

/** mm:ss or h:mm:ss */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

export function formatMegabytes(t: TFunction, lang: Lang, bytes: number): string {
  const n = new Intl.NumberFormat(lang, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(bytes / (1024 * 1024));
  return t('unit.mb', { n });
}

export function formatTime(lang: Lang, ms: number | string): string {
  return new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
