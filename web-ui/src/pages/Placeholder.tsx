// A tidy "coming in a later release" page for areas that are not built yet (no fake data).
import { Icon, type IconName } from '../components/Icon.js';
import { PageHeader } from '../components/PageHeader.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Link } from '../router.js';

export function PlaceholderPage({ label, desc, icon }: { label: MessageKey; desc?: MessageKey; icon: IconName }) {
  const { t } = useI18n();
  const area = t(label);
  return (
    <div class="page">
      <PageHeader title={area} />
      <div class="card placeholder" data-testid="placeholder">
        <div class="placeholder-icon">
          <Icon name={icon} size={30} />
        </div>
        <span class="badge badge-blue">{t('placeholder.badge')}</span>
        <h2 class="placeholder-title">{t('placeholder.title')}</h2>
        <p class="placeholder-text">{t('placeholder.body', { area })}</p>
        {desc && (
          <div class="placeholder-scope">
            <div class="placeholder-scope-title">{t('placeholder.planned')}</div>
            <p>{t(desc)}</p>
          </div>
        )}
        <Link href="/" class="btn btn-secondary">
          <Icon name="dashboard" size={16} />
          {t('placeholder.backToDashboard')}
        </Link>
      </div>
    </div>
  );
}
