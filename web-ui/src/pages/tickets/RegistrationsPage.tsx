// Registrations / orders (注册) for team leads and managers: per campaign and date range, the
// values of the campaign's form as columns, CSV/XLSX export. Agents see their own.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { outboundApi, type CampaignInfo } from '../outbound/outbound-api.js';
import { recordsApi, type FormField, type Registration } from '../desk/records/records-api.js';
import '../desk/records/records.css';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? '✓' : '') : String(v));

export function RegistrationsPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const [campaigns, setCampaigns] = useState<CampaignInfo[]>([]);
  const [campaignId, setCampaignId] = useState<number | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<Registration[]>([]);
  const [total, setTotal] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const lead = user.roles.some((r) => r === 'team_lead' || r === 'manager' || r === 'admin');

  useEffect(() => {
    outboundApi.campaigns().then(
      (cs) => {
        setCampaigns(cs);
        if (cs.length && campaignId === null) setCampaignId(cs[0]!.id);
      },
      (e) => setErr(describeError(t, e)),
    );
  }, []);
  const q = { ...(campaignId !== null ? { campaignId } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const load = useCallback(() => {
    if (campaignId === null) return;
    recordsApi.registrations(q).then(
      (r) => (setRows(r.registrations), setTotal(r.total), setErr(null)),
      (e) => setErr(describeError(t, e)),
    );
  }, [campaignId, from, to, t]);
  useEffect(load, [load]);

  const campaign = campaigns.find((c) => c.id === campaignId);
  const fields: FormField[] = campaign?.settings.registrationForm.fields ?? [];
  const label = (f: FormField) => (lang === 'zh-CN' ? f.labelZh : f.labelEn);
  return (
    <div data-testid="registrations-page">
      <PageHeader
        title={t('regs.title')}
        subtitle={t('regs.subtitle')}
        actions={
          lead &&
          campaignId !== null && (
            <>
              <a class="btn btn-secondary btn-small" href={recordsApi.registrationsExportUrl(q, 'csv')} data-testid="regs-export-csv">
                {t('tickets.export.csv')}
              </a>
              <a class="btn btn-secondary btn-small" href={recordsApi.registrationsExportUrl(q, 'xlsx')} data-testid="regs-export-xlsx">
                {t('tickets.export.xlsx')}
              </a>
            </>
          )
        }
      />
      <div class="tk-filters">
        <label class="field">
          <span>{t('regs.campaign')}</span>
          <select value={campaignId ?? ''} onChange={(e) => setCampaignId(Number((e.target as HTMLSelectElement).value))} data-testid="regs-campaign">
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('regs.from')}</span>
          <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} data-testid="regs-from" />
        </label>
        <label class="field">
          <span>{t('regs.to')}</span>
          <input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} data-testid="regs-to" />
        </label>
        <span class="count-pill">{total}</span>
      </div>
      {err && <Alert kind="error">{err}</Alert>}
      <div class="card table-wrap">
        <table class="table" data-testid="regs-table">
          <thead>
            <tr>
              <th>{t('regs.col.at')}</th>
              <th>{t('regs.col.agent')}</th>
              <th>{t('regs.col.lead')}</th>
              {fields.map((f) => (
                <th key={f.key}>{label(f)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <EmptyRow cols={3 + fields.length}>{t('regs.empty')}</EmptyRow>
            ) : (
              rows.map((r) => (
                <tr key={r.id} data-testid={`reg-row-${r.id}`}>
                  <td>{when(r.at)}</td>
                  <td>{r.agentName ?? r.username ?? ''}</td>
                  <td>{r.leadId ?? ''}</td>
                  {fields.map((f) => {
                    const v = r.values[f.key];
                    const opt = f.type === 'select' ? f.options?.find((o) => o.value === v) : undefined;
                    return <td key={f.key}>{opt ? (lang === 'zh-CN' ? opt.labelZh : opt.labelEn) : cell(v)}</td>;
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
