// Agent desktop (issue 8): one screen for a whole shift. Everything comes pushed over the
// websocket (`desk.state`, this user only) — no polling, so it keeps working in a background
// tab whose timers the browser throttles: every duration is computed from the server's
// timestamps at render time (corrected for clock skew), and the page re-renders the moment the
// tab is visible again.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { Icon } from '../../components/Icon.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { useI18n } from '../../i18n/index.js';
import { useLive, useLiveMessages, useNow } from '../../live.js';
import { agentsApi, type PauseReason, type SeatLive } from '../agents/agents-api.js';
import { CallPanel } from './CallPanel.js';
import { CustomerPanel } from './CustomerPanel.js';
import { deskApi, hasRegistrationForm, type DeskCampaign, type DeskCustomer, type DeskStats } from './desk-api.js';
import { DialPanel } from './DialPanel.js';
import { DispositionPanel } from './DispositionPanel.js';
import { RegistrationForm } from './records/RegistrationForm.js';
import { StatsPanel } from './StatsPanel.js';
import { TopBar } from './TopBar.js';
import { useDesk, useVisible } from './useDesk.js';
import './desk.css';

export function AgentDeskPage({ user }: { user: User }) {
  void user;
  const { t } = useI18n();
  const { conn } = useLive();
  const data = useDesk();
  const desk = data.desk;
  const visible = useVisible();
  // A 1 s tick while visible; hidden tabs get throttled ticks, and the visibility change
  // re-renders at once — the time is read now, never counted.
  useNow(1000, visible);
  const now = Date.now() + data.skewMs;

  const [seats, setSeats] = useState<SeatLive[]>([]);
  const [reasons, setReasons] = useState<PauseReason[]>([]);
  const [campaigns, setCampaigns] = useState<DeskCampaign[]>([]);
  const [stats, setStats] = useState<DeskStats | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const loadSeats = useCallback(() => void agentsApi.seats().then(setSeats, () => undefined), []);
  const loadStats = useCallback(() => void deskApi.stats().then(setStats, () => undefined), []);
  const loadCampaigns = useCallback(() => void deskApi.campaigns().then(setCampaigns, (e) => setErr(describeError(t, e))), [t]);
  useEffect(() => {
    loadSeats();
    loadStats();
    loadCampaigns();
    void agentsApi.reasons().then(setReasons, () => undefined);
  }, []);
  useLiveMessages((m) => {
    if (m.type === 'hello') loadSeats();
    else if (m.type === 'seat.updated') setSeats((l) => (l.some((s) => s.extension === m.data.extension) ? l.map((s) => (s.extension === m.data.extension ? m.data : s)) : [...l, m.data]));
  });

  const act = useCallback(
    async (fn: () => Promise<unknown>): Promise<boolean> => {
      setErr(null);
      try {
        await fn();
        return true;
      } catch (e) {
        setErr(describeError(t, e));
        return false;
      }
    },
    [t],
  );

  // The customer of the call stays on screen during its wrap-up (the call itself may be gone).
  const lastPop = useRef<{ linkedid: string; customer: DeskCustomer } | null>(null);
  if (desk?.call?.customer) lastPop.current = { linkedid: desk.call.linkedid, customer: desk.call.customer };
  const wrapLinked = desk?.wrapUp?.linkedid ?? null;
  const popCall = desk?.call?.customer ? { linkedid: desk.call.linkedid, customer: desk.call.customer } : wrapLinked && lastPop.current?.linkedid === wrapLinked ? lastPop.current : null;
  const customer = popCall?.customer ?? desk?.preview ?? null;

  // Stats after a call ends (its linkedid goes or the call shows as ended).
  const callKey = desk?.call && desk.call.state !== 'ended' ? desk.call.linkedid : null;
  const prevCall = useRef<string | null>(null);
  useEffect(() => {
    if (prevCall.current && prevCall.current !== callKey) loadStats();
    if (callKey) setSaved(null);
    prevCall.current = callKey;
  }, [callKey]);

  // The targets come from the chosen campaign: statistics again when it changes.
  const chosenCampaign = desk?.campaignId ?? null;
  const firstCampaign = useRef(true);
  useEffect(() => {
    if (firstCampaign.current) {
      firstCampaign.current = false;
      return;
    }
    loadStats();
  }, [chosenCampaign]);

  // A call popping while the tab is hidden: title prefix (and a notification if already allowed).
  const baseTitle = useRef<string | null>(null);
  useEffect(() => {
    if (!callKey || visible) return;
    if (baseTitle.current === null) baseTitle.current = document.title;
    document.title = `${t('desk.titlePrefix.call')} · ${baseTitle.current}`;
    try {
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        new Notification(t('desk.notify.call', { who: desk?.call?.customer?.name ?? desk?.call?.number ?? '' }), { tag: 'seatbox-desk-call' });
      }
    } catch {
      /* notifications are a nicety */
    }
  }, [callKey]);
  useEffect(() => {
    if (visible && baseTitle.current !== null) {
      document.title = baseTitle.current;
      baseTitle.current = null;
    }
  }, [visible]);

  const campaignById = useMemo(() => new Map(campaigns.map((c) => [c.id, c])), [campaigns]);
  const dispoCampaignId = desk?.wrapUp?.campaignId ?? popCall?.customer.campaignId ?? (desk?.call ? null : desk?.campaignId) ?? null;
  // A campaign the list did not have (e.g. ended since): fetch it once.
  useEffect(() => {
    if (dispoCampaignId !== null && campaigns.length > 0 && !campaignById.has(dispoCampaignId)) {
      void deskApi.campaignById(dispoCampaignId).then((c) => setCampaigns((l) => [...l.filter((x) => x.id !== c.id), c]), () => undefined);
    }
  }, [dispoCampaignId, campaigns.length]);
  const dispoCampaign = dispoCampaignId !== null ? campaignById.get(dispoCampaignId) : undefined;
  const regCampaign = dispoCampaign ?? (desk?.campaignId != null ? campaignById.get(desk.campaignId) : undefined);
  const regLead = popCall?.customer.leadId ?? null;

  if (!data.loaded) {
    return (
      <div class="page desk-page" data-testid="desk-page">
        <div class="card-body empty">
          <span class="spinner" aria-hidden="true" />
          {t('desk.loading')}
        </div>
      </div>
    );
  }
  if (data.notAgent || !desk) {
    return (
      <div class="page desk-page" data-testid="desk-page">
        <PageHeader title={t('desk.title')} />
        {data.error !== null ? (
          <Alert kind="error" title={t('desk.loadFailed')}>
            {describeError(t, data.error)}
          </Alert>
        ) : (
          <Alert kind="info" testId="desk-not-agent">
            {t('desk.notAgent')}
          </Alert>
        )}
      </div>
    );
  }

  const active = desk.wrapUp !== null || (desk.call !== null && desk.call.state !== 'ended');
  return (
    <div class={conn === 'open' ? 'page desk-page' : 'page desk-page stale'} data-testid="desk-page" data-version={desk.version}>
      <TopBar desk={desk} now={now} seats={seats} reasons={reasons} campaigns={campaigns.filter((c) => c.status === 'active' || c.id === desk.campaignId)} act={act} />
      {conn !== 'open' && (
        <Alert kind="warning" testId="desk-stale">
          {t('desk.stale')}
        </Alert>
      )}
      {data.error !== null && (
        <Alert kind="error" title={t('desk.loadFailed')}>
          {describeError(t, data.error)}
        </Alert>
      )}
      {err && (
        <Alert kind="error" testId="desk-error">
          {err}
        </Alert>
      )}
      <div class="desk-grid">
        <div class="desk-col">
          <CallPanel call={desk.call} wrapUp={desk.wrapUp} now={now} act={act} />
          <CustomerPanel customer={customer} linkedid={popCall?.linkedid ?? null} campaigns={campaigns} onIdentityChanged={data.reload} />
        </div>
        <div class="desk-col">
          <DispositionPanel
            key={desk.wrapUp?.linkedid ?? desk.call?.linkedid ?? 'idle'}
            active={active}
            wrapUp={desk.wrapUp}
            dispositions={dispoCampaign ? dispoCampaign.settings.dispositions : null}
            now={now}
            onSaved={() => {
              setSaved(desk.wrapUp?.linkedid ?? desk.call?.linkedid ?? 'saved');
              loadStats();
            }}
          />
          {saved !== null && !callKey && (
            <Alert kind="success" testId="desk-dispo-saved">
              {t('desk.dispo.saved')}
            </Alert>
          )}
          {/* Manual dialing only between calls (the registration form moves up during a call). */}
          {desk.state !== 'logged_out' && !active && <DialPanel desk={desk} act={act} />}
          {regCampaign && regLead !== null && hasRegistrationForm(regCampaign) && (
            <div class="card" data-testid="desk-registration">
              <div class="card-head">
                <h2 class="card-title">
                  <Icon name="layers" size={18} />
                  {t('desk.reg.title')}
                </h2>
              </div>
              <div class="card-body">
                <RegistrationForm campaignId={regCampaign.id} leadId={regLead} linkedid={popCall?.linkedid ?? null} onSaved={loadStats} />
              </div>
            </div>
          )}
          <StatsPanel stats={stats} />
        </div>
      </div>
    </div>
  );
}
