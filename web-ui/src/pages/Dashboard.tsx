// Dashboard: a live summary of the appliance (more boards come with later releases).
import type { User } from '../../../firmware-agent/src/http/schemas.js';
import { Alert } from '../components/Alert.js';
import { Icon } from '../components/Icon.js';
import { LiveBanner, LiveUpdated, SummaryTiles } from '../components/LiveWidgets.js';
import { PageHeader } from '../components/PageHeader.js';
import { formatMegabytes, formatUptime } from '../format.js';
import { useI18n } from '../i18n/index.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';

export function DashboardPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const { status, conn } = useLive();
  const na = t('status.notAvailable');
  return (
    <div class={conn === 'open' ? 'page' : 'page stale'}>
      <PageHeader
        title={t('dashboard.welcome', { name: user.displayName || user.username })}
        subtitle={t('dashboard.subtitle')}
        actions={<LiveUpdated />}
      />
      <LiveBanner />
      <SummaryTiles />
      <div class="grid-2">
        <div class="card">
          <div class="card-head">
            <h2 class="card-title">
              <Icon name="server" size={18} />
              {t('status.agent.title')}
            </h2>
            <Link href="/system/status" class="card-link">
              {t('dashboard.viewStatus')}
              <Icon name="chevronRight" size={14} />
            </Link>
          </div>
          <dl class="kv">
            <dt>{t('status.agent.version')}</dt>
            <dd>{status ? status.version : na}</dd>
            <dt>{t('status.agent.uptime')}</dt>
            <dd>{status ? formatUptime(t, status.agentUptimeSeconds) : na}</dd>
            <dt>{t('status.agent.memory')}</dt>
            <dd>{status ? formatMegabytes(t, lang, status.rssBytes) : na}</dd>
            <dt>{t('status.asterisk.version')}</dt>
            <dd>{status?.asterisk.version ?? na}</dd>
          </dl>
        </div>
        <div class="card card-muted">
          <div class="card-body">
            <Alert kind="info">{t('dashboard.moreComing')}</Alert>
            {status?.demo && (
              <Alert kind="warning" title={t('status.demoMode')}>
                {t('status.demoModeHint')}
              </Alert>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
