// App-wide fax notification: a toast when a fax lands in the inbox (live frame fax.received),
// with the unread count and a link to the inbox. Only for users who may read faxes.
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../../firmware-agent/src/http/schemas.js';
import { useI18n } from '../../i18n/index.js';
import { useLiveMessages } from '../../live.js';
import { Link } from '../../router.js';
import { canUseFax, type FaxInboxItem } from './fax-api.js';
import './fax.css';

export const FAX_PATH = '/fax-sms';

export function FaxNotifier({ user }: { user: User }) {
  const { t } = useI18n();
  const [last, setLast] = useState<{ item: FaxInboxItem; unread: number } | null>(null);
  const allowed = canUseFax(user.roles);
  useLiveMessages((msg) => {
    if (allowed && msg.type === 'fax.received') setLast(msg.data);
  });
  useEffect(() => {
    if (!last) return;
    const timer = setTimeout(() => setLast(null), 15_000);
    return () => clearTimeout(timer);
  }, [last]);
  if (!last) return null;
  const from = last.item.callerNumber ?? last.item.remoteStation ?? t('fax.unknown');
  return (
    <div class="fax-toast" role="status" data-testid="fax-toast">
      <strong>{last.item.status === 'received' ? t('fax.toast.received', { pages: last.item.pages, from }) : t('fax.toast.failed', { from })}</strong>
      <span class="fax-muted">{t('fax.unread', { n: last.unread })}</span>
      <div class="fax-toast-actions">
        <button type="button" class="btn btn-small btn-secondary" onClick={() => setLast(null)}>
          {t('fax.toast.close')}
        </button>
        <Link href={FAX_PATH} class="btn btn-small btn-primary">
          {t('fax.toast.open')}
        </Link>
      </div>
    </div>
  );
}
