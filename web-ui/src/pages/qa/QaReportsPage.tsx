// QA reports (docs/qa-sampling.md): per agent / team / reviewer, failure rate per agent per
// day (>= 30 % flagged), most-failed items; each table exports as CSV or XLSX.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { API_BASE, request } from '../../api.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';

interface Group { key: string; label: string; evaluations: number; averageScore: number | null; failures: number; failureRate: number | null }
interface Report {
  agents: Group[];
  teams: Group[];
  reviewers: Group[];
  agentDays: Array<{ day: string; agentId: number; label: string; evaluations: number; failures: number; failureRate: number; flagged: boolean }>;
  items: Array<{ key: string; label: string; failures: number; share: number }>;
}

const pct = (v: number | null) => (v === null ? '' : `${(v * 100).toFixed(1)} %`);
const today = () => new Date().toISOString().slice(0, 10);

export function QaReportsPage(_props: { user: User }) {
  const { t, lang } = useI18n();
  const [from, setFrom] = useState(`${today().slice(0, 7)}-01`);
  const [to, setTo] = useState(today());
  const [rep, setRep] = useState<Report | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const load = useCallback(() => {
    setErr(null);
    request<Report>('GET', `/qa/reports?from=${from}&to=${to}`).then(setRep, (e: unknown) => setErr(describeError(t, e)));
  }, [from, to, t]);
  useEffect(load, []);
  const url = (section: string, format: 'csv' | 'xlsx') => `${API_BASE}/qa/reports?from=${from}&to=${to}&section=${section}&format=${format}&lang=${lang}`;
  const exports = (section: string) => (
    <span class="reports-actions">
      <a class="btn btn-secondary btn-small" href={url(section, 'csv')} download data-testid={`qr-${section}-csv`}>{t('qr.exportCsv')}</a>
      <a class="btn btn-secondary btn-small" href={url(section, 'xlsx')} download data-testid={`qr-${section}-xlsx`}>{t('qr.exportXlsx')}</a>
    </span>
  );
  const groupTable = (section: 'agents' | 'teams' | 'reviewers', title: MessageKey) => (
    <section>
      <h2>{t(title)} {exports(section)}</h2>
      <table class="table" data-testid={`qr-${section}`}>
        <thead><tr><th>{t('qr.col.name')}</th><th>{t('qr.col.evaluations')}</th><th>{t('qr.col.avg')}</th><th>{t('qr.col.failures')}</th><th>{t('qr.col.failureRate')}</th></tr></thead>
        <tbody>
          {rep![section].length === 0 && <EmptyRow cols={5}>{t('qr.empty')}</EmptyRow>}
          {rep![section].map((g) => (
            <tr key={g.key}><td>{g.label}</td><td>{g.evaluations}</td><td>{g.averageScore ?? ''}</td><td>{g.failures}</td><td>{pct(g.failureRate)}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
  return (
    <div data-testid="qa-reports-page">
      <PageHeader title={t('qr.title')} subtitle={t('qr.subtitle')} />
      <div class="tk-filters">
        <label>{t('qr.from')} <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
        <label>{t('qr.to')} <input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
        <button type="button" class="btn btn-primary btn-small" onClick={load} data-testid="qr-show">{t('qr.show')}</button>
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      {rep && (
        <>
          {groupTable('agents', 'qr.agents')}
          {groupTable('teams', 'qr.teams')}
          {groupTable('reviewers', 'qr.reviewers')}
          <section>
            <h2>{t('qr.agentDays')} {exports('agentDays')}</h2>
            <table class="table" data-testid="qr-agentDays">
              <thead><tr><th>{t('qr.col.day')}</th><th>{t('qr.col.name')}</th><th>{t('qr.col.evaluations')}</th><th>{t('qr.col.failures')}</th><th>{t('qr.col.failureRate')}</th><th>{t('qr.col.flag')}</th></tr></thead>
              <tbody>
                {rep.agentDays.length === 0 && <EmptyRow cols={6}>{t('qr.empty')}</EmptyRow>}
                {rep.agentDays.map((d) => (
                  <tr key={`${d.day}-${d.agentId}`} class={d.flagged ? 'row-flagged' : ''}>
                    <td>{d.day}</td><td>{d.label}</td><td>{d.evaluations}</td><td>{d.failures}</td><td>{pct(d.failureRate)}</td><td>{d.flagged ? <strong class="text-danger">{t('qr.flagged')}</strong> : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>{t('qr.items')} {exports('items')}</h2>
            <table class="table" data-testid="qr-items">
              <thead><tr><th>{t('qr.col.item')}</th><th>{t('qr.col.failures')}</th><th>{t('qr.col.share')}</th></tr></thead>
              <tbody>
                {rep.items.length === 0 && <EmptyRow cols={3}>{t('qr.empty')}</EmptyRow>}
                {rep.items.map((i) => <tr key={i.key}><td>{i.label}</td><td>{i.failures}</td><td>{pct(i.share)}</td></tr>)}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
