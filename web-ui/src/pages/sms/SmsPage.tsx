// Outbound → SMS: the GSM modem card (state, operator, signal, last problem; live sms.modem
// frames), bulk send with a dry run, sample and live progress (sms.progress) and stop, templates
// per campaign with a live length counter (the server's own PDU codec), outbox, inbox (opt-outs)
// and the modem settings.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { smsInfo } from '../../../../firmware-agent/src/sms/pdu.js';
import { Alert } from '../../components/Alert.js';
import { EmptyRow } from '../../components/EmptyRow.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey, type TFunction } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { outboundApi, type CampaignInfo } from '../outbound/outbound-api.js';
import { canManageSms, canSettings, smsApi, type BulkPreview, type Masked, type ModemStatus, type SmsBatch, type SmsInboxItem, type SmsMessage, type SmsSettings, type SmsTemplate, type TemplateInput } from './sms-api.js';
import './sms.css';

type Tab = 'send' | 'templates' | 'outbox' | 'inbox' | 'settings';
type Act = (fn: () => Promise<unknown>, ok?: string | ((r: any) => string)) => Promise<void>;
const str = (e: Event) => (e.target as HTMLInputElement).value;
const when = (lang: string, iso: string | null) => (iso ? new Date(iso).toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }) : '—');
const STATE_TONE: Record<string, string> = { ready: 'green', no_sim: 'red', no_network: 'amber', disconnected: 'red', error: 'red', closed: 'slate', opening: 'blue', initializing: 'blue' };
const MSG_TONE: Record<string, string> = { queued: 'slate', sending: 'blue', sent: 'blue', delivered: 'green', failed: 'red', skipped: 'slate' };
const MSG_STATES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'skipped'] as const;
const LEAD_STATUSES = ['new', 'retry', 'callback', 'done'] as const;

/** A reason code in words: known codes translated, "cms:500" / "report:45" / "retry:…" shown as they are. */
function reasonText(t: TFunction, reason: string | null): string {
  if (!reason) return '';
  const base = reason.startsWith('missing:') ? 'missing_field' : reason;
  const key = `sms.reason.${base}` as MessageKey;
  const s = t(key);
  return s === key ? reason : reason.startsWith('missing:') ? `${s} (${reason.slice(8)})` : s;
}

export function SmsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>('send');
  const [modem, setModem] = useState<{ modem: ModemStatus; queued: number; ratePerMinute: number; demo: boolean } | null>(null);
  const [campaigns, setCampaigns] = useState<CampaignInfo[]>([]);
  const [campaignId, setCampaignId] = useState<number | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<number, { total: number; sent: number; failed: number; skipped: number; state: string }>>({});

  const loadModem = useCallback(() => void smsApi.modem().then(setModem, (e) => setErr(describeError(t, e))), [t]);
  const modemReload = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    loadModem();
    void outboundApi.campaigns().then(
      (l) => {
        const open = l.filter((c) => c.status !== 'ended' && c.status !== 'destroyed');
        setCampaigns(open);
        if (open[0]) setCampaignId((id) => id ?? open[0]!.id);
      },
      (e) => setErr(describeError(t, e)),
    );
  }, [loadModem, t]);
  useLiveMessages((msg) => {
    if (msg.type === 'sms.modem') setModem((m) => (m ? { ...m, modem: { ...m.modem, state: msg.data.state as ModemStatus['state'], operator: msg.data.operator, signal: msg.data.signal, error: msg.data.error } } : m));
    else if (msg.type === 'sms.progress') {
      setProgress((p) => ({ ...p, [msg.data.batchId]: msg.data }));
      // The queue figure of the modem card, at most every 2 s while a batch runs.
      if (!modemReload.current) modemReload.current = setTimeout(() => ((modemReload.current = undefined), loadModem()), 2000);
    }
  });
  useEffect(() => () => clearTimeout(modemReload.current), []);

  const act: Act = async (fn, ok) => {
    setErr(null);
    setNote(null);
    try {
      const r = await fn();
      if (ok) setNote(typeof ok === 'function' ? ok(r) : ok);
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const campaign = campaigns.find((c) => c.id === campaignId) ?? null;
  const tabs: Tab[] = ['send', 'templates', 'outbox', 'inbox', ...(canSettings(user.roles) ? (['settings'] as const) : [])];

  return (
    <div class="page sms-page" data-testid="sms-page">
      <PageHeader title={t('sms.title')} subtitle={t('sms.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="sms-note">{note}</span>
        </Alert>
      )}
      <ModemCard t={t} m={modem} reload={loadModem} />
      <div class="sms-tabs" role="tablist">
        {tabs.map((k) => (
          <button type="button" role="tab" class="sms-tab" aria-selected={tab === k} onClick={() => setTab(k)} data-testid={`sms-tab-${k}`} key={k}>
            {t(`sms.tab.${k}`)}
          </button>
        ))}
      </div>
      {(tab === 'send' || tab === 'templates') && (
        <div class="sms-row sms-campaign">
          <label class="sms-field">
            <span>{t('sms.campaign')}</span>
            <select data-testid="sms-campaign" value={campaignId ?? ''} onChange={(e) => setCampaignId(Number(str(e)) || null)}>
              <option value="">{t('sms.choose')}</option>
              {campaigns.map((c) => (
                <option value={c.id} key={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {tab === 'send' && <BulkSend t={t} campaign={campaign} act={act} progress={progress} />}
      {tab === 'templates' && <Templates t={t} campaign={campaign} canEdit={canManageSms(user.roles)} act={act} />}
      {tab === 'outbox' && <Outbox t={t} act={act} />}
      {tab === 'inbox' && <Inbox t={t} demo={modem?.demo === true} act={act} />}
      {tab === 'settings' && <Settings t={t} act={act} onSaved={loadModem} />}
    </div>
  );
}

function ModemCard({ t, m, reload }: { t: TFunction; m: { modem: ModemStatus; queued: number; ratePerMinute: number; demo: boolean } | null; reload: () => void }) {
  if (!m) return null;
  const s = m.modem;
  const bars = s.signal === null ? 0 : Math.min(4, Math.ceil(s.signal / 8));
  return (
    <div class="card sms-modem" data-testid="sms-modem" data-state={s.state}>
      <div class="card-body sms-row">
        <strong>{t('sms.modem.title')}</strong>
        <span class={`badge badge-${STATE_TONE[s.state] ?? 'slate'}`} data-testid="sms-modem-state">
          {t(`sms.state.${s.state}` as MessageKey)}
        </span>
        <span>
          {t('sms.modem.operator')}: <b data-testid="sms-operator">{s.operator ?? t('sms.none')}</b>
        </span>
        <span title={s.signal !== null ? `${s.signal}/31` : ''}>
          {t('sms.modem.signal')}:{' '}
          <span class="sms-bars" data-testid="sms-signal" data-signal={s.signal ?? ''}>
            {[1, 2, 3, 4].map((i) => (
              <i key={i} class={i <= bars ? 'on' : ''} style={{ height: `${4 + i * 3}px` }} />
            ))}
          </span>{' '}
          {s.signal !== null ? `${s.signal}/31` : t('sms.none')}
        </span>
        {s.model && (
          <span class="sms-muted">
            {t('sms.modem.model')}: {s.model}
          </span>
        )}
        {s.path && (
          <span class="sms-muted mono">
            {t('sms.modem.device')}: {s.path}
          </span>
        )}
        {m.demo && <span class="badge badge-blue">{t('sms.modem.demo')}</span>}
        <span class="sms-grow" />
        <span class="sms-muted">{t('sms.modem.queued', { n: m.queued, rate: m.ratePerMinute })}</span>
        <button type="button" class="btn btn-secondary btn-small" onClick={reload}>
          {t('sms.refresh')}
        </button>
      </div>
      {s.error && (
        <div class="card-body sms-error" data-testid="sms-modem-error">
          {t('sms.modem.error')}: {s.error}
        </div>
      )}
    </div>
  );
}

function Counter({ t, text }: { t: TFunction; text: string }) {
  const i = smsInfo(text);
  return (
    <div class="sms-counter" data-testid="sms-counter" data-encoding={i.encoding} data-parts={i.parts}>
      {t('sms.counter', { encoding: t(`sms.counter.${i.encoding}`), chars: i.characters, parts: i.parts, per: i.perPart, unit: t(`sms.counter.unit.${i.encoding}`) })}
    </div>
  );
}

function Templates({ t, campaign, canEdit, act }: { t: TFunction; campaign: CampaignInfo | null; canEdit: boolean; act: Act }) {
  const { lang } = useI18n();
  const [list, setList] = useState<SmsTemplate[]>([]);
  const [edit, setEdit] = useState<(TemplateInput & { id: number | null }) | null>(null);
  const load = useCallback(() => {
    if (campaign) void smsApi.templates(campaign.id).then((r) => setList(r.templates), () => setList([]));
  }, [campaign]);
  useEffect(load, [load]);
  if (!campaign) return <Alert kind="info">{t('sms.noCampaign')}</Alert>;
  const dispositions = campaign.settings.dispositions;
  const save = () =>
    edit &&
    void act(async () => {
      const body: TemplateInput = { name: edit.name, body: edit.body, trigger: edit.trigger, dispositions: edit.trigger === 'after_call' ? edit.dispositions : [], enabled: edit.enabled };
      if (edit.id) await smsApi.updateTemplate(edit.id, body);
      else await smsApi.createTemplate(campaign.id, body);
      setEdit(null);
      load();
    }, t('sms.tpl.saved'));
  return (
    <div class="card">
      <div class="card-body sms-row">
        <strong>{t('sms.tpl.list')}</strong>
        <span class="sms-grow" />
        {canEdit && (
          <button type="button" class="btn btn-primary" data-testid="sms-tpl-new" onClick={() => setEdit({ id: null, name: '', body: '', trigger: 'manual', dispositions: [], enabled: true })}>
            {t('sms.tpl.new')}
          </button>
        )}
      </div>
      {edit && (
        <div class="card-body sms-form" data-testid="sms-tpl-form">
          <label class="sms-field">
            <span>{t('sms.tpl.name')}</span>
            <input data-testid="sms-tpl-name" value={edit.name} maxLength={64} onInput={(e) => setEdit({ ...edit, name: str(e) })} />
          </label>
          <label class="sms-field">
            <span>{t('sms.tpl.trigger')}</span>
            <select data-testid="sms-tpl-trigger" value={edit.trigger} onChange={(e) => setEdit({ ...edit, trigger: str(e) as TemplateInput['trigger'] })}>
              <option value="manual">{t('sms.tpl.trigger.manual')}</option>
              <option value="after_call">{t('sms.tpl.trigger.after_call')}</option>
            </select>
          </label>
          <label class="sms-check">
            <input type="checkbox" checked={edit.enabled} onChange={(e) => setEdit({ ...edit, enabled: (e.target as HTMLInputElement).checked })} />
            {t('sms.tpl.enabled')}
          </label>
          {edit.trigger === 'after_call' && (
            <fieldset class="sms-wide sms-checks">
              <legend>{t('sms.tpl.dispositions')}</legend>
              {dispositions.map((d) => (
                <label class="sms-check" key={d.code}>
                  <input
                    type="checkbox"
                    data-testid={`sms-tpl-disp-${d.code}`}
                    checked={edit.dispositions.includes(d.code)}
                    onChange={(e) => setEdit({ ...edit, dispositions: (e.target as HTMLInputElement).checked ? [...edit.dispositions, d.code] : edit.dispositions.filter((x) => x !== d.code) })}
                  />
                  {lang === 'en' ? d.labelEn : d.labelZh}
                </label>
              ))}
            </fieldset>
          )}
          <label class="sms-field sms-wide">
            <span>{t('sms.tpl.body')}</span>
            <textarea data-testid="sms-tpl-body" rows={4} value={edit.body} maxLength={2000} onInput={(e) => setEdit({ ...edit, body: str(e) })} />
            <span class="sms-muted">{t('sms.tpl.bodyHint')}</span>
            <Counter t={t} text={edit.body} />
          </label>
          <div class="sms-row sms-wide">
            <button type="button" class="btn btn-primary" data-testid="sms-tpl-save" onClick={save}>
              {t('sms.save')}
            </button>
            <button type="button" class="btn btn-secondary" onClick={() => setEdit(null)}>
              {t('sms.cancel')}
            </button>
          </div>
        </div>
      )}
      <div class="table-wrap">
        <table class="table" data-testid="sms-templates">
          <thead>
            <tr>
              <th>{t('sms.tpl.name')}</th>
              <th>{t('sms.tpl.trigger')}</th>
              <th>{t('sms.tpl.body')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.length === 0 && <EmptyRow cols={4}>{t('sms.tpl.empty')}</EmptyRow>}
            {list.map((x) => (
              <tr key={x.id} data-testid="sms-tpl-row">
                <td>
                  {x.name}
                  {!x.enabled && <span class="badge badge-slate sms-gap">{t('sms.tpl.disabled')}</span>}
                </td>
                <td>
                  {t(`sms.tpl.trigger.${x.trigger}`)}
                  {x.trigger === 'after_call' && <div class="sms-muted mono">{x.dispositions.join(', ')}</div>}
                </td>
                <td>
                  <div class="sms-text">{x.body}</div>
                  <Counter t={t} text={x.body} />
                </td>
                <td class="sms-actions">
                  {canEdit && (
                    <>
                      <button type="button" class="btn btn-small btn-secondary" onClick={() => setEdit({ id: x.id, name: x.name, body: x.body, trigger: x.trigger, dispositions: x.dispositions, enabled: x.enabled })}>
                        {t('sms.edit')}
                      </button>
                      <button
                        type="button"
                        class="btn btn-small btn-secondary"
                        onClick={() => confirm(t('sms.tpl.confirmDelete', { name: x.name })) && void act(async () => (await smsApi.deleteTemplate(x.id), load()), t('sms.tpl.deleted'))}
                      >
                        {t('sms.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function BulkSend({ t, campaign, act, progress }: { t: TFunction; campaign: CampaignInfo | null; act: Act; progress: Record<number, { total: number; sent: number; failed: number; skipped: number; state: string }> }) {
  const { lang } = useI18n();
  const [templates, setTemplates] = useState<SmsTemplate[]>([]);
  const [templateId, setTemplateId] = useState<number | null>(null);
  const [dispositions, setDispositions] = useState<string[]>([]);
  const [statuses, setStatuses] = useState<string[]>([]);
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const [batches, setBatches] = useState<SmsBatch[]>([]);
  const loadBatches = useCallback(() => void smsApi.batches().then((r) => setBatches(r.batches), () => undefined), []);
  useEffect(() => {
    setPreview(null);
    if (campaign)
      void smsApi.templates(campaign.id).then((r) => {
        setTemplates(r.templates);
        setTemplateId(r.templates[0]?.id ?? null);
      });
    loadBatches();
  }, [campaign, loadBatches]);
  useEffect(() => setPreview(null), [templateId, dispositions, statuses]);
  const filter = useMemo(() => ({ ...(dispositions.length ? { dispositions } : {}), ...(statuses.length ? { statuses } : {}) }), [dispositions, statuses]);
  const toggle = (l: string[], v: string, on: boolean) => (on ? [...l, v] : l.filter((x) => x !== v));
  if (!campaign) return <Alert kind="info">{t('sms.noCampaign')}</Alert>;
  return (
    <>
      <div class="card">
        <div class="card-body sms-form">
          <label class="sms-field">
            <span>{t('sms.bulk.template')}</span>
            <select data-testid="sms-bulk-template" value={templateId ?? ''} onChange={(e) => setTemplateId(Number(str(e)) || null)}>
              <option value="">{t('sms.choose')}</option>
              {templates.map((x) => (
                <option value={x.id} key={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
          <fieldset class="sms-wide sms-checks">
            <legend>{t('sms.bulk.dispositions')}</legend>
            {campaign.settings.dispositions.map((d) => (
              <label class="sms-check" key={d.code}>
                <input type="checkbox" checked={dispositions.includes(d.code)} onChange={(e) => setDispositions(toggle(dispositions, d.code, (e.target as HTMLInputElement).checked))} />
                {lang === 'en' ? d.labelEn : d.labelZh}
              </label>
            ))}
          </fieldset>
          <fieldset class="sms-wide sms-checks">
            <legend>{t('sms.bulk.statuses')}</legend>
            {LEAD_STATUSES.map((s) => (
              <label class="sms-check" key={s}>
                <input type="checkbox" checked={statuses.includes(s)} onChange={(e) => setStatuses(toggle(statuses, s, (e.target as HTMLInputElement).checked))} />
                {t(`sms.bulk.status.${s}`)}
              </label>
            ))}
          </fieldset>
          <div class="sms-row sms-wide">
            <button type="button" class="btn btn-secondary" data-testid="sms-bulk-preview" disabled={!templateId} onClick={() => templateId && void act(async () => setPreview(await smsApi.preview(campaign.id, templateId, filter)))}>
              {t('sms.bulk.preview')}
            </button>
            <button
              type="button"
              class="btn btn-primary"
              data-testid="sms-bulk-send"
              disabled={!preview || preview.eligible === 0}
              onClick={() =>
                templateId &&
                preview &&
                confirm(t('sms.bulk.confirm', { n: preview.eligible, parts: preview.parts })) &&
                void act(
                  async () => {
                    const b = await smsApi.send(campaign.id, templateId, filter);
                    setPreview(null);
                    loadBatches();
                    return b;
                  },
                  (b: SmsBatch) => t('sms.bulk.started', { id: b.id }),
                )
              }
            >
              {t('sms.bulk.send')}
            </button>
          </div>
        </div>
        {preview && (
          <div class="card-body sms-preview" data-testid="sms-preview" data-eligible={preview.eligible}>
            <div class="sms-stats">
              <div>
                <span>{t('sms.bulk.leads')}</span>
                <b>{preview.leads}</b>
              </div>
              <div>
                <span>{t('sms.bulk.eligible')}</span>
                <b data-testid="sms-preview-eligible">{preview.eligible}</b>
              </div>
              <div>
                <span>{t('sms.bulk.parts')}</span>
                <b>{preview.parts}</b>
                <small>{t('sms.bulk.minutes', { n: preview.minutes })}</small>
              </div>
              <div>
                <span>{t('sms.bulk.skipped')}</span>
                <b>{Object.values(preview.skipped).reduce((a, b) => a + b, 0)}</b>
                <small>
                  {Object.entries(preview.skipped)
                    .map(([k, n]) => `${reasonText(t, k)} ${n}`)
                    .join(' · ')}
                </small>
              </div>
            </div>
            <Alert kind={preview.hours.open ? 'info' : 'warning'}>
              {preview.hours.open ? t('sms.bulk.hoursOpen') : preview.hours.opensAt ? t('sms.bulk.hoursClosed', { at: when(lang, preview.hours.opensAt) }) : t('sms.bulk.hoursNever')}
            </Alert>
            {preview.sample && (
              <div class="sms-sample">
                <div class="sms-muted">
                  {t('sms.bulk.sample')} · <span class="mono">{preview.sample.phone}</span>
                </div>
                <div class="sms-bubble" data-testid="sms-sample">
                  {preview.sample.text}
                </div>
                <Counter t={t} text={preview.sample.text} />
              </div>
            )}
          </div>
        )}
      </div>
      <div class="card">
        <div class="card-body sms-row">
          <strong>{t('sms.bulk.batches')}</strong>
          <span class="sms-grow" />
          <button type="button" class="btn btn-secondary btn-small" onClick={loadBatches}>
            {t('sms.refresh')}
          </button>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="sms-batches">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('sms.out.time')}</th>
                <th>{t('sms.bulk.progress')}</th>
                <th>{t('sms.out.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {batches.length === 0 && <EmptyRow cols={5}>{t('sms.bulk.noBatches')}</EmptyRow>}
              {batches.map((b) => {
                const p = progress[b.id] ?? { total: b.total, sent: b.counts.sent + b.counts.delivered, failed: b.counts.failed, skipped: b.counts.skipped, state: b.state };
                const done = p.sent + p.failed + p.skipped;
                const pct = p.total ? Math.round((done / p.total) * 100) : 0;
                return (
                  <tr key={b.id} data-testid="sms-batch-row" data-id={b.id} data-state={p.state}>
                    <td class="tnum">{b.id}</td>
                    <td class="tnum">{when(lang, b.createdAt)}</td>
                    <td class="sms-progress-cell">
                      <div class="sms-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
                        <div style={{ width: `${pct}%` }} />
                      </div>
                      <div class="sms-muted" data-testid="sms-batch-counts">
                        {t('sms.batch.counts', { sent: p.sent, failed: p.failed, skipped: p.skipped, total: p.total })}
                      </div>
                    </td>
                    <td>
                      <span class={`badge badge-${p.state === 'running' ? 'blue' : p.state === 'done' ? 'green' : 'slate'}`}>{t(`sms.batch.${p.state}` as MessageKey)}</span>
                    </td>
                    <td>
                      {p.state === 'running' && (
                        <button type="button" class="btn btn-small btn-secondary" data-testid="sms-batch-cancel" onClick={() => void act(async () => (await smsApi.cancelBatch(b.id), loadBatches()), t('sms.bulk.cancelled', { id: b.id }))}>
                          {t('sms.bulk.cancelBatch')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

function Outbox({ t, act }: { t: TFunction; act: Act }) {
  const { lang } = useI18n();
  const [state, setState] = useState('');
  const [items, setItems] = useState<Array<Masked<SmsMessage>>>([]);
  const [total, setTotal] = useState(0);
  const load = useCallback(() => void act(async () => smsApi.outbox(state).then((r) => (setItems(r.items), setTotal(r.total)))), [state]);
  useEffect(load, [load]);
  useLiveMessages((m) => m.type === 'sms.progress' && load());
  return (
    <div class="card">
      <div class="card-body sms-row">
        <select data-testid="sms-out-state" value={state} onChange={(e) => setState(str(e))}>
          <option value="">{t('sms.out.allStates')}</option>
          {MSG_STATES.map((s) => (
            <option value={s} key={s}>
              {t(`sms.msg.${s}`)}
            </option>
          ))}
        </select>
        <span class="sms-muted">{total}</span>
        <span class="sms-grow" />
        <button type="button" class="btn btn-secondary btn-small" onClick={load}>
          {t('sms.refresh')}
        </button>
      </div>
      <div class="table-wrap">
        <table class="table" data-testid="sms-outbox">
          <thead>
            <tr>
              <th>{t('sms.out.time')}</th>
              <th>{t('sms.out.phone')}</th>
              <th>{t('sms.out.text')}</th>
              <th class="num">{t('sms.out.parts')}</th>
              <th>{t('sms.out.source')}</th>
              <th>{t('sms.out.state')}</th>
              <th class="num">{t('sms.out.attempts')}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && <EmptyRow cols={7}>{t('sms.out.empty')}</EmptyRow>}
            {items.map((m) => (
              <tr key={m.id} data-testid="sms-out-row" data-state={m.state}>
                <td class="tnum">{when(lang, m.deliveredAt ?? m.sentAt ?? m.createdAt)}</td>
                <td class="mono">{m.phone ?? t('sms.none')}</td>
                <td>
                  <div class="sms-text">{m.body}</div>
                </td>
                <td class="num tnum">
                  {m.parts}
                  <div class="sms-muted">{t(`sms.counter.${m.encoding}`)}</div>
                </td>
                <td>{t(`sms.source.${m.source}`)}</td>
                <td>
                  <span class={`badge badge-${MSG_TONE[m.state] ?? 'slate'}`}>{t(`sms.msg.${m.state}`)}</span>
                  {m.reason && <div class="sms-muted">{reasonText(t, m.reason)}</div>}
                </td>
                <td class="num tnum">{m.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Inbox({ t, demo, act }: { t: TFunction; demo: boolean; act: Act }) {
  const { lang } = useI18n();
  const [optOut, setOptOut] = useState(false);
  const [items, setItems] = useState<Array<Masked<SmsInboxItem>>>([]);
  const [from, setFrom] = useState('13800138000');
  const [text, setText] = useState('退订');
  const load = useCallback(() => void act(async () => smsApi.inbox(optOut).then((r) => setItems(r.items))), [optOut]);
  useEffect(load, [load]);
  return (
    <div class="card">
      <div class="card-body sms-row">
        <label class="sms-check">
          <input type="checkbox" data-testid="sms-in-optout" checked={optOut} onChange={(e) => setOptOut((e.target as HTMLInputElement).checked)} />
          {t('sms.in.optOutOnly')}
        </label>
        <span class="sms-grow" />
        <button type="button" class="btn btn-secondary btn-small" onClick={load}>
          {t('sms.refresh')}
        </button>
      </div>
      {demo && (
        <div class="card-body sms-form" data-testid="sms-demo">
          <strong class="sms-wide">{t('sms.in.demo')}</strong>
          <label class="sms-field">
            <span>{t('sms.in.demoFrom')}</span>
            <input data-testid="sms-demo-from" value={from} onInput={(e) => setFrom(str(e))} />
          </label>
          <label class="sms-field">
            <span>{t('sms.in.demoText')}</span>
            <input data-testid="sms-demo-text" value={text} onInput={(e) => setText(str(e))} />
          </label>
          <button
            type="button"
            class="btn btn-secondary"
            data-testid="sms-demo-send"
            onClick={() =>
              void act(async () => {
                await smsApi.demoIncoming(from, text);
                setTimeout(load, 1500);
              }, t('sms.in.demoSent'))
            }
          >
            {t('sms.in.demoSend')}
          </button>
        </div>
      )}
      <div class="table-wrap">
        <table class="table" data-testid="sms-inbox">
          <thead>
            <tr>
              <th>{t('sms.in.time')}</th>
              <th>{t('sms.in.from')}</th>
              <th>{t('sms.in.text')}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && <EmptyRow cols={3}>{t('sms.in.empty')}</EmptyRow>}
            {items.map((i) => (
              <tr key={i.id} data-testid="sms-in-row" data-optout={String(i.optOut)}>
                <td class="tnum">{when(lang, i.receivedAt)}</td>
                <td class="mono">{i.phone}</td>
                <td>
                  <span class="sms-text">{i.body}</span>
                  {i.optOut && <span class="badge badge-red sms-gap">{t('sms.in.optOut')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Settings({ t, act, onSaved }: { t: TFunction; act: Act; onSaved: () => void }) {
  const [s, setS] = useState<SmsSettings | null>(null);
  const [keywords, setKeywords] = useState('');
  useEffect(() => {
    void act(async () => {
      const r = await smsApi.settings();
      setS(r);
      setKeywords(r.optOutKeywords.join(', '));
    });
  }, []);
  if (!s) return null;
  const num = (k: keyof SmsSettings) => (e: Event) => setS({ ...s, [k]: Number(str(e)) });
  const save = () =>
    void act(async () => {
      const r = await smsApi.saveSettings({ ...s, optOutKeywords: keywords.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean) });
      setS(r);
      onSaved();
    }, t('sms.set.saved'));
  return (
    <div class="card">
      <div class="card-body sms-form" data-testid="sms-settings">
        <label class="sms-check sms-wide">
          <input type="checkbox" checked={s.enabled} onChange={(e) => setS({ ...s, enabled: (e.target as HTMLInputElement).checked })} />
          {t('sms.set.enabled')}
        </label>
        <label class="sms-field">
          <span>{t('sms.set.device')}</span>
          <input data-testid="sms-set-device" value={s.device} onInput={(e) => setS({ ...s, device: str(e) })} />
          <span class="sms-muted">{t('sms.set.deviceHint')}</span>
        </label>
        <label class="sms-field">
          <span>{t('sms.set.baudRate')}</span>
          <input type="number" value={s.baudRate} onInput={num('baudRate')} />
        </label>
        <label class="sms-field">
          <span>{t('sms.set.rate')}</span>
          <input type="number" min={1} max={60} value={s.ratePerMinute} onInput={num('ratePerMinute')} />
        </label>
        <label class="sms-field">
          <span>{t('sms.set.maxAttempts')}</span>
          <input type="number" min={1} max={10} value={s.maxAttempts} onInput={num('maxAttempts')} />
        </label>
        <label class="sms-field">
          <span>{t('sms.set.retrySeconds')}</span>
          <input type="number" min={5} max={3600} value={s.retrySeconds} onInput={num('retrySeconds')} />
        </label>
        <label class="sms-field">
          <span>{t('sms.set.validityHours')}</span>
          <input type="number" min={1} max={168} value={s.validityHours} onInput={num('validityHours')} />
        </label>
        <label class="sms-field">
          <span>{t('sms.set.countryCode')}</span>
          <input value={s.countryCode} onInput={(e) => setS({ ...s, countryCode: str(e) })} />
        </label>
        <label class="sms-check">
          <input type="checkbox" checked={s.statusReports} onChange={(e) => setS({ ...s, statusReports: (e.target as HTMLInputElement).checked })} />
          {t('sms.set.statusReports')}
        </label>
        <label class="sms-field sms-wide">
          <span>{t('sms.set.keywords')}</span>
          <input data-testid="sms-set-keywords" value={keywords} onInput={(e) => setKeywords(str(e))} />
        </label>
        <div class="sms-wide">
          <button type="button" class="btn btn-primary" data-testid="sms-set-save" onClick={save}>
            {t('sms.save')}
          </button>
        </div>
      </div>
    </div>
  );
}
