// Personal statistics of the day against the targets (progress bars). Fetched on load and after
// each disposition / call end by the page — never on a timer.
import { Icon } from '../../components/Icon.js';
import { formatDuration } from '../../format.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import type { DeskStats } from './desk-api.js';

function Bar({ id, labelKey, value, target }: { id: string; labelKey: MessageKey; value: number; target: number | null }) {
  const { t } = useI18n();
  const pct = target && target > 0 ? Math.min(100, Math.round((value / target) * 100)) : null;
  return (
    <div class="desk-stat" data-testid={`desk-stat-${id}`} data-value={value} data-target={target ?? ''}>
      <div class="desk-stat-head">
        <span>{t(labelKey)}</span>
        <span class="tnum">
          <b>{value}</b>
          {' / '}
          {target !== null ? t('desk.stats.target', { n: target }) : t('desk.stats.noTarget')}
        </span>
      </div>
      <div class="desk-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? 0}>
        <div class={pct !== null && pct >= 100 ? 'desk-bar-fill desk-bar-done' : 'desk-bar-fill'} style={{ width: `${pct ?? 0}%` }} />
      </div>
    </div>
  );
}

export function StatsPanel({ stats }: { stats: DeskStats | null }) {
  const { t } = useI18n();
  return (
    <div class="card desk-stats" data-testid="desk-stats">
      <div class="card-head">
        <h2 class="card-title">
          <Icon name="chart" size={18} />
          {t('desk.stats.title')}
        </h2>
        {stats && <span class="muted small">{stats.day}</span>}
      </div>
      <div class="card-body">
        {!stats ? (
          <span class="spinner" aria-hidden="true" />
        ) : (
          <>
            <Bar id="calls" labelKey="desk.stats.calls" value={stats.calls} target={stats.targets.calls} />
            <Bar id="contacts" labelKey="desk.stats.contacts" value={stats.contacts} target={stats.targets.contacts} />
            <Bar id="sales" labelKey="desk.stats.sales" value={stats.sales} target={stats.targets.sales} />
            <Bar id="talk" labelKey="desk.stats.talk" value={Math.floor(stats.talkSeconds / 60)} target={stats.targets.talkMinutes} />
            <dl class="desk-kv">
              <dt>{t('desk.stats.login')}</dt>
              <dd class="tnum">{formatDuration(stats.loginSeconds)}</dd>
              <dt>{t('desk.stats.pause')}</dt>
              <dd class="tnum">{formatDuration(stats.pauseSeconds)}</dd>
              <dt>{t('desk.stats.wrap')}</dt>
              <dd class="tnum">{formatDuration(stats.wrapSeconds)}</dd>
            </dl>
          </>
        )}
      </div>
    </div>
  );
}
