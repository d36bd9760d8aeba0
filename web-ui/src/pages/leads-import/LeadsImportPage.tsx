// Outbound → Import: choose campaign and source, upload a lead file, preview it (encoding,
// header, editable column mapping, first rows), read the exact report of what would be refused
// and why (line, reason), choose the mode, import with a progress bar, see the result.
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiRequestError } from '../../api.js';
import { Alert } from '../../components/Alert.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { formatTime } from '../../format.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { ProgressBar } from '../system/update/UpdatePage.js';
import {
  leadsImportApi,
  TARGETS,
  type CampaignOption,
  type ColumnMapping,
  type FieldTarget,
  type ImportMode,
  type ImportReport,
  type JobSummary,
  type LeadsImportProgress,
  type Preview,
} from './leads-import-api.js';
import '../system/system.css';
import './leads-import.css';
import { EmptyRow } from '../../components/EmptyRow.js';

const ROLES = ['admin', 'manager', 'data_manager'];
/** Refusal codes (leads/import/phone.ts, parse.ts, import-service.ts) in the user's language; the reason text keeps the exact value. */
const CODE_LABELS: Record<string, MessageKey> = {
  missing_phone: 'leadsImport.code.missing_phone',
  invalid_phone: 'leadsImport.code.invalid_phone',
  scientific_notation: 'leadsImport.code.scientific_notation',
  leading_zero_lost: 'leadsImport.code.leading_zero_lost',
  missing_area_code: 'leadsImport.code.missing_area_code',
  foreign_number: 'leadsImport.code.foreign_number',
  extension_on_mobile: 'leadsImport.code.extension_on_mobile',
  broken_row: 'leadsImport.code.broken_row',
  duplicate_in_file: 'leadsImport.code.duplicate_in_file',
  duplicate_in_campaign: 'leadsImport.code.duplicate_in_campaign',
  do_not_call: 'leadsImport.code.do_not_call',
};

export function LeadsImportPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const allowed = user.roles.some((r) => ROLES.includes(r));
  const [campaigns, setCampaigns] = useState<CampaignOption[]>([]);
  const [sources, setSources] = useState<string[]>([]);
  const [campaignId, setCampaignId] = useState<number | null>(null);
  const [source, setSource] = useState('');
  const [areaCode, setAreaCode] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [uploadPct, setUploadPct] = useState<{ sent: number; total: number } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [mode, setMode] = useState<ImportMode>('all_or_nothing');
  const [progress, setProgress] = useState<LeadsImportProgress | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [jobs, setJobs] = useState<JobSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const errorText = useCallback(
    (e: unknown) => (e instanceof ApiRequestError && (e.code === 'unreadable_file' || e.code === 'no_phone_column' || e.code === 'bad_mapping') ? t('leadsImport.error.unreadable', { message: e.message }) : describeError(t, e)),
    [t],
  );
  const load = useCallback(async () => {
    try {
      const [cs, ss, js] = await Promise.all([leadsImportApi.campaigns(), leadsImportApi.sources(), leadsImportApi.jobs()]);
      setCampaigns(cs);
      setSources(ss.map((s) => s.source));
      setJobs(js);
      setCampaignId((id) => id ?? cs[0]?.id ?? null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [errorText]);
  useEffect(() => {
    if (allowed) void load();
  }, [allowed, load]);
  useLiveMessages((m) => {
    if (m.type === 'leads.import.progress' && preview && m.data.uploadId === preview.upload.id) setProgress(m.data);
  });

  if (!allowed) {
    return (
      <div class="page">
        <PageHeader title={t('leadsImport.title')} />
        <Alert kind="info">{t('system.adminOnly')}</Alert>
      </div>
    );
  }

  const run = async (fn: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const doUpload = () =>
    run(async () => {
      if (!file || campaignId === null) return;
      if (!source.trim()) {
        setError(t('leadsImport.needSource'));
        return;
      }
      setResult(null);
      setProgress(null);
      setPreview(null);
      const up = await leadsImportApi.upload(file, (sent, total) => setUploadPct({ sent, total }));
      setUploadPct(null);
      const p = await leadsImportApi.preview(up.id, { source: source.trim(), campaignId, ...(areaCode ? { defaultAreaCode: areaCode } : {}) });
      setPreview(p);
      setMapping(p.mapping);
      if (p.defaultAreaCode && !areaCode) setAreaCode(p.defaultAreaCode);
    });

  const recheck = () =>
    run(async () => {
      if (!preview || campaignId === null) return;
      const p = await leadsImportApi.preview(preview.upload.id, { source: source.trim(), campaignId, mapping, defaultAreaCode: areaCode || null });
      setPreview(p);
      setMapping(p.mapping);
    });

  const doImport = () =>
    run(async () => {
      if (!preview || campaignId === null) return;
      setProgress({ uploadId: preview.upload.id, phase: 'reading', done: 0, total: preview.report.rows, jobId: null });
      const r = await leadsImportApi.importUpload(preview.upload.id, { campaignId, source: source.trim(), mode, mapping, defaultAreaCode: areaCode || null });
      setResult(r);
      if (r.status === 'imported') setPreview(null);
      await load();
    });

  const discard = () =>
    run(async () => {
      if (!preview) return;
      await leadsImportApi.discard(preview.upload.id);
      setPreview(null);
      setResult(null);
    });

  const phonesMapped = Object.values(mapping).filter((v) => v === 'phone').length;
  const working = progress && !['done', 'refused', 'failed'].includes(progress.phase);
  return (
    <div class="page li-page" data-testid="leads-import-page">
      <PageHeader title={t('leadsImport.title')} subtitle={t('leadsImport.subtitle')} />
      {error && (
        <Alert kind="error" testId="leads-import-error">
          {error}
        </Alert>
      )}

      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('leadsImport.step.file')}</h2>
          <a class="btn btn-small btn-ghost" href={leadsImportApi.sampleUrl} download data-testid="leads-import-sample">
            <Icon name="package" size={14} />
            {t('leadsImport.sample')}
          </a>
        </div>
        <div class="card-body li-form">
          {campaigns.length === 0 ? (
            <Alert kind="info" testId="leads-import-no-campaign">
              {t('leadsImport.campaignNone')}
            </Alert>
          ) : (
            <div class="field field-narrow">
              <label for="li-campaign">{t('leadsImport.campaign')}</label>
              <select id="li-campaign" data-testid="leads-import-campaign" value={campaignId ?? ''} onChange={(e) => setCampaignId(Number((e.currentTarget as HTMLSelectElement).value))}>
                {campaigns.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.leads})
                  </option>
                ))}
              </select>
            </div>
          )}
          <div class="field field-narrow">
            <label for="li-source">{t('leadsImport.source')}</label>
            <input id="li-source" list="li-sources" data-testid="leads-import-source" value={source} maxLength={64} onInput={(e) => setSource((e.currentTarget as HTMLInputElement).value)} />
            <datalist id="li-sources">
              {sources.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
            <span class="field-hint">{t('leadsImport.sourceHint')}</span>
          </div>
          <div class="field field-narrow">
            <label for="li-area">{t('leadsImport.areaCode')}</label>
            <input id="li-area" class="mono" data-testid="leads-import-area-code" value={areaCode} maxLength={4} placeholder="0755" onInput={(e) => setAreaCode((e.currentTarget as HTMLInputElement).value.trim())} />
            <span class="field-hint">{t('leadsImport.areaCodeHint')}</span>
          </div>
          <div class="field">
            <label for="li-file">{t('leadsImport.file')}</label>
            <input id="li-file" type="file" accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" data-testid="leads-import-file" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
            <span class="field-hint">{t('leadsImport.fileHint')}</span>
          </div>
          <div class="sys-row">
            <button type="button" class="btn btn-primary" disabled={!file || campaignId === null || busy} onClick={() => void doUpload()} data-testid="leads-import-upload">
              <Icon name="package" size={16} />
              {t('leadsImport.upload')}
            </button>
          </div>
          {uploadPct && <ProgressBar done={uploadPct.sent} total={uploadPct.total} />}
        </div>
      </div>

      {preview && (
        <div class="card" data-testid="leads-import-preview">
          <div class="card-head">
            <h2 class="card-title">{t('leadsImport.step.preview')}</h2>
          </div>
          <div class="card-body">
            <div class="kv li-facts">
              <span class="muted">{t('leadsImport.encoding')}</span>
              <span class="mono" data-testid="leads-import-encoding">
                {preview.kind === 'xlsx' ? t('leadsImport.kind.xlsx') : preview.encoding.toUpperCase()}
              </span>
              <span class="muted">{t('leadsImport.headerLine')}</span>
              <span>{preview.headerLine ?? t('leadsImport.noHeader')}</span>
            </div>
            <p class="muted small">{t(`leadsImport.mappingFrom.${preview.mappingFrom}` as MessageKey)}</p>
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th>{t('leadsImport.column')}</th>
                    <th>{t('leadsImport.target')}</th>
                    <th>{t('leadsImport.example')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.columns.map((col, i) => (
                    <tr key={col}>
                      <td>{col}</td>
                      <td>
                        <select data-testid={`leads-import-map-${i}`} value={mapping[col] ?? 'field'} onChange={(e) => setMapping({ ...mapping, [col]: (e.currentTarget as HTMLSelectElement).value as FieldTarget })}>
                          {TARGETS.map((tg) => (
                            <option key={tg} value={tg}>
                              {t(`leadsImport.target.${tg}` as MessageKey)}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td class="muted small">{preview.sample.slice(0, 3).map((r) => r.cells[i]).filter(Boolean).join(' · ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="sys-row li-actions">
              <button type="button" class="btn btn-secondary" disabled={busy || phonesMapped !== 1} onClick={() => void recheck()} data-testid="leads-import-recheck">
                <Icon name="refresh" size={16} />
                {t('leadsImport.recheck')}
              </button>
            </div>
            <details class="li-sample">
              <summary>{t('leadsImport.firstRows', { n: preview.sample.length })}</summary>
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr>
                      <th class="num">{t('leadsImport.line')}</th>
                      {preview.columns.map((c) => (
                        <th key={c}>{c}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {preview.sample.map((r) => (
                      <tr key={r.line}>
                        <td class="num">{r.line}</td>
                        {r.cells.map((c, i) => (
                          <td key={i}>{c}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </div>
        </div>
      )}

      {preview && (
        <div class="card" data-testid="leads-import-report">
          <div class="card-head">
            <h2 class="card-title">{t('leadsImport.step.report')}</h2>
          </div>
          <div class="card-body">
            <div class="tiles li-tiles">
              <Count label={t('leadsImport.count.rows')} value={preview.report.rows} testId="leads-import-count-rows" />
              <Count label={t('leadsImport.count.valid')} value={preview.report.valid - (preview.campaign?.duplicates ?? 0) - (preview.campaign?.dnc ?? 0)} testId="leads-import-count-valid" tone="green" />
              <Count label={t('leadsImport.count.duplicates')} value={preview.report.duplicates} testId="leads-import-count-duplicates" tone="amber" />
              <Count label={t('leadsImport.count.invalid')} value={preview.report.invalid.length} testId="leads-import-count-invalid" tone="red" />
              <Count label={t('leadsImport.count.campaignDuplicates')} value={preview.campaign?.duplicates ?? 0} testId="leads-import-count-campaign" tone="amber" />
              <Count label={t('leadsImport.count.dnc')} value={preview.campaign?.dnc ?? 0} testId="leads-import-count-dnc" tone="red" />
            </div>
            <h3 class="li-subtitle">{preview.refused.length > 0 ? t('leadsImport.refused.title', { n: preview.refused.length }) : t('leadsImport.refused.none')}</h3>
            {preview.refused.length > 0 && <RefusedTable rows={preview.refused} />}
            <fieldset class="li-mode">
              <legend>{t('leadsImport.mode')}</legend>
              <label>
                <input type="radio" name="li-mode" checked={mode === 'all_or_nothing'} onChange={() => setMode('all_or_nothing')} data-testid="leads-import-mode-all" /> {t('leadsImport.mode.all')}
              </label>
              <label>
                <input type="radio" name="li-mode" checked={mode === 'valid_only'} onChange={() => setMode('valid_only')} data-testid="leads-import-mode-valid" /> {t('leadsImport.mode.valid')}
              </label>
            </fieldset>
            <div class="sys-row li-actions">
              <button type="button" class="btn btn-primary" disabled={busy || phonesMapped !== 1} onClick={() => void doImport()} data-testid="leads-import-go">
                <Icon name="check" size={16} />
                {t('leadsImport.go')}
              </button>
              <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => void discard()} data-testid="leads-import-discard">
                {t('leadsImport.discard')}
              </button>
            </div>
          </div>
        </div>
      )}

      {progress && (working || busy) && (
        <div class="card">
          <div class="card-body sys-progress-block" data-testid="leads-import-progress">
            <span class="muted small">{t('leadsImport.progress', { phase: t(`leadsImport.phase.${progress.phase}` as MessageKey) })}</span>
            <ProgressBar done={progress.phase === 'writing' ? progress.total : progress.done} total={progress.total} />
          </div>
        </div>
      )}

      {result && (
        <div class="card" data-testid="leads-import-result">
          <div class="card-body">
            <Alert kind={result.status === 'imported' ? 'success' : result.status === 'refused' ? 'warning' : 'error'} testId={`leads-import-result-${result.status}`}>
              {result.status === 'imported'
                ? t('leadsImport.result.imported', { n: result.imported, list: result.listId ?? '-' })
                : result.status === 'refused'
                  ? t('leadsImport.result.refused', { n: result.refused.length })
                  : t('leadsImport.result.failed', { error: result.error ?? '' })}
            </Alert>
            {result.refused.length > 0 && (
              <>
                <div class="sys-row li-actions">
                  <a class="btn btn-small btn-secondary" href={leadsImportApi.refusedCsvUrl(result.jobId)} download data-testid="leads-import-refused-csv">
                    {t('leadsImport.downloadRefused')}
                  </a>
                </div>
                <RefusedTable rows={result.refused} />
              </>
            )}
          </div>
        </div>
      )}

      <div class="card">
        <div class="card-head">
          <h2 class="card-title">{t('leadsImport.history')}</h2>
        </div>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t('leadsImport.col.time')}</th>
                <th>{t('leadsImport.col.file')}</th>
                <th>{t('leadsImport.source')}</th>
                <th>{t('leadsImport.col.status')}</th>
                <th class="num">{t('leadsImport.count.rows')}</th>
                <th class="num">{t('leadsImport.col.imported')}</th>
                <th class="num">{t('leadsImport.col.refused')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.length === 0 && <EmptyRow cols={8}>{t('leadsImport.historyEmpty')}</EmptyRow>}
              {jobs.map((j) => (
                <tr key={j.jobId} data-testid="leads-import-job">
                  <td class="num">{formatTime(lang, j.createdAt)}</td>
                  <td>{j.fileName}</td>
                  <td>{j.source}</td>
                  <td>
                    <span class={`badge ${j.status === 'imported' ? 'badge-green' : j.status === 'refused' ? 'badge-amber' : 'badge-red'}`}>{t(`leadsImport.status.${j.status}` as MessageKey)}</span>
                  </td>
                  <td class="num">{j.rows}</td>
                  <td class="num">{j.imported}</td>
                  <td class="num">{j.refusedCount}</td>
                  <td>
                    {j.refusedCount > 0 && (
                      <a href={leadsImportApi.refusedCsvUrl(j.jobId)} download>
                        {t('leadsImport.csv')}
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

function Count({ label, value, testId, tone = 'blue' }: { label: string; value: number; testId: string; tone?: string }) {
  return (
    <div class="tile">
      <div class="tile-body">
        <div class="tile-label">{label}</div>
        <div class={`tile-value tnum li-tone-${tone}`} data-testid={testId}>
          {value}
        </div>
      </div>
    </div>
  );
}

function RefusedTable({ rows }: { rows: Array<{ line: number; code: string; reason: string }> }) {
  const { t } = useI18n();
  return (
    <div class="table-wrap li-refused">
      <table class="table">
        <thead>
          <tr>
            <th class="num">{t('leadsImport.line')}</th>
            <th>{t('leadsImport.problem')}</th>
            <th>{t('leadsImport.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 1000).map((r) => (
            <tr key={`${r.line}-${r.code}`} data-testid="leads-import-refused-row" data-line={r.line} data-code={r.code}>
              <td class="num">{r.line}</td>
              <td class="li-code">{CODE_LABELS[r.code] ? t(CODE_LABELS[r.code]!) : r.code}</td>
              <td class="mono small">{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 1000 && <p class="muted small">{t('leadsImport.refused.more', { shown: 1000, n: rows.length })}</p>}
    </div>
  );
}
