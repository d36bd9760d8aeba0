import { Icon } from '../components/Icon.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <div class="page">
      <div class="card placeholder" data-testid="not-found">
        <div class="placeholder-icon">
          <Icon name="alert" size={30} />
        </div>
        <h2 class="placeholder-title">{t('notFound.title')}</h2>
        <p class="placeholder-text">{t('notFound.body')}</p>
        <Link href="/" class="btn btn-secondary">
          <Icon name="dashboard" size={16} />
          {t('placeholder.backToDashboard')}
        </Link>
      </div>
    </div>
  );
}
