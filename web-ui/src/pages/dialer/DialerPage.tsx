// Outbound → Predictive dialer: the campaign monitor. First load over the API, then every
// change arrives as a `dialer.status` websocket frame (no polling). The only knob is the drop cap.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import type { DialerStatus } from '../../../../firmware-agent/src/dialer/dialer-module.js';
import { Alert } from '../../components/Alert.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { request } from '../../api.js';
import './dialer.css';

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)} %`;

function Bar({ value, cap, testId }: { value: number; cap?: number; testId?: string }) {
  const max = cap ? Math.max(cap * 1.5, value) : 1;
  const over = cap !== undefined && value > cap;
  return (
    <div class="dialer-bar" data-testid={testId}>
      <div class={`dialer-bar-fill${over ? ' over' : ''}`} style={{ width: `${Math.min(100, (value / max) * 100)}%` }} />
      {cap !== undefined && <div class="dialer-bar-cap" style={{ left: `${(cap / max) * 100}%` }} />}
    </div>
  );
}

function CampaignCard({ s, canEdit, onSaved }: { s: DialerStatus; canEdit: boolean; onSaved: (cap: number) => void }) {
  const { t, lang } = useI18n();
  const [cap, setCap] = useState(String(+(s.dropCap * 100).toFixed(2)));
  const [msg, setMsg] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const reasonKey = s.notDialingReason ? (`dialer.reason.${s.notDialingReason}` as MessageKey) : null;
  const save = async () => {
    setMsg(null);
    try {
      const r = await request<{ dropCapPercent: number }>('PUT', `/dialer/campaigns/${s.campaignId}/drop-cap`, { dropCapPercent: Number(cap) });
      onSaved(r.dropCapPercent / 100);
      setMsg({ kind: 'success', text: t('dialer.capSaved') });
    } catch (e) {
      setMsg({ kind: 'error', text: describeError(t, e) });
    }
  };
  return (
    <div class="card dialer-card" data-testid={`dialer-campaign-${s.campaignId}`}>
      <div class="card-body">
        <div class="dialer-head">
          <h2 class="dialer-name">{s.campaignName}</h2>
          <span class={`dialer-state ${reasonKey ? 'idle' : 'on'}`} data-testid="dialer-reason">
            {t('dialer.status')}: {reasonKey ? t(reasonKey) : t('dialer.dialing')}
          </span>
        </div>
        <p class="dialer-updated" data-testid="dialer-updated">
          {t('dialer.updated', { time: new Date(s.at).toLocaleTimeString(lang, { hour12: false }) })}
        </p>
        <p class="dialer-mode">
          {t('dialer.mode')}: {t(s.mode === 'predictive' ? 'dialer.mode.predictive' : 'dialer.mode.progressive')}
          {s.progressiveWhy && ` — ${t(`dialer.why.${s.progressiveWhy}` as MessageKey)}`}
        </p>
        <div class="dialer-grid">
          <div class="dialer-metric">
            <div class="dialer-label">{t('dialer.occupancy')}</div>
            <div class="dialer-value" data-testid="dialer-occupancy">{pct(s.occupancy)}</div>
            <Bar value={s.occupancy} />
          </div>
          <div class="dialer-metric">
            <div class="dialer-label">{t('dialer.drop24h')}</div>
            <div class="dialer-value" data-testid="dialer-drop24h">
              {pct(s.dropRate24h, 2)} <small>{t('dialer.cap', { cap: pct(s.dropCap, 1) })}</small>
            </div>
            <Bar value={s.dropRate24h} cap={s.dropCap} />
            <div class="dialer-sub">{t('dialer.dropsOf', { drops: s.drops24h, answers: s.answers24h })}</div>
          </div>
          <div class="dialer-metric">
            <div class="dialer-label">{t('dialer.drop30d')}</div>
            <div class="dialer-value" data-testid="dialer-drop30d">
              {pct(s.dropRate30d, 2)} <small>{t('dialer.cap', { cap: pct(s.dropCap, 1) })}</small>
            </div>
            <Bar value={s.dropRate30d} cap={s.dropCap} />
            <div class="dialer-sub">{t('dialer.dropsOf', { drops: s.drops30d, answers: s.answers30d })}</div>
          </div>
        </div>
        <div class="dialer-tables">
          <table class="table dialer-table">
            <caption>{t('dialer.today')}</caption>
            <thead>
              <tr>
                <th>{t('dialer.dials')}</th>
                <th>{t('dialer.answers')}</th>
                <th>{t('dialer.drops')}</th>
                <th>{t('dialer.answerRate')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td data-testid="dialer-dials">{s.dialsToday}</td>
                <td>{s.liveAnswersToday}</td>
                <td>{s.dropsToday}</td>
                <td>{pct(s.answerProbability)}</td>
              </tr>
            </tbody>
          </table>
          <table class="table dialer-table">
            <caption>{t('dialer.inFlight')}</caption>
            <thead>
              <tr>
                <th>{t('dialer.inFlight')}</th>
                <th>{t('dialer.ringing')}</th>
                <th>{t('dialer.waiting')}</th>
                <th>{t('dialer.connected')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td data-testid="dialer-inflight">{s.inFlight}</td>
                <td>{s.ringing}</td>
                <td>{s.waiting}</td>
                <td>{s.connected}</td>
              </tr>
            </tbody>
          </table>
          <table class="table dialer-table">
            <caption>{t('dialer.agents')}</caption>
            <thead>
              <tr>
                <th>{t('dialer.ready')}</th>
                <th>{t('dialer.talking')}</th>
                <th>{t('dialer.wrap')}</th>
                <th>{t('dialer.paused')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td data-testid="dialer-ready">{s.agents.ready}</td>
                <td>{s.agents.talking}</td>
                <td>{s.agents.wrap}</td>
                <td>{s.agents.paused}</td>
              </tr>
            </tbody>
          </table>
        </div>
        {canEdit && (
          <div class="dialer-cap">
            <label>
              {t('dialer.capLabel')}{' '}
              <input type="number" min="0.1" max="10" step="0.1" value={cap} onInput={(e) => setCap((e.target as HTMLInputElement).value)} data-testid="dialer-cap-input" />
            </label>
            <button class="btn btn-primary" onClick={() => void save()} data-testid="dialer-cap-save">
              {t('dialer.capSave')}
            </button>
            <p class="dialer-help">{t('dialer.capHelp')}</p>
            {msg && <Alert kind={msg.kind}>{msg.text}</Alert>}
          </div>
        )}
      </div>
    </div>
  );
}

export function DialerPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [byId, setById] = useState<Record<number, DialerStatus>>({});
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    request<{ campaigns: DialerStatus[] }>('GET', '/dialer/campaigns').then(
      (r) => setById((prev) => ({ ...Object.fromEntries(r.campaigns.map((c) => [c.campaignId, c])), ...prev })),
      (e) => setErr(describeError(t, e)),
    );
  }, [t]);
  useLiveMessages((m) => {
    if (m.type === 'dialer.status') setById((prev) => ({ ...prev, [m.data.campaignId]: m.data }));
  });
  const canEdit = user.roles.includes('admin') || user.roles.includes('manager');
  const list = Object.values(byId).sort((a, b) => a.campaignId - b.campaignId);
  return (
    <div class="dialer-page">
      <PageHeader title={t('dialer.title')} subtitle={t('dialer.subtitle')} />
      {err && <Alert kind="error">{err}</Alert>}
      {list.length === 0 && !err && <Alert kind="info">{t('dialer.none')}</Alert>}
      {list.map((s) => (
        <CampaignCard key={s.campaignId} s={s} canEdit={canEdit} onSaved={(cap) => setById((p) => ({ ...p, [s.campaignId]: { ...s, dropCap: cap } }))} />
      ))}
    </div>
  );
}
