// Reports (issue 9): the KPI table by agent / team / queue / campaign / center per half-hour,
// day, week or month with targets against actuals, a uPlot trend and CSV / XLSX exports; the
// agents' day against their team average; targets and report settings (managers); the kept
// daily / weekly / monthly reports with download and publish; an agent's published figures.
// Data and rules: docs/reports.md, docs/kpis.md.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { ApiRequestError } from '../../api.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { KpiChart } from './KpiChart.js';
import {
  isManager,
  isReader,
  reportsApi,
  type AgentDaily,
  type Dimension,
  type KpiReport,
  type KpiRow,
  type Kpis,
  type MyRun,
  type Period,
  type ReportParams,
  type RunKind,
  type RunSummary,
  type Target,
  type TargetCheck,
  type TargetMetric,
  type TargetScope,
} from './reports-api.js';
import { KPI_COLUMNS, PRESETS, TARGET_METRIC_LIST, daysBetween, formatValue, maxDays, kindOf, kpiLabel, presetRange, todayIn, validTimeZone, type Preset } from './reports-format.js';
import './reports.css';

type Tab = 'kpis' | 'daily' | 'targets' | 'runs' | 'mine';
const DIMS: readonly Dimension[] = ['agent', 'team', 'queue', 'campaign', 'center'];
const PERIODS: readonly Period[] = ['halfhour', 'day', 'week', 'month'];
const val = (e: Event) => (e.target as HTMLInputElement).value;
const when = (lang: string, iso: string) => new Date(iso).toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

export interface Range {
  preset: Preset;
  from: string;
  to: string;
}

export function ReportsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const reader = isReader(user.roles);
  const manager = isManager(user.roles);
  const tabs: Tab[] = [...(reader ? (['kpis', 'daily', 'targets'] as const) : []), ...(manager ? (['runs'] as const) : []), ...(user.roles.includes('agent') ? (['mine'] as const) : [])];
  const [tab, setTab] = useState<Tab>(tabs[0] ?? 'mine');
  const [params, setParams] = useState<ReportParams | null>(null);
  const [range, setRange] = useState<Range | null>(null);

  useEffect(() => {
    if (!reader) return;
    // The center's time zone decides what "today" is.
    void reportsApi.settings().then(
      (p) => {
        setParams(p);
        setRange({ preset: 'today', ...presetRange('today', todayIn(p.timeZone)) });
      },
      () => setRange({ preset: 'today', ...presetRange('today', todayIn('Asia/Shanghai')) }),
    );
  }, [reader]);

  return (
    <div class="page reports-page" data-testid="reports-page">
      <PageHeader title={t('reports.title')} subtitle={t('reports.subtitle')} />
      {tabs.length > 1 && (
        <div class="reports-tabs" role="tablist">
          {tabs.map((k) => (
            <button type="button" role="tab" class="reports-tab" aria-selected={tab === k} onClick={() => setTab(k)} data-testid={`reports-tab-${k}`} key={k}>
              {t(`reports.tab.${k}`)}
            </button>
          ))}
        </div>
      )}
      {tab === 'kpis' && range && <KpiTab range={range} setRange={setRange} tz={params?.timeZone ?? 'Asia/Shanghai'} />}
      {tab === 'daily' && range && <DailyTab range={range} setRange={setRange} tz={params?.timeZone ?? 'Asia/Shanghai'} share={params?.flagBelowTeamShare ?? 0.5} />}
      {tab === 'targets' && <TargetsTab canEdit={manager} onSettings={setParams} />}
      {tab === 'runs' && <RunsTab />}
      {tab === 'mine' && <MineTab />}
    </div>
  );
}

// ---- shared controls ----

function RangeControls({ range, setRange, tz }: { range: Range; setRange: (r: Range) => void; tz: string }) {
  const { t } = useI18n();
  return (
    <>
      <label class="reports-field">
        <span>{t('reports.range')}</span>
        <select
          data-testid="reports-preset"
          value={range.preset}
          onChange={(e) => {
            const p = val(e) as Preset;
            setRange(p === 'custom' ? { ...range, preset: p } : { preset: p, ...presetRange(p, todayIn(tz)) });
          }}
        >
          {PRESETS.map((p) => (
            <option value={p} key={p}>
              {t(`reports.preset.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label class="reports-field">
        <span>{t('reports.from')}</span>
        <input type="date" data-testid="reports-from" value={range.from} onChange={(e) => val(e) && setRange({ ...range, preset: 'custom', from: val(e) })} />
      </label>
      <label class="reports-field">
        <span>{t('reports.to')}</span>
        <input type="date" data-testid="reports-to" value={range.to} onChange={(e) => val(e) && setRange({ ...range, preset: 'custom', to: val(e) })} />
      </label>
    </>
  );
}

/** Why a range cannot be asked (said before asking the server), or null. */
function rangeProblem(t: TFunction, from: string, to: string, period: Period | 'day'): string | null {
  const days = daysBetween(from, to);
  if (!Number.isFinite(days) || days < 1) return t('reports.err.invalidRange');
  if (days > maxDays(period)) return t('reports.err.rangeTooLong', { days, period: t(`reports.per.${period}`), max: maxDays(period) });
  return null;
}

function ExportLinks({ csv, xlsx, prefix }: { csv: string; xlsx: string; prefix: string }) {
  const { t } = useI18n();
  return (
    <div class="reports-actions">
      <a class="btn btn-secondary" href={csv} download data-testid={`${prefix}-export-csv`}>
        {t('reports.exportCsv')}
      </a>
      <a class="btn btn-secondary" href={xlsx} download data-testid={`${prefix}-export-xlsx`}>
        {t('reports.exportXlsx')}
      </a>
    </div>
  );
}

function targetText(t: TFunction, lang: string, c: TargetCheck): string {
  const kind = kindOf(c.metric);
  return t('reports.target.tip', {
    op: c.op === 'min' ? '≥' : '≤',
    value: formatValue(lang, kind, c.target),
    source: sourceText(t, c.source),
    verdict: t(c.met === null ? 'reports.target.noData' : c.met ? 'reports.target.met' : 'reports.target.missed'),
  });
}

function sourceText(t: TFunction, source: string): string {
  if (source === 'center') return t('reports.scope.center');
  const [scope, key] = source.split(':') as [string, string];
  if (scope === 'seniority') return t(key === 'senior' ? 'reports.seniority.senior' : 'reports.seniority.junior');
  if (scope === 'level') return `${t('reports.scope.level')} ${key}`;
  return `${t('reports.scope.team')} ${key}`;
}

/** One KPI value, coloured and annotated when a target applies. */
function KpiCell({ row, col, check }: { row: KpiRow; col: (typeof KPI_COLUMNS)[number]; check?: TargetCheck }) {
  const { t, lang } = useI18n();
  const v = row.kpis[col.key];
  const num = typeof v === 'number' ? v : null;
  let title: string | undefined;
  if (col.key === 'pausedSeconds' && row.kpis.pauseSecondsByReason) {
    title = Object.entries(row.kpis.pauseSecondsByReason)
      .map(([r, s]) => t('kpi.pauseReason', { reason: r || t('kpi.pauseNoReason'), time: formatValue(lang, 'hms', s) }))
      .join('\n');
  }
  if (check) title = targetText(t, lang, check);
  const cls = check ? (check.met === true ? 'kpi-met' : check.met === false ? 'kpi-missed' : 'kpi-nodata') : undefined;
  return (
    <td class={`num ${cls ?? ''}`} title={title} data-testid="kpi-cell" data-key={row.key} data-period={row.period} data-metric={col.key} data-value={num ?? ''} data-met={check ? String(check.met) : undefined}>
      {formatValue(lang, col.kind, num)}
      {check && (
        <span class="kpi-target">
          {check.op === 'min' ? '≥' : '≤'} {formatValue(lang, kindOf(check.metric), check.target)}
        </span>
      )}
    </td>
  );
}

export function KpiTable({ rows, showPeriod = true, labelOf, testId = 'reports-table' }: { rows: KpiRow[]; showPeriod?: boolean; labelOf: (r: KpiRow) => string; testId?: string }) {
  const { t } = useI18n();
  // Columns with no value on any row (e.g. agent time on queue rows) are left out.
  const cols = KPI_COLUMNS.filter((c) => rows.some((r) => r.kpis[c.key] !== null && r.kpis[c.key] !== undefined));
  return (
    <div class="table-wrap">
      <table class="table reports-table" data-testid={testId}>
        <thead>
          <tr>
            {showPeriod && <th>{t('reports.col.period')}</th>}
            <th>{t('reports.col.name')}</th>
            {cols.map((c) => (
              <th class="num" key={c.key}>
                {t(kpiLabel(c.key))}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <EmptyRow cols={cols.length + 2} testId="reports-empty">
              {t('reports.empty')}
            </EmptyRow>
          )}
          {rows.map((r) => {
            const checks = new Map(r.targets.map((c) => [c.metric as string, c]));
            return (
              <tr key={`${r.period}|${r.key}`} data-testid="reports-row" data-key={r.key} data-period={r.period}>
                {showPeriod && <td class="nowrap">{r.period}</td>}
                <td class="nowrap">{labelOf(r)}</td>
                {cols.map((c) => (
                  <KpiCell row={r} col={c} check={checks.get(c.key)} key={c.key} />
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// ---- KPI report ----

const CHART_METRICS = KPI_COLUMNS.map((c) => c.key);

function KpiTab({ range, setRange, tz }: { range: Range; setRange: (r: Range) => void; tz: string }) {
  const { t, lang } = useI18n();
  const [dimension, setDimension] = useState<Dimension>('queue');
  const [period, setPeriod] = useState<Period>('day');
  const [report, setReport] = useState<KpiReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [metric, setMetric] = useState<keyof Kpis>('answerRate');
  const q = useMemo(() => ({ dimension, period, from: range.from, to: range.to }), [dimension, period, range.from, range.to]);

  // Only the answer to the latest query counts (changing from, then to, sends two).
  const seq = useRef(0);
  const load = useCallback(() => {
    const n = ++seq.current;
    const bad = rangeProblem(t, q.from, q.to, q.period);
    if (bad) {
      setReport(null);
      setBusy(false);
      setErr(bad);
      return;
    }
    setBusy(true);
    setErr(null);
    reportsApi.kpis(q).then(
      (r) => {
        if (n !== seq.current) return;
        setReport(r);
        setBusy(false);
      },
      (e) => {
        if (n !== seq.current) return;
        setReport(null);
        setErr(describeError(t, e));
        setBusy(false);
      },
    );
  }, [q, t]);
  useEffect(load, [load]);

  const labelOf = useCallback((r: KpiRow) => (r.key === '' && dimension === 'center' ? t('reports.center') : r.label), [dimension, t]);
  const missed = report ? report.rows.reduce((n, r) => n + r.targets.filter((c) => c.met === false).length, 0) : 0;

  return (
    <>
      <div class="card">
        <div class="card-body reports-controls">
          <label class="reports-field">
            <span>{t('reports.dimension')}</span>
            <select data-testid="reports-dimension" value={dimension} onChange={(e) => setDimension(val(e) as Dimension)}>
              {DIMS.map((d) => (
                <option value={d} key={d}>
                  {t(`reports.dim.${d}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="reports-field">
            <span>{t('reports.period')}</span>
            <select data-testid="reports-period" value={period} onChange={(e) => setPeriod(val(e) as Period)}>
              {PERIODS.map((p) => (
                <option value={p} key={p}>
                  {t(`reports.per.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <RangeControls range={range} setRange={setRange} tz={tz} />
          <button type="button" class="btn btn-primary" data-testid="reports-run" onClick={load} disabled={busy}>
            {t('reports.run')}
          </button>
          <span class="reports-grow" />
          <ExportLinks prefix="reports" csv={reportsApi.kpisUrl(q, 'csv', lang)} xlsx={reportsApi.kpisUrl(q, 'xlsx', lang)} />
        </div>
      </div>
      {err && (
        <Alert kind="error" testId="reports-error">
          {err}
        </Alert>
      )}
      {busy && <p class="reports-muted">{t('reports.loading')}</p>}
      {report && (
        <div class="card" data-testid="reports-result" data-dimension={report.dimension} data-period={report.period} data-from={report.from} data-to={report.to}>
          <div class="card-body reports-row-line">
            <span class="reports-muted">{t('reports.meta', { tz: report.timeZone, folded: report.foldedUntil ? when(lang, report.foldedUntil) : '—' })}</span>
            {missed > 0 && (
              <span class="badge badge-red" data-testid="reports-missed">
                {t('reports.targetsMissed', { n: missed })}
              </span>
            )}
          </div>
          <KpiTable rows={report.rows} labelOf={labelOf} />
        </div>
      )}
      {report && report.rows.length > 0 && (
        <div class="card">
          <div class="card-body">
            <div class="reports-row-line">
              <h3 class="reports-h3">{t('reports.chart.title')}</h3>
              <label class="reports-field reports-inline">
                <span>{t('reports.chart.metric')}</span>
                <select data-testid="reports-chart-metric" value={metric} onChange={(e) => setMetric(val(e) as keyof Kpis)}>
                  {CHART_METRICS.map((m) => (
                    <option value={m} key={m}>
                      {t(kpiLabel(m))}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <KpiChart rows={report.rows} metric={metric} labelOf={labelOf} />
          </div>
        </div>
      )}
    </>
  );
}

// ---- agents by day ----

function DailyTab({ range, setRange, tz, share }: { range: Range; setRange: (r: Range) => void; tz: string; share: number }) {
  const { t, lang } = useI18n();
  const [data, setData] = useState<AgentDaily | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const seq = useRef(0);
  const load = useCallback(() => {
    const n = ++seq.current;
    const bad = rangeProblem(t, range.from, range.to, 'day');
    if (bad) {
      setData(null);
      setErr(bad);
      return;
    }
    setErr(null);
    reportsApi.agentDaily(range.from, range.to).then(
      (d) => n === seq.current && setData(d),
      (e) => {
        if (n !== seq.current) return;
        setData(null);
        setErr(describeError(t, e));
      },
    );
  }, [range.from, range.to, t]);
  useEffect(load, [load]);
  const pct = (v: number | null) => formatValue(lang, 'pct', v);
  const num = (v: number | null) => formatValue(lang, 'int', v);
  const regs = data?.registrationsAvailable ?? false;
  const flagged = data?.rows.filter((r) => r.flagged).length ?? 0;
  return (
    <>
      <div class="card">
        <div class="card-body reports-controls">
          <RangeControls range={range} setRange={setRange} tz={tz} />
          <button type="button" class="btn btn-primary" onClick={load}>
            {t('reports.run')}
          </button>
          <span class="reports-grow" />
          <ExportLinks prefix="daily" csv={reportsApi.agentDailyUrl(range.from, range.to, 'csv', lang)} xlsx={reportsApi.agentDailyUrl(range.from, range.to, 'xlsx', lang)} />
        </div>
      </div>
      {err && (
        <Alert kind="error" testId="daily-error">
          {err}
        </Alert>
      )}
      {data && (
        <div class="card">
          <div class="card-body reports-row-line">
            <h3 class="reports-h3">{t('reports.daily.title')}</h3>
            <span class="reports-muted">{t('reports.daily.hint', { share: pct(share) })}</span>
            {flagged > 0 && (
              <span class="badge badge-red" data-testid="daily-flagged-count">
                {t('reports.daily.flaggedCount', { n: flagged })}
              </span>
            )}
          </div>
          <div class="table-wrap">
            <table class="table reports-table" data-testid="daily-table">
              <thead>
                <tr>
                  <th>{t('reports.daily.day')}</th>
                  <th>{t('reports.daily.agent')}</th>
                  <th>{t('reports.daily.team')}</th>
                  <th class="num">{t('reports.daily.conv')}</th>
                  <th class="num">{t('reports.daily.convAvg')}</th>
                  <th class="num">{t('reports.daily.convShare')}</th>
                  {regs && <th class="num">{t('reports.daily.regs')}</th>}
                  {regs && <th class="num">{t('reports.daily.regsAvg')}</th>}
                  {regs && <th class="num">{t('reports.daily.regsShare')}</th>}
                  <th>{t('reports.daily.flag')}</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.length === 0 && <EmptyRow cols={regs ? 10 : 7}>{t('reports.daily.empty')}</EmptyRow>}
                {data.rows.map((r) => (
                  <tr key={`${r.day}|${r.agentId}`} class={r.flagged ? 'daily-flagged' : ''} data-testid="daily-row" data-agent={r.agentId} data-day={r.day} data-flagged={String(r.flagged)}>
                    <td class="nowrap">{r.day}</td>
                    <td class="nowrap">{r.label}</td>
                    <td>{r.team || t('reports.daily.noTeam')}</td>
                    <td class="num">{num(r.conversations)}</td>
                    <td class="num">{num(r.teamAverageConversations)}</td>
                    <td class={`num ${r.shareOfTeamAverage !== null && r.shareOfTeamAverage < share ? 'kpi-missed' : ''}`}>{pct(r.shareOfTeamAverage)}</td>
                    {regs && <td class="num">{num(r.registrations)}</td>}
                    {regs && <td class="num">{num(r.teamAverageRegistrations)}</td>}
                    {regs && <td class={`num ${r.registrationsShareOfTeamAverage !== null && r.registrationsShareOfTeamAverage < share ? 'kpi-missed' : ''}`}>{pct(r.registrationsShareOfTeamAverage)}</td>}
                    <td>{r.flagged && <span class="badge badge-red">{t('reports.daily.flagged')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </>
  );
}

// ---- targets and settings ----

const PCT_METRICS = new Set<TargetMetric>(['answerRate', 'serviceLevel', 'abandonRate', 'transferRate', 'satisfactionRate', 'dropRate', 'occupancy']);
const SCOPES: readonly TargetScope[] = ['center', 'team', 'level', 'seniority'];

/** A target as edited: the value as typed (percent for rates). */
interface TargetDraft {
  scope: TargetScope;
  scopeKey: string;
  metric: TargetMetric;
  op: 'min' | 'max';
  value: string;
}
type FieldErrors = Record<string, string>;

const toDraft = (x: Target): TargetDraft => ({ ...x, value: String(PCT_METRICS.has(x.metric) ? +(x.value * 100).toFixed(4) : x.value) });

function validateTargets(t: TFunction, rows: TargetDraft[]): FieldErrors {
  const errs: FieldErrors = {};
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const n = Number(r.value);
    if (r.value.trim() === '') errs[`${i}.value`] = t('reports.err.required');
    else if (!Number.isFinite(n) || n < 0) errs[`${i}.value`] = t('reports.err.number');
    else if (PCT_METRICS.has(r.metric) && n > 100) errs[`${i}.value`] = t('reports.err.percent');
    if (r.scope === 'team' && !r.scopeKey.trim()) errs[`${i}.scopeKey`] = t('reports.err.required');
    if (r.scope === 'level' && !/^(10|[1-9])$/.test(r.scopeKey)) errs[`${i}.scopeKey`] = t('reports.err.level');
    const k = `${r.scope}|${r.scopeKey}|${r.metric}`;
    if (seen.has(k)) errs[`${i}.metric`] = t('reports.err.duplicate');
    seen.add(k);
  });
  return errs;
}

/** "targets[3].value: must be…" → {"3.value": message}. */
function serverFieldError(e: unknown): [string, string] | null {
  if (!(e instanceof ApiRequestError)) return null;
  const m = /^targets\[(\d+)\]\.?(\w+)?/.exec(e.field ?? e.message);
  return m ? [`${m[1]}.${m[2] ?? 'metric'}`, e.message] : null;
}

function TargetsTab({ canEdit, onSettings }: { canEdit: boolean; onSettings: (p: ReportParams) => void }) {
  const { t } = useI18n();
  const [rows, setRows] = useState<TargetDraft[]>([]);
  const [errs, setErrs] = useState<FieldErrors>({});
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    void reportsApi.targets().then((l) => setRows(l.map(toDraft)), (e) => setErr(describeError(t, e)));
  }, [t]);

  const set = (i: number, patch: Partial<TargetDraft>) => setRows((l) => l.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = async () => {
    setNote(null);
    setErr(null);
    const v = validateTargets(t, rows);
    setErrs(v);
    if (Object.keys(v).length) return;
    try {
      const saved = await reportsApi.saveTargets(
        rows.map((r) => ({ scope: r.scope, scopeKey: r.scope === 'center' ? '' : r.scopeKey.trim(), metric: r.metric, op: r.op, value: PCT_METRICS.has(r.metric) ? Number(r.value) / 100 : Number(r.value) })),
      );
      setRows(saved.map(toDraft));
      setNote(t('reports.targets.saved'));
    } catch (e) {
      const f = serverFieldError(e);
      if (f) setErrs({ [f[0]]: t('reports.err.server', { message: f[1] }) });
      else setErr(describeError(t, e));
    }
  };
  const fe = (k: string) =>
    errs[k] ? (
      <span class="reports-field-error" data-testid={`target-error-${k}`}>
        {errs[k]}
      </span>
    ) : null;

  return (
    <>
      {!canEdit && <Alert kind="info">{t('reports.settings.readOnly')}</Alert>}
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="targets-saved">{note}</span>
        </Alert>
      )}
      <div class="card">
        <div class="card-body">
          <h3 class="reports-h3">{t('reports.targets.title')}</h3>
          <p class="reports-muted">{t('reports.targets.hint')}</p>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="targets-table">
            <thead>
              <tr>
                <th>{t('reports.targets.scope')}</th>
                <th>{t('reports.targets.scopeKey')}</th>
                <th>{t('reports.targets.metric')}</th>
                <th>{t('reports.targets.op')}</th>
                <th>{t('reports.targets.value')}</th>
                {canEdit && <th />}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && <EmptyRow cols={canEdit ? 6 : 5}>{t('reports.targets.empty')}</EmptyRow>}
              {rows.map((r, i) => (
                <tr key={i} data-testid="target-row" data-metric={r.metric} data-scope={r.scope} data-scope-key={r.scopeKey}>
                  <td>
                    <select disabled={!canEdit} value={r.scope} data-testid={`target-scope-${i}`} onChange={(e) => set(i, { scope: val(e) as TargetScope, scopeKey: val(e) === 'seniority' ? 'senior' : val(e) === 'level' ? '1' : '' })}>
                      {SCOPES.map((s) => (
                        <option value={s} key={s}>
                          {t(`reports.scope.${s}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {r.scope === 'seniority' ? (
                      <select disabled={!canEdit} value={r.scopeKey} onChange={(e) => set(i, { scopeKey: val(e) })}>
                        <option value="senior">{t('reports.seniority.senior')}</option>
                        <option value="junior">{t('reports.seniority.junior')}</option>
                      </select>
                    ) : r.scope === 'center' ? (
                      <span class="reports-muted">—</span>
                    ) : (
                      <input disabled={!canEdit} value={r.scopeKey} data-testid={`target-key-${i}`} size={10} onInput={(e) => set(i, { scopeKey: val(e) })} />
                    )}
                    {fe(`${i}.scopeKey`)}
                  </td>
                  <td>
                    <select disabled={!canEdit} value={r.metric} onChange={(e) => set(i, { metric: val(e) as TargetMetric })}>
                      {TARGET_METRIC_LIST.map((m) => (
                        <option value={m} key={m}>
                          {t(kpiLabel(m))}
                        </option>
                      ))}
                    </select>
                    {fe(`${i}.metric`)}
                  </td>
                  <td>
                    <select disabled={!canEdit} value={r.op} onChange={(e) => set(i, { op: val(e) as 'min' | 'max' })}>
                      <option value="min">{t('reports.op.min')}</option>
                      <option value="max">{t('reports.op.max')}</option>
                    </select>
                  </td>
                  <td class="nowrap">
                    <input disabled={!canEdit} value={r.value} data-testid={`target-value-${i}`} size={8} inputMode="decimal" onInput={(e) => set(i, { value: val(e) })} />{' '}
                    {t(PCT_METRICS.has(r.metric) ? 'reports.unit.percent' : 'reports.unit.seconds')}
                    {fe(`${i}.value`)}
                  </td>
                  {canEdit && (
                    <td>
                      <button type="button" class="btn btn-secondary btn-small" onClick={() => setRows((l) => l.filter((_, j) => j !== i))}>
                        {t('reports.targets.remove')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {canEdit && (
          <div class="card-body reports-actions">
            <button type="button" class="btn btn-secondary" data-testid="targets-add" onClick={() => setRows((l) => [...l, { scope: 'team', scopeKey: '', metric: 'answerRate', op: 'min', value: '' }])}>
              {t('reports.targets.add')}
            </button>
            <button type="button" class="btn btn-primary" data-testid="targets-save" onClick={() => void save()}>
              {t('reports.targets.save')}
            </button>
          </div>
        )}
      </div>
      <SettingsCard canEdit={canEdit} onSaved={onSettings} />
    </>
  );
}

function SettingsCard({ canEdit, onSaved }: { canEdit: boolean; onSaved: (p: ReportParams) => void }) {
  const { t } = useI18n();
  const [f, setF] = useState<{ timeZone: string; sl: string; short: string; flag: string } | null>(null);
  const [errs, setErrs] = useState<FieldErrors>({});
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    void reportsApi.settings().then(
      (p) => setF({ timeZone: p.timeZone, sl: String(p.serviceLevelSeconds), short: String(p.shortAbandonSeconds), flag: String(+(p.flagBelowTeamShare * 100).toFixed(4)) }),
      (e) => setErr(describeError(t, e)),
    );
  }, [t]);
  if (!f) return err ? <Alert kind="error">{err}</Alert> : null;
  const int = (s: string, min: number, max: number) => /^\d+$/.test(s.trim()) && Number(s) >= min && Number(s) <= max;
  const save = async () => {
    setNote(null);
    setErr(null);
    const e: FieldErrors = {};
    if (!validTimeZone(f.timeZone.trim())) e.timeZone = t('reports.err.timeZone');
    if (!int(f.sl, 1, 3600)) e.serviceLevelSeconds = t('reports.err.range', { min: 1, max: 3600 });
    if (!int(f.short, 0, 120)) e.shortAbandonSeconds = t('reports.err.range', { min: 0, max: 120 });
    const flag = Number(f.flag);
    if (f.flag.trim() === '' || !Number.isFinite(flag) || flag < 0 || flag > 100) e.flagBelowTeamShare = t('reports.err.percent');
    setErrs(e);
    if (Object.keys(e).length) return;
    try {
      const p = await reportsApi.saveSettings({ timeZone: f.timeZone.trim(), serviceLevelSeconds: Number(f.sl), shortAbandonSeconds: Number(f.short), flagBelowTeamShare: flag / 100 });
      onSaved(p);
      setNote(t('reports.settings.saved'));
    } catch (x) {
      // Server validation names the field (schema errors, invalid_settings): show it there.
      if (x instanceof ApiRequestError && x.field) {
        const k = x.field.replace(/^\/?(body\/)?/, '').split(/[./]/)[0] ?? x.field;
        setErrs({ [k]: t('reports.err.server', { message: x.message }) });
      } else setErr(describeError(t, x));
    }
  };
  const field = (k: 'timeZone' | 'serviceLevelSeconds' | 'shortAbandonSeconds' | 'flagBelowTeamShare', label: MessageKey, v: string, on: (s: string) => void) => (
    <label class="reports-field">
      <span>{t(label)}</span>
      <input disabled={!canEdit} value={v} data-testid={`settings-${k}`} onInput={(e) => on(val(e))} />
      {errs[k] && (
        <span class="reports-field-error" data-testid={`settings-error-${k}`}>
          {errs[k]}
        </span>
      )}
    </label>
  );
  return (
    <div class="card">
      <div class="card-body">
        <h3 class="reports-h3">{t('reports.settings.title')}</h3>
        {err && <Alert kind="error">{err}</Alert>}
        {note && (
          <Alert kind="success">
            <span data-testid="settings-saved">{note}</span>
          </Alert>
        )}
        <div class="reports-controls">
          {field('timeZone', 'reports.settings.timeZone', f.timeZone, (s) => setF({ ...f, timeZone: s }))}
          {field('serviceLevelSeconds', 'reports.settings.sl', f.sl, (s) => setF({ ...f, sl: s }))}
          {field('shortAbandonSeconds', 'reports.settings.short', f.short, (s) => setF({ ...f, short: s }))}
          {field('flagBelowTeamShare', 'reports.settings.flag', f.flag, (s) => setF({ ...f, flag: s }))}
          {canEdit && (
            <button type="button" class="btn btn-primary" data-testid="settings-save" onClick={() => void save()}>
              {t('reports.settings.save')}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

// ---- kept reports ----

const KINDS: readonly RunKind[] = ['daily', 'weekly', 'monthly'];

function RunsTab() {
  const { t, lang } = useI18n();
  const [kind, setKind] = useState<RunKind | ''>('');
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [dimension, setDimension] = useState<Dimension>('agent');
  const [genKind, setGenKind] = useState<RunKind>('daily');
  const [genFrom, setGenFrom] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = useCallback(() => void reportsApi.runs(kind || undefined).then(setRuns, (e) => setErr(describeError(t, e))), [kind, t]);
  useEffect(load, [load]);
  const act = async (fn: () => Promise<string>) => {
    setErr(null);
    setNote(null);
    try {
      setNote(await fn());
      load();
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  return (
    <>
      {err && (
        <Alert kind="error" testId="runs-error">
          {err}
        </Alert>
      )}
      {note && (
        <Alert kind="success">
          <span data-testid="runs-note">{note}</span>
        </Alert>
      )}
      <div class="card">
        <div class="card-body">
          <h3 class="reports-h3">{t('reports.runs.title')}</h3>
          <p class="reports-muted">{t('reports.runs.hint')}</p>
          <div class="reports-controls">
            <label class="reports-field">
              <span>{t('reports.runs.kind')}</span>
              <select value={kind} data-testid="runs-kind" onChange={(e) => setKind(val(e) as RunKind | '')}>
                <option value="">{t('reports.runs.allKinds')}</option>
                {KINDS.map((k) => (
                  <option value={k} key={k}>
                    {t(`reports.runs.kind.${k}`)}
                  </option>
                ))}
              </select>
            </label>
            <label class="reports-field">
              <span>{t('reports.runs.dimension')}</span>
              <select value={dimension} data-testid="runs-dimension" onChange={(e) => setDimension(val(e) as Dimension)}>
                {DIMS.map((d) => (
                  <option value={d} key={d}>
                    {t(`reports.dim.${d}`)}
                  </option>
                ))}
              </select>
            </label>
            <span class="reports-grow" />
            <label class="reports-field">
              <span>{t('reports.runs.kind')}</span>
              <select value={genKind} data-testid="runs-gen-kind" onChange={(e) => setGenKind(val(e) as RunKind)}>
                {KINDS.map((k) => (
                  <option value={k} key={k}>
                    {t(`reports.runs.kind.${k}`)}
                  </option>
                ))}
              </select>
            </label>
            <label class="reports-field">
              <span>{t('reports.runs.generateFrom')}</span>
              <input type="date" value={genFrom} data-testid="runs-gen-from" onChange={(e) => setGenFrom(val(e))} />
            </label>
            <button
              type="button"
              class="btn btn-primary"
              data-testid="runs-generate"
              onClick={() =>
                void act(async () => {
                  const r = await reportsApi.generate(genKind, genFrom || undefined);
                  return t('reports.runs.generated.ok', { kind: t(`reports.runs.kind.${r.kind}`), from: r.from, to: r.to });
                })
              }
            >
              {t('reports.runs.generate')}
            </button>
          </div>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="runs-table">
            <thead>
              <tr>
                <th>{t('reports.runs.kind')}</th>
                <th>{t('reports.runs.periodCol')}</th>
                <th>{t('reports.runs.generated')}</th>
                <th>{t('reports.runs.trigger')}</th>
                <th>{t('reports.runs.published')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {runs.length === 0 && <EmptyRow cols={6}>{t('reports.runs.empty')}</EmptyRow>}
              {runs.map((r) => (
                <tr key={r.id} data-testid="run-row" data-id={r.id} data-kind={r.kind} data-from={r.from} data-published={String(r.publishedAt !== null)}>
                  <td>{t(`reports.runs.kind.${r.kind}`)}</td>
                  <td class="nowrap">{r.from === r.to ? r.from : `${r.from} – ${r.to}`}</td>
                  <td class="nowrap">{when(lang, r.generatedAt)}</td>
                  <td>{t(`reports.runs.trigger.${r.trigger}`)}</td>
                  <td>{r.publishedAt ? t('reports.runs.publishedBy', { by: r.publishedBy ?? '', at: when(lang, r.publishedAt) }) : <span class="reports-muted">{t('reports.runs.notPublished')}</span>}</td>
                  <td class="reports-actions">
                    <a class="btn btn-secondary btn-small" href={reportsApi.runUrl(r.id, dimension, 'csv', lang)} download data-testid="run-csv">
                      {t('reports.exportCsv')}
                    </a>
                    <a class="btn btn-secondary btn-small" href={reportsApi.runUrl(r.id, dimension, 'xlsx', lang)} download data-testid="run-xlsx">
                      {t('reports.exportXlsx')}
                    </a>
                    {!r.publishedAt && (
                      <button type="button" class="btn btn-primary btn-small" data-testid="run-publish" onClick={() => void act(async () => (await reportsApi.publish(r.id), t('reports.runs.published.ok')))}>
                        {t('reports.runs.publish')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

// ---- my figures (agents) ----

function MineTab() {
  const { t, lang } = useI18n();
  const [runs, setRuns] = useState<MyRun[] | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    void reportsApi.myRuns().then(setRuns, (e) => setErr(e instanceof ApiRequestError && e.status === 403 ? t('reports.mine.noAgent') : describeError(t, e)));
  }, [t]);
  const labelOf = useCallback((r: KpiRow) => r.label, []);
  return (
    <>
      <div class="card">
        <div class="card-body">
          <h3 class="reports-h3">{t('reports.mine.title')}</h3>
          <p class="reports-muted">{t('reports.mine.hint')}</p>
        </div>
      </div>
      {err && (
        <Alert kind="error" testId="mine-error">
          {err}
        </Alert>
      )}
      {runs && runs.length === 0 && (
        <Alert kind="info" testId="mine-empty">
          {t('reports.mine.empty')}
        </Alert>
      )}
      {runs?.map((r) => (
        <div class="card" key={r.id} data-testid="mine-run" data-id={r.id} data-kind={r.kind} data-from={r.from}>
          <div class="card-body reports-row-line">
            <h3 class="reports-h3">
              {t(`reports.runs.kind.${r.kind}`)} · {r.from === r.to ? r.from : `${r.from} – ${r.to}`}
            </h3>
            {r.publishedAt && <span class="reports-muted">{when(lang, r.publishedAt)}</span>}
          </div>
          {r.rows.length === 0 ? (
            <div class="card-body reports-muted">{t('reports.mine.noRows')}</div>
          ) : (
            <KpiTable rows={r.rows} labelOf={labelOf} testId="mine-table" />
          )}
          {r.days.length > 0 && (
            <div class="card-body">
              <h4 class="reports-h4">{t('reports.mine.days')}</h4>
              <table class="table reports-table" data-testid="mine-days">
                <thead>
                  <tr>
                    <th>{t('reports.daily.day')}</th>
                    <th class="num">{t('reports.daily.conv')}</th>
                    <th class="num">{t('reports.daily.convAvg')}</th>
                    <th class="num">{t('reports.daily.convShare')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.days.map((d) => (
                    <tr key={d.day} class={d.flagged ? 'daily-flagged' : ''}>
                      <td>{d.day}</td>
                      <td class="num">{formatValue(lang, 'int', d.conversations)}</td>
                      <td class="num">{formatValue(lang, 'int', d.teamAverageConversations)}</td>
                      <td class="num">{formatValue(lang, 'pct', d.shareOfTeamAverage)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ))}
    </>
  );
}
