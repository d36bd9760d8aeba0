// The desk's top bar: who I am, seat log-in, my state with its ticking duration, ready / pause
// with a reason / log out, the campaign I work, and why Ready is refused during wrap-up.
import { useEffect, useState } from 'preact/hooks';
import { formatDuration } from '../../format.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import type { PauseReason, SeatLive } from '../agents/agents-api.js';
import { reasonLabel } from '../agents/states.js';
import { deskApi, type DeskCampaign, type DeskState } from './desk-api.js';

const SEAT_KEY = 'seatbox.desk.seat';
const TONE: Record<DeskState['state'], string> = { logged_out: 'slate', ready: 'green', ringing: 'blue', talking: 'blue', wrap_up: 'violet', paused: 'amber' };
const str = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;

export function stateKey(s: DeskState['state']): MessageKey {
  return `desk.state.${s}`;
}

function rememberedSeat(): string {
  try {
    return localStorage.getItem(SEAT_KEY) ?? '';
  } catch {
    return '';
  }
}

export function TopBar({
  desk,
  now,
  seats,
  reasons,
  campaigns,
  act,
}: {
  desk: DeskState;
  now: number;
  seats: SeatLive[];
  reasons: PauseReason[];
  campaigns: DeskCampaign[];
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const { t, lang } = useI18n();
  const [seat, setSeat] = useState(rememberedSeat);
  const activeReasons = reasons.filter((r) => r.active);
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (!reason && activeReasons[0]) setReason(activeReasons[0].code);
  }, [activeReasons.length]);
  const loggedIn = desk.state !== 'logged_out';
  const secs = desk.since ? Math.max(0, (now - Date.parse(desk.since)) / 1000) : null;
  const blocked = desk.wrapUp?.dispositionRequired === true;
  const onCall = desk.call !== null && desk.call.state !== 'ended';
  const mySeat = seats.find((s) => s.agent?.id === desk.agent?.id)?.extension;
  const chosen = seat || mySeat || '';
  const login = async () => {
    if (!chosen) return;
    if (await act(() => deskApi.login(chosen))) {
      try {
        localStorage.setItem(SEAT_KEY, chosen);
      } catch {
        /* storage disabled: nothing to remember */
      }
    }
  };

  return (
    <div class="card desk-topbar" data-testid="desk-topbar">
      <div class="desk-who">
        <span class="desk-agent-name" data-testid="desk-agent">
          {desk.agent ? t('desk.agent', { name: desk.agent.name, number: desk.agent.number }) : ''}
        </span>
        {desk.agent?.team && <span class="muted small">{t('desk.team', { team: desk.agent.team })}</span>}
      </div>

      <div class="desk-state-box">
        <span class={`badge badge-${TONE[desk.state] === 'violet' ? 'blue' : TONE[desk.state]} desk-state desk-state-${desk.state}`} data-testid="desk-state" data-state={desk.state}>
          {t(stateKey(desk.state))}
          {desk.state === 'paused' && desk.pauseReason !== null && ` · ${reasonLabel(t, lang, reasons, desk.pauseReason)}`}
        </span>
        {loggedIn && secs !== null && (
          <span class="tnum desk-since" data-testid="desk-state-duration" data-seconds={Math.floor(secs)}>
            {t('desk.since', { time: formatDuration(secs) })}
          </span>
        )}
        {loggedIn && desk.seat && (
          <span class="badge badge-slate" data-testid="desk-seat">
            {`${t('desk.seat')} ${desk.seat}`}
          </span>
        )}
        {desk.pendingPause && (
          <span class="badge badge-amber" data-testid="desk-pending-pause">
            {t('desk.pendingPause')}
          </span>
        )}
      </div>

      <div class="desk-controls">
        {!loggedIn ? (
          <>
            <label class="desk-inline">
              <span>{t('desk.seat')}</span>
              <select value={chosen} onChange={(e) => setSeat(str(e))} data-testid="desk-seat-select">
                <option value="">{t('desk.seat.choose')}</option>
                {seats.map((s) => (
                  <option key={s.extension} value={s.extension} disabled={s.agent !== null && s.agent.id !== desk.agent?.id}>
                    {s.agent && s.agent.id !== desk.agent?.id ? t('desk.seat.taken', { seat: s.extension, name: s.agent.name }) : s.extension}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" class="btn btn-primary" disabled={!chosen} onClick={() => void login()} data-testid="desk-login">
              {t('desk.login')}
            </button>
          </>
        ) : (
          <>
            <span class="desk-ready-wrap">
              <button
                type="button"
                class="btn btn-primary"
                disabled={blocked || ((desk.state === 'ready' || desk.state === 'talking' || desk.state === 'ringing') && !desk.pendingPause)}
                title={blocked ? t('desk.readyBlocked') : undefined}
                onClick={() => void act(() => deskApi.ready())}
                data-testid="desk-ready"
              >
                {t('desk.ready')}
              </button>
            </span>
            <label class="desk-inline">
              <select value={reason} onChange={(e) => setReason(str(e))} aria-label={t('desk.pauseReason')} data-testid="desk-pause-reason">
                {activeReasons.map((r) => (
                  <option key={r.code} value={r.code}>
                    {lang === 'zh-CN' ? r.labelZh : r.labelEn}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              class="btn btn-secondary"
              disabled={desk.state === 'paused' || desk.pendingPause}
              onClick={() => void act(() => deskApi.pause(reason || null))}
              data-testid="desk-pause"
            >
              {t('desk.pause')}
            </button>
            <button type="button" class="btn btn-ghost" disabled={onCall} onClick={() => void act(() => deskApi.logout())} data-testid="desk-logout">
              {t('desk.logout')}
            </button>
          </>
        )}
        <label class="desk-inline">
          <span>{t('desk.campaign')}</span>
          <select
            value={desk.campaignId === null ? '' : String(desk.campaignId)}
            onChange={(e) => {
              const v = str(e);
              void act(() => deskApi.campaign(v === '' ? null : Number(v)));
            }}
            data-testid="desk-campaign"
          >
            <option value="">{t('desk.campaign.none')}</option>
            {campaigns.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {blocked && (
        <div class="desk-blocked" role="status" data-testid="desk-ready-blocked">
          {t('desk.readyBlocked')}
        </div>
      )}
      {!loggedIn && <div class="muted small desk-hint">{t('desk.loggedOutHint')}</div>}
    </div>
  );
}
