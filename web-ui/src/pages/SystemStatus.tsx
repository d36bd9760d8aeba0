// System → Status: live over the websocket (hello, system.status, call.updated, call.ended).
import type { LiveCall } from '../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../components/Alert.js';
import { Icon } from '../components/Icon.js';
import { ConnBadge, LiveBanner, LiveUpdated, SummaryTiles } from '../components/LiveWidgets.js';
import { PageHeader } from '../components/PageHeader.js';
import { formatDuration, formatMegabytes, formatTime, formatUptime } from '../format.js';
import { useI18n, type MessageKey, type TFunction } from '../i18n/index.js';
import { useLive, useNow } from '../live.js';
import { EmptyRow } from '../components/EmptyRow.js';

const DIRECTIONS: Record<string, MessageKey> = {
  inbound: 'direction.inbound',
  in: 'direction.inbound',
  outbound: 'direction.outbound',
  out: 'direction.outbound',
  internal: 'direction.internal',
  unknown: 'direction.unknown',
};
const STATES: Record<string, { key: MessageKey; tone: string }> = {
  ringing: { key: 'callState.ringing', tone: 'amber' },
  answered: { key: 'callState.answered', tone: 'green' },
  bridged: { key: 'callState.bridged', tone: 'blue' },
  ended: { key: 'callState.ended', tone: 'slate' },
};

function directionLabel(t: TFunction, d: string): string {
  const k = DIRECTIONS[d];
  return k ? t(k) : d;
}

function CallRow({ call, now }: { call: LiveCall; now: number }) {
  const { t, lang } = useI18n();
  const na = t('status.notAvailable');
  const st = STATES[call.state];
  const start = Date.parse(call.answeredAt ?? call.createdAt);
  const end = call.endedAt ? Date.parse(call.endedAt) : now;
  return (
    <tr class={call.state === 'ended' ? 'row-ended' : undefined} data-testid="live-call-row" data-linkedid={call.linkedid} data-state={call.state}>
      <td class="tnum">{call.from ?? na}</td>
      <td class="tnum">{call.to ?? na}</td>
      <td>{directionLabel(t, call.direction)}</td>
      <td>
        <span class={`badge badge-${st?.tone ?? 'slate'}`}>{st ? t(st.key) : call.state}</span>
      </td>
      <td class="num">{formatTime(lang, call.createdAt)}</td>
      <td class="num">{Number.isFinite(start) ? formatDuration((end - start) / 1000) : na}</td>
      <td class="num">{call.legs.length}</td>
    </tr>
  );
}

export function SystemStatusPage() {
  const { t, lang } = useI18n();
  const { status, calls, conn } = useLive();
  const now = useNow(1000, Object.keys(calls).length > 0);
  const na = t('status.notAvailable');
  const a = status?.asterisk;
  const callList = Object.values(calls).sort((x, y) => x.createdAt.localeCompare(y.createdAt));
  const activeCount = callList.filter((c) => c.state !== 'ended').length;

  return (
    <div class={conn === 'open' ? 'page' : 'page stale'} data-testid="system-status">
      <PageHeader title={t('status.title')} subtitle={t('status.subtitle')} actions={<LiveUpdated />} />
      <LiveBanner />
      {!status ? (
        <div class="card">
          <div class="card-body empty">
            <span class="spinner" aria-hidden="true" />
            {t('live.waiting')}
          </div>
        </div>
      ) : (
        <>
          <SummaryTiles />
          {a?.lastReloadError && (
            <Alert kind="error" title={t('status.lastReloadError')} testId="reload-error">
              <code class="pre">{a.lastReloadError}</code>
            </Alert>
          )}
          <div class="grid-2">
            <div class="card">
              <div class="card-head">
                <h2 class="card-title">
                  <Icon name="phone" size={18} />
                  {t('status.asterisk.title')}
                </h2>
              </div>
              <dl class="kv">
                <dt>{t('status.asterisk.connection')}</dt>
                <dd>{a ? <ConnBadge connected={a.connected} testId="asterisk-connection" /> : na}</dd>
                <dt>{t('status.asterisk.version')}</dt>
                <dd data-testid="asterisk-version">
                  {a?.version ?? na}
                </dd>
                <dt>{t('status.asterisk.uptime')}</dt>
                <dd data-testid="asterisk-uptime">{formatUptime(t, a?.uptimeSeconds)}</dd>
                <dt>{t('status.channels')}</dt>
                <dd class="num" data-testid="channels-in-use">
                  {a ? a.channels : na}
                </dd>
                <dt>{t('status.calls')}</dt>
                <dd class="num" data-testid="calls-in-progress">
                  {a ? a.calls : na}
                </dd>
                <dt>{t('status.lastReloadError')}</dt>
                <dd data-testid="last-reload-error">
                  {a?.lastReloadError ? (
                    <span class="badge badge-red">{t('status.reloadErrorSeeAbove')}</span>
                  ) : (
                    <span class="muted">{t('status.noReloadError')}</span>
                  )}
                </dd>
              </dl>
            </div>
            <div class="card">
              <div class="card-head">
                <h2 class="card-title">
                  <Icon name="cpu" size={18} />
                  {t('status.agent.title')}
                </h2>
                {status.demo && <span class="badge badge-amber">{t('status.demoMode')}</span>}
              </div>
              <dl class="kv">
                <dt>{t('status.agent.version')}</dt>
                <dd data-testid="agent-version">
                  {status.version}
                </dd>
                <dt>{t('status.agent.uptime')}</dt>
                <dd data-testid="agent-uptime">{formatUptime(t, status.agentUptimeSeconds)}</dd>
                <dt>{t('status.agent.memory')}</dt>
                <dd data-testid="agent-memory">{formatMegabytes(t, lang, status.rssBytes)}</dd>
              </dl>
              {status.demo && <p class="card-note">{t('status.demoModeHint')}</p>}
            </div>
          </div>
        </>
      )}

      <div class="card">
        <div class="card-head">
          <h2 class="card-title">
            <Icon name="headset" size={18} />
            {t('calls.title')}
            <span class="count-pill" data-testid="live-calls-count">
              {t('calls.count', { count: activeCount })}
            </span>
          </h2>
        </div>
        <div class="table-wrap">
          <table class="table" data-testid="live-calls-table">
            <thead>
              <tr>
                <th>{t('calls.col.from')}</th>
                <th>{t('calls.col.to')}</th>
                <th>{t('calls.col.direction')}</th>
                <th>{t('calls.col.state')}</th>
                <th class="num">{t('calls.col.started')}</th>
                <th class="num">{t('calls.col.duration')}</th>
                <th class="num">{t('calls.col.channels')}</th>
              </tr>
            </thead>
            <tbody>
              {callList.length === 0 ? (
                <EmptyRow cols={7} testId="live-calls-empty">
                  {t('calls.empty')}
                </EmptyRow>
              ) : (
                callList.map((c) => <CallRow key={c.linkedid} call={c} now={now} />)
              )}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
