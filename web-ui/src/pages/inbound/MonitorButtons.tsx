// Live board: listen / whisper / barge on a seat's call, for team leads and managers. The
// lead's own seat rings first (the server picks the seat the lead's agent is logged in at).
import { useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { describeError } from '../../errors.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { inboundApi, type MonitorMode } from './inbound-api.js';
import './inbound.css';

const MODES: Array<{ mode: MonitorMode; key: MessageKey }> = [
  { mode: 'listen', key: 'monitor.listen' },
  { mode: 'whisper', key: 'monitor.whisper' },
  { mode: 'barge', key: 'monitor.barge' },
];

export const canMonitor = (u: User | undefined): boolean => !!u && ['admin', 'manager', 'team_lead'].some((r) => u.roles.includes(r as User['roles'][number]));

export function MonitorButtons({ seat }: { seat: string }) {
  const { t } = useI18n();
  const [msg, setMsg] = useState<string | null>(null);
  const go = async (mode: MonitorMode, key: MessageKey) => {
    try {
      const r = await inboundApi.monitor(seat, mode);
      setMsg(t('monitor.started', { seat: r.leadSeat, mode: t(key) }));
    } catch (e) {
      setMsg(describeError(t, e));
    }
  };
  return (
    <div class="ib-monitor" data-testid="seat-monitor">
      {MODES.map((m) => (
        <button type="button" class="btn btn-small btn-secondary" key={m.mode} onClick={() => void go(m.mode, m.key)} data-testid={`monitor-${m.mode}`}>
          {t(m.key)}
        </button>
      ))}
      {msg && (
        <span class="muted small" data-testid="monitor-msg">
          {msg}
        </span>
      )}
    </div>
  );
}
