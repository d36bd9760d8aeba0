// uPlot line chart of one KPI over the report's periods: one series per dimension row (the 8
// with the most traffic), or the center total. x is the period index, labelled with the period.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useI18n } from '../../i18n/index.js';
import type { KpiRow, Kpis } from './reports-api.js';
import { formatValue, kindOf } from './reports-format.js';

const COLORS = ['#1d4ed8', '#d92d20', '#079455', '#dc6803', '#7a5af8', '#0e9384', '#c11574', '#475467'];
export const MAX_SERIES = 8;

const volume = (k: Kpis) => k.offered + k.dials + (k.conversations ?? 0);

export function chartData(rows: KpiRow[], metric: keyof Kpis, labelOf: (r: KpiRow) => string) {
  const periods = [...new Set(rows.map((r) => r.period))].sort();
  const byKey = new Map<string, { label: string; volume: number; values: Map<string, number | null> }>();
  for (const r of rows) {
    let s = byKey.get(r.key);
    if (!s) byKey.set(r.key, (s = { label: labelOf(r), volume: 0, values: new Map() }));
    s.volume += volume(r.kpis);
    const v = r.kpis[metric];
    s.values.set(r.period, typeof v === 'number' ? v : null);
  }
  const all = [...byKey.values()].sort((a, b) => b.volume - a.volume);
  const series = all.slice(0, MAX_SERIES);
  return { periods, series, total: all.length };
}

export function KpiChart({ rows, metric, labelOf }: { rows: KpiRow[]; metric: keyof Kpis; labelOf: (r: KpiRow) => string }) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const data = useMemo(() => chartData(rows, metric, labelOf), [rows, metric, labelOf]);
  const kind = kindOf(metric);
  const hasValues = data.series.some((s) => [...s.values.values()].some((v) => v !== null));

  useEffect(() => {
    const el = box.current;
    if (!el || !hasValues) return;
    const { periods, series } = data;
    const fmt = (v: number | null) => formatValue(lang, kind, v);
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth || 800),
      height: 300,
      // Half a period of margin each side, so a single period is a visible point mid-chart.
      scales: { x: { time: false, auto: false, range: [-0.5, periods.length - 0.5] } },
      axes: [
        { values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (periods[i] ?? '') : '')), space: 80 },
        { values: (_u, splits) => splits.map((v) => fmt(v)), size: 70 },
      ],
      series: [
        { label: t('reports.col.period'), value: (_u, i) => (i === null || i === undefined ? '' : (periods[i] ?? '')) },
        ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true, size: 6 }, spanGaps: false, value: (_u: uPlot, v: number | null) => fmt(v) })),
      ],
    };
    const aligned: uPlot.AlignedData = [periods.map((_, i) => i), ...series.map((s) => periods.map((p) => s.values.get(p) ?? null))];
    const plot = new uPlot(opts, aligned, el);
    const onResize = () => plot.setSize({ width: Math.max(320, el.clientWidth), height: 300 });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [data, kind, lang, t, hasValues]);

  if (!hasValues) return <p class="reports-muted" data-testid="reports-chart-empty">{t('reports.chart.noData')}</p>;
  return (
    <div>
      {data.total > MAX_SERIES && <p class="reports-muted">{t('reports.chart.series', { n: MAX_SERIES, total: data.total })}</p>}
      <div ref={box} class="reports-chart" data-testid="reports-chart" data-series={data.series.length} data-points={data.periods.length} />
    </div>
  );
}
