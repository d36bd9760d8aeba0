// Outbound → Campaigns: list, editor (hours, retries, caps, dispositions, script, caller ID),
// status, the lead queue with "why" per lead, the agent's "next lead for me" with outcome
// recording, and the destruction dialog (type the campaign name).
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useLiveMessages } from '../../live.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { DeskSettingsSections } from '../desk/records/DeskSettingsEditor.js';
import { outboundApi, type CampaignInfo, type CampaignSettings, type Issue, type Lead } from './outbound-api.js';
import { CampaignPicker, checked, hasRole, notDialingText, outcomeLabel, StatusBadge, val, whyText } from './shared.js';
import './outbound.css';
import { EmptyRow } from '../../components/EmptyRow.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const RETRY = ['busy', 'no_answer', 'unreachable', 'failed', 'machine', 'dropped'] as const;
const FLAGS = ['sale', 'contact', 'dnc', 'callback', 'final'] as const;
type Tab = 'settings' | 'queue' | 'work';

export function CampaignsPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [campaigns, setCampaigns] = useState<CampaignInfo[]>([]);
  const [sel, setSel] = useState<number | null>(null);
  const [tab, setTab] = useState<Tab>(hasRole(user, 'manager', 'team_lead', 'data_manager', 'qa', 'trainer') ? 'settings' : 'work');
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [newMode, setNewMode] = useState('preview');
  const canEdit = hasRole(user, 'manager');

  const load = useCallback(async () => {
    try {
      const list = await outboundApi.campaigns();
      setCampaigns(list);
      setSel((s) => (s !== null && list.some((c) => c.id === s) ? s : (list[0]?.id ?? null)));
    } catch (e) {
      setErr(describeError(t, e));
    }
  }, [t]);
  useEffect(() => {
    void load();
  }, [load]);
  const act = async (fn: () => Promise<unknown>, ok?: string) => {
    setErr(null);
    setNote(null);
    try {
      await fn();
      if (ok) setNote(ok);
      await load();
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const c = campaigns.find((x) => x.id === sel) ?? null;

  return (
    <div class="page ob-page" data-testid="campaigns-page">
      <PageHeader title={t('outbound.campaigns.title')} subtitle={t('outbound.campaigns.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      {note && (
        <Alert kind="success">
          <span data-testid="ob-note">{note}</span>
        </Alert>
      )}
      <div class="card">
        <div class="table-wrap">
          <table class="table" data-testid="campaigns-table">
            <thead>
              <tr>
                <th>{t('outbound.campaign')}</th>
                <th>{t('outbound.status')}</th>
                <th>{t('outbound.dialMode')}</th>
                <th>{t('outbound.leads.total')}</th>
                <th>{t('outbound.leads.open')}</th>
                <th>{t('outbound.leads.done')}</th>
                <th>{t('outbound.dialer')}</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.length === 0 && <EmptyRow cols={7}>{t('outbound.campaigns.empty')}</EmptyRow>}
              {campaigns.map((x) => (
                <tr key={x.id} class={x.id === sel ? 'ob-selected' : ''} onClick={() => setSel(x.id)} data-testid="campaign-row" data-name={x.name}>
                  <td>
                    <button type="button" class="btn btn-ghost btn-small" onClick={() => setSel(x.id)}>
                      {x.name}
                    </button>
                  </td>
                  <td>
                    <StatusBadge status={x.status} />
                  </td>
                  <td>{t(`outbound.mode.${x.dialMode}` as MessageKey)}</td>
                  <td class="tnum">{x.leads?.total ?? 0}</td>
                  <td class="tnum">{x.leads?.open ?? 0}</td>
                  <td class="tnum">{x.leads?.done ?? 0}</td>
                  <td>{notDialingText(t, x.notDialingReason)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {canEdit && (
          <div class="card-body ob-row">
            <input value={newName} onInput={(e) => setNewName(val(e))} placeholder={t('outbound.campaigns.newName')} aria-label={t('outbound.campaigns.newName')} data-testid="campaign-new-name" />
            <select value={newMode} onChange={(e) => setNewMode(val(e))} aria-label={t('outbound.dialMode')}>
              {(['preview', 'progressive', 'predictive'] as const).map((m) => (
                <option value={m} key={m}>
                  {t(`outbound.mode.${m}`)}
                </option>
              ))}
            </select>
            <button
              type="button"
              class="btn btn-primary"
              disabled={!newName.trim()}
              data-testid="campaign-create"
              onClick={() =>
                void act(async () => {
                  const created = await outboundApi.create(newName.trim(), newMode);
                  setSel(created.id);
                  setNewName('');
                }, t('outbound.campaigns.created'))
              }
            >
              {t('outbound.campaigns.create')}
            </button>
          </div>
        )}
      </div>

      {c && (
        <div class="card">
          <div class="card-head ob-row">
            <h2 class="card-title" data-testid="campaign-title">
              {c.name}
            </h2>
            <StatusBadge status={c.status} />
            <span class="ob-grow" />
            {canEdit && (c.status === 'draft' || c.status === 'paused') && (
              <button type="button" class="btn btn-secondary btn-small" data-testid="campaign-activate" onClick={() => void act(() => outboundApi.setStatus(c.id, 'active'))}>
                {t('outbound.action.activate')}
              </button>
            )}
            {canEdit && c.status === 'active' && (
              <button type="button" class="btn btn-secondary btn-small" onClick={() => void act(() => outboundApi.setStatus(c.id, 'paused'))}>
                {t('outbound.action.pause')}
              </button>
            )}
            {canEdit && c.status !== 'ended' && c.status !== 'destroyed' && (
              <button type="button" class="btn btn-secondary btn-small" data-testid="campaign-end" onClick={() => window.confirm(t('outbound.action.endConfirm')) && void act(() => outboundApi.setStatus(c.id, 'ended'))}>
                {t('outbound.action.end')}
              </button>
            )}
          </div>
          <div class="ob-tabs" role="tablist">
            {(['settings', 'queue', 'work'] as const).map((k) => (
              <button type="button" role="tab" aria-selected={tab === k} class={`ob-tab${tab === k ? ' ob-tab-on' : ''}`} key={k} onClick={() => setTab(k)} data-testid={`tab-${k}`}>
                {t(`outbound.tab.${k}`)}
              </button>
            ))}
          </div>
          <div class="card-body">
            {tab === 'settings' && <SettingsEditor key={c.id} campaign={c} canEdit={canEdit && c.status !== 'ended' && c.status !== 'destroyed'} onSaved={() => void load()} />}
            {tab === 'queue' && <QueueView key={c.id} campaign={c} />}
            {tab === 'work' && <WorkPanel key={c.id} campaign={c} user={user} />}
            {(c.status === 'ended' || c.status === 'destroyed') && hasRole(user, 'manager', 'team_lead') && <DestroyDialog key={c.id} campaign={c} onDone={() => void load()} />}
          </div>
        </div>
      )}
    </div>
  );
}

function SettingsEditor({ campaign, canEdit, onSaved }: { campaign: CampaignInfo; canEdit: boolean; onSaved: () => void }) {
  const { t } = useI18n();
  const [s, setS] = useState<CampaignSettings>(() => structuredClone(campaign.settings));
  const [mode, setMode] = useState<string>(campaign.dialMode);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const up = (fn: (d: CampaignSettings) => void) => {
    const d = structuredClone(s);
    fn(d);
    setS(d);
    setSaved(false);
  };
  const save = async () => {
    setErr(null);
    setIssues([]);
    try {
      await outboundApi.update(campaign.id, { dialMode: mode, settings: s });
      setSaved(true);
      onSaved();
    } catch (e) {
      const x = e as { code?: string; message?: string };
      if (x.code === 'invalid_settings') setIssues((x.message ?? '').split('; ').map((m) => ({ path: m.split(': ')[0]!, message: m.split(': ').slice(1).join(': ') })));
      else setErr(describeError(t, e));
    }
  };
  const num = (v: string) => (v === '' ? 0 : Number(v));
  return (
    <fieldset disabled={!canEdit} class="ob-settings" data-testid="settings-editor">
      {err && <Alert kind="error">{err}</Alert>}
      {issues.length > 0 && (
        <Alert kind="error" title={t('outbound.settings.invalid')}>
          <ul data-testid="settings-issues">
            {issues.map((i) => (
              <li key={i.path}>
                <code>{i.path}</code>: {i.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {saved && <Alert kind="success">{t('outbound.settings.saved')}</Alert>}
      <div class="ob-grid">
        <label>
          {t('outbound.dialMode')}
          <select value={mode} onChange={(e) => (setMode(val(e)), setSaved(false))} data-testid="settings-mode">
            {(['preview', 'progressive', 'predictive'] as const).map((m) => (
              <option value={m} key={m}>
                {t(`outbound.mode.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('outbound.settings.timezone')}
          <input value={s.hours.timezone} onInput={(e) => up((d) => void (d.hours.timezone = val(e)))} />
        </label>
        <label>
          {t('outbound.settings.dailyCap')}
          <input type="number" min={1} max={20} value={s.dailyAttemptCap} onInput={(e) => up((d) => void (d.dailyAttemptCap = num(val(e))))} data-testid="settings-cap" />
        </label>
        <label>
          {t('outbound.settings.recontact')}
          <input type="number" min={1} value={s.recontactAfterMinutes} onInput={(e) => up((d) => void (d.recontactAfterMinutes = num(val(e))))} />
        </label>
        <label>
          {t('outbound.settings.refusalMonths')}
          <input type="number" min={1} value={s.dnc.refusalMonths} onInput={(e) => up((d) => void (d.dnc.refusalMonths = num(val(e))))} />
        </label>
        <label>
          {t('outbound.settings.dropCap')}
          <input type="number" min={0} max={100} step={0.5} value={s.dropCapPercent} onInput={(e) => up((d) => void (d.dropCapPercent = num(val(e))))} />
        </label>
        <label>
          {t('outbound.settings.callerId')}
          <input value={s.callerId ?? ''} onInput={(e) => up((d) => void (d.callerId = val(e).trim() || null))} class="mono" />
        </label>
        <label>
          {t('outbound.settings.trunk')}
          <input value={s.trunk ?? ''} onInput={(e) => up((d) => void (d.trunk = val(e).trim() || null))} />
        </label>
        <label>
          {t('outbound.settings.channelLimit')}
          <input type="number" min={1} value={s.channelLimit} onInput={(e) => up((d) => void (d.channelLimit = num(val(e))))} />
        </label>
        <label class="ob-check">
          <input type="checkbox" checked={s.consentGate} onChange={(e) => up((d) => void (d.consentGate = checked(e)))} />
          {t('outbound.settings.consentGate')}
        </label>
      </div>

      <h3 class="ob-h3">{t('outbound.settings.hours')}</h3>
      <table class="table ob-compact">
        <tbody>
          {DAYS.map((day) => {
            const w = s.hours.weekly[day][0];
            return (
              <tr key={day}>
                <td>{t(`outbound.day.${day}`)}</td>
                <td>
                  <label class="ob-check">
                    <input type="checkbox" checked={!w} onChange={(e) => up((d) => void (d.hours.weekly[day] = checked(e) ? [] : [{ from: '09:00', to: '21:00' }]))} />
                    {t('outbound.settings.closed')}
                  </label>
                </td>
                <td>{w && <input type="time" value={w.from} onInput={(e) => up((d) => void (d.hours.weekly[day][0]!.from = val(e)))} data-testid={`hours-${day}-from`} aria-label={t('outbound.settings.from')} />}</td>
                <td>{w && <input type="time" value={w.to} onInput={(e) => up((d) => void (d.hours.weekly[day][0]!.to = val(e)))} data-testid={`hours-${day}-to`} aria-label={t('outbound.settings.to')} />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <label class="ob-block">
        {t('outbound.settings.holidays')}
        <input value={s.hours.holidays.join(', ')} onChange={(e) => up((d) => void (d.hours.holidays = val(e).split(/[,，\s]+/).filter(Boolean)))} placeholder="2026-10-01, 2026-10-02" />
      </label>

      <h3 class="ob-h3">{t('outbound.settings.retries')}</h3>
      <table class="table ob-compact">
        <thead>
          <tr>
            <th>{t('outbound.settings.outcome')}</th>
            <th>{t('outbound.settings.afterMinutes')}</th>
            <th>{t('outbound.settings.maxAttempts')}</th>
          </tr>
        </thead>
        <tbody>
          {RETRY.map((o) => (
            <tr key={o}>
              <td>{outcomeLabel(t, o)}</td>
              <td>
                <input type="number" min={1} value={s.retries[o].afterMinutes} onInput={(e) => up((d) => void (d.retries[o].afterMinutes = num(val(e))))} data-testid={`retry-${o}-after`} />
              </td>
              <td>
                <input type="number" min={1} value={s.retries[o].maxAttempts} onInput={(e) => up((d) => void (d.retries[o].maxAttempts = num(val(e))))} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 class="ob-h3">{t('outbound.settings.dispositions')}</h3>
      <table class="table ob-compact">
        <thead>
          <tr>
            <th>{t('outbound.settings.code')}</th>
            <th>{t('outbound.settings.labelZh')}</th>
            <th>{t('outbound.settings.labelEn')}</th>
            {FLAGS.map((f) => (
              <th key={f}>{t(`outbound.flag.${f}`)}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {s.dispositions.map((d, i) => (
            <tr key={i}>
              <td>
                <input class="mono ob-short" value={d.code} onInput={(e) => up((x) => void (x.dispositions[i]!.code = val(e)))} />
              </td>
              <td>
                <input value={d.labelZh} onInput={(e) => up((x) => void (x.dispositions[i]!.labelZh = val(e)))} />
              </td>
              <td>
                <input value={d.labelEn} onInput={(e) => up((x) => void (x.dispositions[i]!.labelEn = val(e)))} />
              </td>
              {FLAGS.map((f) => (
                <td key={f}>
                  <input type="checkbox" checked={d[f]} onChange={(e) => up((x) => void (x.dispositions[i]![f] = checked(e)))} aria-label={t(`outbound.flag.${f}`)} />
                </td>
              ))}
              <td>
                <button type="button" class="btn btn-ghost btn-small" onClick={() => up((x) => void x.dispositions.splice(i, 1))}>
                  {t('outbound.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="btn btn-secondary btn-small" onClick={() => up((x) => void x.dispositions.push({ code: `d${x.dispositions.length + 1}`, labelZh: '新结果', labelEn: 'New', sale: false, contact: true, dnc: false, callback: false, final: false }))}>
        {t('outbound.settings.addDisposition')}
      </button>

      <h3 class="ob-h3">{t('outbound.settings.script')}</h3>
      <p class="field-hint">{t('outbound.settings.scriptHint')}</p>
      <textarea class="ob-script" rows={5} value={s.script} onInput={(e) => up((d) => void (d.script = (e.target as HTMLTextAreaElement).value))} data-testid="settings-script" />
      <DeskSettingsSections s={s} up={up} />
      {canEdit && (
        <div class="ob-row">
          <button type="button" class="btn btn-primary" onClick={() => void save()} data-testid="settings-save">
            {t('outbound.settings.save')}
          </button>
        </div>
      )}
    </fieldset>
  );
}

function QueueView({ campaign }: { campaign: CampaignInfo }) {
  const { t } = useI18n();
  const [leads, setLeads] = useState<Lead[]>([]);
  const [total, setTotal] = useState(0);
  const [status, setStatus] = useState('');
  const [dueOnly, setDueOnly] = useState(false);
  const [idle, setIdle] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      if (dueOnly) {
        const q = await outboundApi.queue(campaign.id);
        setLeads(q.leads);
        setTotal(q.leads.length);
        setIdle(q.notDialingReason);
      } else {
        const r = await outboundApi.leads(campaign.id, `?limit=200${status ? `&status=${status}` : ''}`);
        setLeads(r.leads);
        setTotal(r.total);
      }
    } catch (e) {
      setErr(describeError(t, e));
    }
  }, [campaign.id, status, dueOnly, t]);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div data-testid="queue-view">
      {err && <Alert kind="error">{err}</Alert>}
      <div class="ob-row">
        <label class="ob-check">
          <input type="checkbox" checked={dueOnly} onChange={(e) => setDueOnly(checked(e))} data-testid="queue-due-only" />
          {t('outbound.queue.dueOnly')}
        </label>
        {!dueOnly && (
          <select value={status} onChange={(e) => setStatus(val(e))} aria-label={t('outbound.status')}>
            <option value="">{t('outbound.queue.allStatuses')}</option>
            {['new', 'retry', 'callback', 'recontact', 'connected', 'done', 'dnc', 'exhausted'].map((s) => (
              <option value={s} key={s}>
                {t(`outbound.lead.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        )}
        <span>{t('outbound.queue.count', { n: total })}</span>
        {dueOnly && <span>{notDialingText(t, idle)}</span>}
        <span class="ob-grow" />
        <button type="button" class="btn btn-secondary btn-small" onClick={() => void load()}>
          {t('outbound.refresh')}
        </button>
      </div>
      <div class="table-wrap">
        <table class="table" data-testid="queue-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('outbound.lead.phone')}</th>
              <th>{t('outbound.lead.name')}</th>
              <th>{t('outbound.status')}</th>
              <th>{t('outbound.lead.custody')}</th>
              <th>{t('outbound.lead.attempts')}</th>
              <th>{t('outbound.lead.why')}</th>
            </tr>
          </thead>
          <tbody>
            {leads.map((l) => (
              <tr key={l.id} data-testid="queue-row" data-due={l.why?.due ? '1' : '0'}>
                <td class="tnum">{l.id}</td>
                <td class="mono">{l.phone}</td>
                <td>{l.name}</td>
                <td>{t(`outbound.lead.${l.status}` as MessageKey)}</td>
                <td>{l.team ? `${l.team}${l.agentId ? ` / ${l.agentId}` : ''}` : t(`outbound.custody.${l.custody}` as MessageKey)}</td>
                <td class="tnum">{l.attempts}</td>
                <td class={l.why?.due ? 'ob-due' : 'ob-notdue'} data-testid="queue-why">
                  {l.why ? whyText(t, l.why) : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function WorkPanel({ campaign, user }: { campaign: CampaignInfo; user: User }) {
  const { t, lang } = useI18n();
  const [lead, setLead] = useState<Lead | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [disp, setDisp] = useState('');
  const [cbAt, setCbAt] = useState('');
  const [cbScope, setCbScope] = useState<'personal' | 'team'>('personal');
  const [callbacks, setCallbacks] = useState<Lead[]>([]);
  const [reminder, setReminder] = useState<string | null>(null);
  const isAgent = hasRole(user, 'agent');
  const loadCallbacks = useCallback(() => {
    if (isAgent) void outboundApi.myCallbacks().then((r) => setCallbacks(r.filter((l) => l.campaignId === campaign.id)), () => undefined);
  }, [isAgent, campaign.id]);
  useEffect(loadCallbacks, [loadCallbacks]);
  // The reminder frame at a callback's time: for my personal callbacks and my team's.
  useLiveMessages((m) => {
    if (m.type !== 'lead.callback_due' || m.data.campaignId !== campaign.id) return;
    setReminder(t('outbound.work.reminder', { lead: m.data.leadId, at: new Date(m.data.at).toLocaleTimeString(lang, { hour12: false }) }));
    loadCallbacks();
  });
  if (!isAgent) return <p class="field-hint">{t('outbound.work.agentsOnly')}</p>;
  const next = async () => {
    setErr(null);
    setMsg(null);
    try {
      const r = await outboundApi.next(campaign.id);
      setLead(r.lead);
      if (!r.lead) setMsg(notDialingText(t, r.notDialingReason));
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const record = async (body: { outcome: string; disposition?: string; callbackAt?: string; callbackScope?: 'personal' | 'team' }) => {
    if (!lead) return;
    setErr(null);
    try {
      const r = await outboundApi.outcome(lead.id, body);
      setLead(null);
      setDisp('');
      loadCallbacks();
      setMsg(t('outbound.work.recorded', { why: r.why ? whyText(t, r.why) : '' }));
    } catch (e) {
      setErr(describeError(t, e));
    }
  };
  const chosen = campaign.settings.dispositions.find((d) => d.code === disp);
  return (
    <div data-testid="work-panel">
      {err && <Alert kind="error">{err}</Alert>}
      {msg && (
        <Alert kind="info">
          <span data-testid="work-msg">{msg}</span>
        </Alert>
      )}
      {reminder && (
        <Alert kind="warning">
          <span data-testid="work-reminder">{reminder}</span>
        </Alert>
      )}
      {!lead && callbacks.length > 0 && (
        <table class="table ob-compact" data-testid="work-callbacks">
          <thead>
            <tr>
              <th>{t('outbound.work.callbacks')}</th>
              <th>{t('outbound.lead.name')}</th>
              <th>{t('outbound.lead.why')}</th>
            </tr>
          </thead>
          <tbody>
            {callbacks.map((l) => (
              <tr key={l.id}>
                <td class="mono">{l.phone}</td>
                <td>{l.name}</td>
                <td class={l.why?.due ? 'ob-due' : 'ob-notdue'}>{l.why ? whyText(t, l.why) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!lead && (
        <button type="button" class="btn btn-primary" onClick={() => void next()} data-testid="work-next">
          {t('outbound.work.next')}
        </button>
      )}
      {lead && (
        <div class="ob-lead" data-testid="work-lead">
          <div class="ob-row">
            <strong class="mono ob-phone" data-testid="work-phone">
              {lead.phone}
              {lead.extension ? ` ${t('outbound.lead.ext')} ${lead.extension}` : ''}
            </strong>
            <span>{lead.name}</span>
            <span class="ob-grow" />
            <span>{lead.why ? whyText(t, lead.why) : ''}</span>
          </div>
          <dl class="ob-fields">
            {Object.entries(lead.fields).flatMap(([k, v]) => [<dt key={`k${k}`}>{k}</dt>, <dd key={`v${k}`}>{String(v)}</dd>])}
          </dl>
          {lead.script && (
            <div class="ob-scriptbox" data-testid="work-script">
              {lead.script.text}
            </div>
          )}
          <div class="ob-row">
            {(['busy', 'no_answer', 'unreachable'] as const).map((o) => (
              <button type="button" class="btn btn-secondary btn-small" key={o} onClick={() => void record({ outcome: o })} data-testid={`work-${o}`}>
                {outcomeLabel(t, o)}
              </button>
            ))}
          </div>
          <div class="ob-row">
            <select value={disp} onChange={(e) => setDisp(val(e))} aria-label={t('outbound.work.disposition')} data-testid="work-disposition">
              <option value="">{t('outbound.work.disposition')}</option>
              {campaign.settings.dispositions.map((d) => (
                <option value={d.code} key={d.code}>
                  {lang === 'en' ? d.labelEn : d.labelZh}
                </option>
              ))}
            </select>
            {chosen?.callback && (
              <>
                <input type="datetime-local" value={cbAt} onInput={(e) => setCbAt(val(e))} aria-label={t('outbound.work.callbackAt')} data-testid="work-callback-at" />
                <select value={cbScope} onChange={(e) => setCbScope(val(e) as 'personal' | 'team')} aria-label={t('outbound.work.callbackScope')}>
                  <option value="personal">{t('outbound.work.personal')}</option>
                  <option value="team">{t('outbound.work.team')}</option>
                </select>
              </>
            )}
            <button
              type="button"
              class="btn btn-primary btn-small"
              disabled={!disp || (chosen?.callback && !cbAt)}
              data-testid="work-record"
              onClick={() => void record({ outcome: 'connected', disposition: disp, ...(chosen?.callback ? { callbackAt: new Date(cbAt).toISOString(), callbackScope: cbScope } : {}) })}
            >
              {t('outbound.work.record')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function DestroyDialog({ campaign, onDone }: { campaign: CampaignInfo; onDone: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <div class="ob-destroy">
      {done && (
        <Alert kind="success">
          <span data-testid="destroy-done">{done}</span>
        </Alert>
      )}
      {campaign.status === 'destroyed' ? (
        !done && <Alert kind="info">{t('outbound.destroy.already', { at: campaign.destroyedAt ?? '', by: campaign.destroyedBy ?? '' })}</Alert>
      ) : !open ? (
        <button type="button" class="btn btn-secondary" onClick={() => setOpen(true)} data-testid="destroy-open">
          {t('outbound.destroy.open')}
        </button>
      ) : (
        <div role="dialog" aria-modal="true" aria-labelledby="ob-destroy-title" class="ob-dialog" data-testid="destroy-dialog">
          <h3 id="ob-destroy-title">{t('outbound.destroy.title')}</h3>
          <p>{t('outbound.destroy.body', { name: campaign.name, n: campaign.leads?.total ?? 0 })}</p>
          {err && <Alert kind="error">{err}</Alert>}
          <input value={typed} onInput={(e) => setTyped(val(e))} placeholder={campaign.name} aria-label={t('outbound.destroy.typeName')} data-testid="destroy-name" />
          <div class="ob-row">
            <button type="button" class="btn btn-ghost" onClick={() => setOpen(false)}>
              {t('outbound.cancel')}
            </button>
            <button
              type="button"
              class="btn btn-primary ob-danger"
              disabled={typed !== campaign.name}
              data-testid="destroy-confirm"
              onClick={() =>
                void outboundApi.destroy(campaign.id, typed).then(
                  (r) => {
                    setOpen(false);
                    setDone(t(r.verified ? 'outbound.destroy.done' : 'outbound.destroy.unverified', { n: r.leads, remaining: r.remaining }));
                    onDone();
                  },
                  (e) => setErr(describeError(t, e)),
                )
              }
            >
              {t('outbound.destroy.confirm')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

export { CampaignPicker };
