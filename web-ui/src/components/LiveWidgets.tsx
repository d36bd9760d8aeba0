// Widgets fed by the live websocket: connection banner/pill and the summary tiles.
import type { ComponentChildren } from 'preact';
import { formatTime, formatUptime } from '../format.js';
import { useI18n } from '../i18n/index.js';
import { useLive, useNow } from '../live.js';
import { Icon, type IconName } from './Icon.js';

/** Shown while the live feed is down: "disconnected — reconnecting (retry in N s) [reconnect now]". */
export function LiveBanner() {
  const { t } = useI18n();
  const live = useLive();
  const now = useNow(500, live.conn === 'reconnecting');
  if (live.conn === 'open') return null;
  if (live.conn === 'connecting') {
    return (
      <div class="live-banner live-banner-info" role="status" data-testid="live-banner" data-state="connecting">
        <span class="spinner" aria-hidden="true" />
        <span>{t('live.connecting')}</span>
      </div>
    );
  }
  const secs = live.retryAt ? Math.max(0, Math.ceil((live.retryAt - now) / 1000)) : 0;
  return (
    <div class="live-banner live-banner-warning" role="alert" data-testid="live-banner" data-state="reconnecting">
      <Icon name="warning" size={18} />
      <span class="live-banner-text">{t('live.reconnecting')}</span>
      {secs > 0 && <span class="live-banner-retry">{t('live.retryIn', { seconds: secs })}</span>}
      <button type="button" class="btn btn-small btn-secondary" onClick={live.reconnectNow}>
        <Icon name="refresh" size={14} />
        {t('live.retryNow')}
      </button>
    </div>
  );
}

/** Pill for the top bar: live / offline. */
export function LivePill() {
  const { t } = useI18n();
  const live = useLive();
  const open = live.conn === 'open';
  return (
    <span class={open ? 'live-pill live-pill-on' : 'live-pill live-pill-off'} data-testid="live-pill" data-state={live.conn}>
      <span class="live-dot" aria-hidden="true" />
      {open ? t('header.live') : t('header.offline')}
    </span>
  );
}

/** "Updated 10:47:01": when the last live message arrived. */
export function LiveUpdated() {
  const { t, lang } = useI18n();
  const { updatedAt } = useLive();
  if (!updatedAt) return null;
  return (
    <span class="updated-at" data-testid="live-updated">
      <Icon name="refresh" size={13} />
      {t('live.updatedAt', { time: formatTime(lang, updatedAt) })}
    </span>
  );
}

function Tile({
  icon,
  tone,
  label,
  children,
  testId,
}: {
  icon: IconName;
  tone: 'blue' | 'green' | 'red' | 'amber' | 'violet' | 'slate';
  label: ComponentChildren;
  children: ComponentChildren;
  testId?: string;
}) {
  return (
    <div class="tile">
      <div class={`tile-icon tone-${tone}`}>
        <Icon name={icon} size={20} />
      </div>
      <div class="tile-body">
        <div class="tile-label">{label}</div>
        <div class="tile-value" data-testid={testId}>
          {children}
        </div>
      </div>
    </div>
  );
}

export function ConnBadge({ connected, testId }: { connected: boolean; testId?: string }) {
  const { t } = useI18n();
  return (
    <span class={connected ? 'badge badge-green' : 'badge badge-red'} data-testid={testId} data-connected={String(connected)}>
      <span class="badge-dot" aria-hidden="true" />
      {connected ? t('status.connected') : t('status.disconnected')}
    </span>
  );
}

/** Asterisk connection, channels in use, calls in progress, Asterisk uptime. */
export function SummaryTiles() {
  const { t } = useI18n();
  const { status } = useLive();
  const na = t('status.notAvailable');
  const a = status?.asterisk;
  return (
    <div class="tiles" data-testid="summary-tiles">
      <Tile icon="phone" tone={a ? (a.connected ? 'green' : 'red') : 'slate'} label={t('status.asterisk.connection')}>
        {a ? <ConnBadge connected={a.connected} testId="tile-asterisk-connection" /> : na}
      </Tile>
      <Tile icon="layers" tone="blue" label={t('status.channels')} testId="tile-channels">
        {a ? a.channels : na}
      </Tile>
      <Tile icon="headset" tone="violet" label={t('status.calls')} testId="tile-calls">
        {a ? a.calls : na}
      </Tile>
      <Tile icon="clock" tone="amber" label={t('status.asterisk.uptime')} testId="tile-asterisk-uptime">
        {a ? formatUptime(t, a.uptimeSeconds) : na}
      </Tile>
    </div>
  );
}
