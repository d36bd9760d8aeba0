// Monthly 100-point assessment (docs/qa-sampling.md): the month's scores with the
// retraining flags; managers run a month and set the weights; an agent sees their own.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { API_BASE, request } from '../../api.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';

interface Row { agentId: number; label: string; month: string; qaScore: number | null; kpiScore: number | null; attendanceScore: number | null; total: number; passed: boolean; flag: '' | 'below_60' | 'below_80_twice'; retraining: string | null }
interface Settings { weights: { qa: number; kpi: number; attendance: number }; expectedHoursPerDay: number; workingWeekdays: number[] }

const num = (v: number | null) => (v === null ? '—' : String(v));

export function AssessmentPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const isManager = user.roles.includes('admin') || user.roles.includes('manager');
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const [flagged, setFlagged] = useState(false);
  const [rows, setRows] = useState<Row[]>([]);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => setErr(describeError(t, e)), [t]);
  const load = useCallback(() => {
    setErr(null);
    request<{ rows: Row[] }>('GET', `/qa/assessments?month=${month}${flagged ? '&flagged=true' : ''}`).then((r) => setRows(r.rows), fail);
  }, [month, flagged, fail]);
  useEffect(load, [flagged]);
  useEffect(() => void (isManager && request<Settings>('GET', '/qa/assessments/settings').then(setSettings, fail)), [isManager, fail]);
  const run = () =>
    request<{ rows: Row[] }>('POST', '/qa/assessments/run', { month }).then((r) => {
      setNote(t('qa.as.ran', { n: r.rows.length }));
      load();
    }, fail);
  const save = () => settings && request<Settings>('PUT', '/qa/assessments/settings', settings).then((s) => (setSettings(s), setNote(t('qa.as.saved'))), fail);
  const setW = (k: keyof Settings['weights'], v: string) => settings && setSettings({ ...settings, weights: { ...settings.weights, [k]: Number(v) } });
  return (
    <div data-testid="qa-assessment-page">
      <PageHeader title={t('qa.as.title')} subtitle={t('qa.as.subtitle')} />
      <div class="tk-filters">
        <label>{t('qa.as.month')} <input type="month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} /></label>
        <label><input type="checkbox" checked={flagged} onChange={(e) => setFlagged((e.target as HTMLInputElement).checked)} /> {t('qa.as.flaggedOnly')}</label>
        <button type="button" class="btn btn-secondary btn-small" onClick={load} data-testid="as-show">{t('qa.as.show')}</button>
        {isManager && <button type="button" class="btn btn-primary btn-small" onClick={run} data-testid="as-run">{t('qa.as.run')}</button>}
        <a class="btn btn-secondary btn-small" href={`${API_BASE}/qa/assessments?month=${month}&format=csv&lang=${lang}`} download>{t('qr.exportCsv')}</a>
        <a class="btn btn-secondary btn-small" href={`${API_BASE}/qa/assessments?month=${month}&format=xlsx&lang=${lang}`} download>{t('qr.exportXlsx')}</a>
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      {note && <Alert kind="success">{note}</Alert>}
      <table class="table" data-testid="as-table">
        <thead>
          <tr><th>{t('qa.as.col.agent')}</th><th>{t('qa.as.col.month')}</th><th>{t('qa.as.col.qa')}</th><th>{t('qa.as.col.kpi')}</th><th>{t('qa.as.col.attendance')}</th><th>{t('qa.as.col.total')}</th><th>{t('qa.as.col.result')}</th><th>{t('qa.as.col.flag')}</th><th>{t('qa.as.col.retraining')}</th></tr>
        </thead>
        <tbody>
          {rows.length === 0 && <EmptyRow cols={9}>{t('qa.as.empty')}</EmptyRow>}
          {rows.map((r) => (
            <tr key={`${r.agentId}-${r.month}`} data-testid="as-row">
              <td>{r.label}</td><td>{r.month}</td><td>{num(r.qaScore)}</td><td>{num(r.kpiScore)}</td><td>{num(r.attendanceScore)}</td>
              <td><strong>{r.total}</strong></td>
              <td>{r.passed ? t('qa.as.passed') : <span class="text-danger">{t('qa.as.failed')}</span>}</td>
              <td>{r.flag ? <strong class="text-danger">{t(`qa.as.flag.${r.flag}`)}</strong> : ''}</td>
              <td>{r.retraining ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {isManager && settings && (
        <fieldset class="form-grid" data-testid="as-settings">
          <legend>{t('qa.as.settings')}</legend>
          <label>{t('qa.as.wQa')}<input type="number" min={0} max={100} value={settings.weights.qa} onInput={(e) => setW('qa', (e.target as HTMLInputElement).value)} /></label>
          <label>{t('qa.as.wKpi')}<input type="number" min={0} max={100} value={settings.weights.kpi} onInput={(e) => setW('kpi', (e.target as HTMLInputElement).value)} /></label>
          <label>{t('qa.as.wAtt')}<input type="number" min={0} max={100} value={settings.weights.attendance} onInput={(e) => setW('attendance', (e.target as HTMLInputElement).value)} /></label>
          <label>{t('qa.as.hours')}<input type="number" min={1} max={24} step={0.5} value={settings.expectedHoursPerDay} onInput={(e) => setSettings({ ...settings, expectedHoursPerDay: Number((e.target as HTMLInputElement).value) })} /></label>
          <button type="button" class="btn btn-primary" onClick={save} data-testid="as-save">{t('qa.as.save')}</button>
        </fieldset>
      )}
    </div>
  );
}
