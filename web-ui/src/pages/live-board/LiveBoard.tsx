// Agents & Seats → Live board: a wallboard of every seat and its agent (state colour, ticking
// duration, pause reason, wrap-up countdown), state counts, trunks and spans. Durations are
// computed here from `since` every second; the server only pushes changes.
import type { SpanLive } from '../../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../../components/Alert.js';
import { Icon, type IconName } from '../../components/Icon.js';
import { LiveBanner, LiveUpdated } from '../../components/LiveWidgets.js';
import { PageHeader } from '../../components/PageHeader.js';
import { describeError } from '../../errors.js';
import { formatDuration } from '../../format.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { useLive, useNow } from '../../live.js';
import { useState } from 'preact/hooks';
import type { Agent, PauseReason, SeatLive, TrunkLive } from '../agents/agents-api.js';
import { reasonLabel, stateLabel, stateTone, STATE_META } from '../agents/states.js';
import { useBoardData } from './useBoardData.js';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { canMonitor, MonitorButtons } from '../inbound/MonitorButtons.js';
import './live-board.css';

const COUNTED = ['ready', 'ringing', 'talking', 'wrap_up', 'paused', 'logged_out'] as const;
const TILE_ICON: Record<(typeof COUNTED)[number], IconName> = {
  ready: 'check',
  ringing: 'phone',
  talking: 'headset',
  wrap_up: 'clock',
  paused: 'circle',
  logged_out: 'logout',
};

function SeatCard({ seat, now, reasons, monitor }: { seat: SeatLive; now: number; reasons: PauseReason[]; monitor?: boolean }) {
  const { t, lang } = useI18n();
  const tone = stateTone(seat.state);
  const secs = Math.max(0, (now - Date.parse(seat.since)) / 1000);
  const left = seat.wrapUpEndsAt ? Math.max(0, Math.ceil((Date.parse(seat.wrapUpEndsAt) - now) / 1000)) : null;
  return (
    <div class={`lb-seat lb-tone-${tone}${seat.agent ? '' : ' lb-seat-empty'}`} data-testid="seat-card" data-seat={seat.extension} data-state={seat.state}>
      <div class="lb-seat-head">
        <span class="lb-seat-ext">{seat.extension}</span>
        <span class="lb-seat-kind">{seat.kind === 'fxs' ? t('board.kind.fxs') : t('board.kind.sip')}</span>
        <span
          class={seat.registered ? 'lb-reg lb-reg-on' : 'lb-reg lb-reg-off'}
          title={seat.registered ? t('board.phone.online') : t('board.phone.offline')}
          aria-label={seat.registered ? t('board.phone.online') : t('board.phone.offline')}
        />
      </div>
      <div class="lb-seat-agent" data-testid="seat-agent">
        {seat.agent ? (
          <>
            <span class="lb-agent-name">{seat.agent.name}</span>
            <span class="lb-agent-no">{seat.agent.number}</span>
          </>
        ) : (
          <span class="lb-agent-none">{t('board.noAgent')}</span>
        )}
      </div>
      <div class="lb-seat-state">
        {/* An empty seat says "nobody logged in" once, above. */}
        <span class={seat.agent ? `lb-state lb-state-${tone}` : 'lb-state lb-state-hidden'} data-testid="seat-state">
          {stateLabel(t, seat.state)}
        </span>
        {seat.agent && (
          <span class="lb-duration tnum" data-testid="seat-duration" data-seconds={Math.floor(secs)}>
            {formatDuration(secs)}
          </span>
        )}
      </div>
      <div class="lb-seat-detail" data-testid="seat-detail">
        {seat.state === 'paused' && <span data-testid="seat-reason">{reasonLabel(t, lang, reasons, seat.pauseReason)}</span>}
        {seat.state === 'wrap_up' && left !== null && (
          <span data-testid="seat-wrapup" class="tnum">
            {t('board.wrapUpLeft', { time: formatDuration(left) })}
          </span>
        )}
        {(seat.state === 'talking' || seat.state === 'ringing') && <Icon name={seat.state === 'talking' ? 'headset' : 'phone'} size={14} />}
      </div>
      {monitor && seat.state === 'talking' && <MonitorButtons seat={seat.extension} />}
    </div>
  );
}

const TRUNK_TONE: Record<string, string> = { registered: 'green', reachable: 'green', up: 'green', unregistered: 'amber', rejected: 'red', unreachable: 'red', alarm: 'red' };
const TRUNK_STATUS: Record<string, MessageKey> = {
  registered: 'board.trunk.registered',
  unregistered: 'board.trunk.unregistered',
  rejected: 'board.trunk.rejected',
  reachable: 'board.trunk.reachable',
  unreachable: 'board.trunk.unreachable',
  up: 'board.trunk.up',
  alarm: 'board.trunk.alarm',
  unknown: 'board.trunk.unknown',
};
const TRUNK_KIND: Record<string, MessageKey> = { sip: 'board.trunkKind.sip', fxo: 'board.trunkKind.fxo', e1: 'board.trunkKind.e1' };

function TrunksCard({ trunks }: { trunks: Record<string, TrunkLive> | null }) {
  const { t } = useI18n();
  const list = trunks ? Object.values(trunks).sort((a, b) => a.name.localeCompare(b.name)) : [];
  return (
    <div class="card" data-testid="board-trunks">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="layers" size={18} />
          {t('board.trunks')}
        </h2>
      </div>
      {list.length === 0 ? (
        <div class="card-body empty" data-testid="trunks-empty">
          {trunks === null ? t('board.trunks.unavailable') : t('board.trunks.none')}
        </div>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t('board.col.name')}</th>
                <th>{t('board.col.kind')}</th>
                <th>{t('board.col.status')}</th>
                <th class="num">{t('board.col.channels')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((x) => (
                <tr key={x.id} data-testid="trunk-row" title={x.detail ?? undefined}>
                  <td>{x.name}</td>
                  <td>{TRUNK_KIND[x.kind] ? t(TRUNK_KIND[x.kind]!) : x.kind}</td>
                  <td>
                    <span class={`badge badge-${TRUNK_TONE[x.status] ?? 'slate'}`}>{TRUNK_STATUS[x.status] ? t(TRUNK_STATUS[x.status]!) : x.status}</span>
                  </td>
                  <td class="num tnum">{`${x.channelsInUse} / ${x.maxChannels}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function SpansCard({ spans }: { spans: Record<number, SpanLive> }) {
  const { t } = useI18n();
  const list = Object.values(spans).sort((a, b) => a.span - b.span);
  return (
    <div class="card" data-testid="board-spans">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="cpu" size={18} />
          {t('board.spans')}
        </h2>
      </div>
      {list.length === 0 ? (
        <div class="card-body empty" data-testid="spans-empty">
          {t('board.spans.none')}
        </div>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t('board.col.span')}</th>
                <th>{t('board.col.status')}</th>
                <th class="num">{t('board.col.channels')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => {
                const ok = s.alarms.length === 0 || (s.alarms.length === 1 && s.alarms[0] === 'OK');
                return (
                  <tr key={s.span} data-testid="span-row" title={s.description}>
                    <td>{`${s.span} · ${s.name}`}</td>
                    <td>
                      <span class={ok ? 'badge badge-green' : 'badge badge-red'}>{ok ? t('board.span.ok') : s.alarms.join(' ')}</span>
                    </td>
                    <td class="num tnum">{`${s.channelsInUse} / ${s.channels}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function LiveBoardPage({ user }: { user?: User } = {}) {
  const { t } = useI18n();
  const { conn } = useLive();
  const data = useBoardData();
  const [hideEmpty, setHideEmpty] = useState(false);
  useNow(1000); // re-render every second; the time itself is read now, not at the last tick
  const now = Date.now() + data.skewMs;
  const seats = Object.values(data.seats).sort((a, b) => a.extension.length - b.extension.length || a.extension.localeCompare(b.extension));
  const seatedAgentIds = new Set(seats.flatMap((s) => (s.agent ? [s.agent.id] : [])));
  const absent: Agent[] | null = data.agents ? data.agents.filter((a) => a.active && !seatedAgentIds.has(a.id)) : null;
  const counts: Record<string, number> = Object.fromEntries(COUNTED.map((s) => [s, 0]));
  for (const s of seats) if (s.agent) counts[s.state] = (counts[s.state] ?? 0) + 1;
  // Logged out: agents who are not at any seat (or, without the agent list, empty seats).
  counts.logged_out = absent ? absent.length : seats.filter((s) => !s.agent).length;
  const shown = hideEmpty ? seats.filter((s) => s.agent) : seats;

  return (
    <div class={conn === 'open' ? 'page lb-page' : 'page lb-page stale'} data-testid="live-board">
      <PageHeader
        title={t('board.title')}
        subtitle={t('board.subtitle')}
        actions={
          <>
            <label class="lb-toggle">
              <input type="checkbox" checked={hideEmpty} onChange={(e) => setHideEmpty((e.target as HTMLInputElement).checked)} data-testid="hide-empty" />
              {t('board.hideEmpty')}
            </label>
            <LiveUpdated />
          </>
        }
      />
      <LiveBanner />
      {data.error !== null && (
        <Alert kind="error" title={t('board.loadFailed')}>
          {describeError(t, data.error)}
        </Alert>
      )}
      <div class="lb-tiles" data-testid="board-summary">
        {COUNTED.map((s) => (
          <div class={`lb-tile lb-tone-${STATE_META[s].tone}`} key={s} data-testid={`count-${s}`} data-count={counts[s]}>
            <div class="lb-tile-icon">
              <Icon name={TILE_ICON[s]} size={18} />
            </div>
            <div>
              <div class="lb-tile-value tnum">{counts[s]}</div>
              <div class="lb-tile-label">{s === 'logged_out' && !absent ? t('board.emptySeats') : stateLabel(t, s)}</div>
            </div>
          </div>
        ))}
      </div>

      <div class="card">
        <div class="card-head">
          <h2 class="card-title">
            <Icon name="users" size={18} />
            {t('board.seats')}
            <span class="count-pill">{seats.length}</span>
          </h2>
        </div>
        {!data.loaded ? (
          <div class="card-body empty">
            <span class="spinner" aria-hidden="true" />
            {t('live.waiting')}
          </div>
        ) : shown.length === 0 ? (
          <div class="card-body empty" data-testid="seats-empty">
            {seats.length === 0 ? t('board.noSeats') : t('board.noOneSeated')}
          </div>
        ) : (
          <div class="lb-grid" data-testid="seat-grid">
            {shown.map((s) => (
              <SeatCard key={s.extension} seat={s} now={now} reasons={data.reasons} monitor={canMonitor(user)} />
            ))}
          </div>
        )}
      </div>

      {absent && absent.length > 0 && (
        <div class="card" data-testid="absent-agents">
          <div class="card-head">
            <h2 class="card-title">
              <Icon name="logout" size={18} />
              {t('board.absent')}
              <span class="count-pill">{absent.length}</span>
            </h2>
          </div>
          <div class="lb-chips">
            {absent.map((a) => (
              <span class="lb-chip" key={a.id}>
                <span class="lb-agent-name">{a.name}</span>
                <span class="lb-agent-no">{a.number}</span>
              </span>
            ))}
          </div>
        </div>
      )}

      <div class="grid-2">
        <TrunksCard trunks={data.trunks} />
        <SpansCard spans={data.spans} />
      </div>
    </div>
  );
}
