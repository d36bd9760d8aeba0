// Frame for the signed-out pages (first-run setup, sign in): brand panel + form card.
import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/index.js';
import { Icon, Logo } from './Icon.js';
import { LanguageSwitch } from './LanguageSwitch.js';

export function AuthFrame({ children, wide }: { children: ComponentChildren; wide?: boolean }) {
  const { t } = useI18n();
  return (
    <div class="auth">
      <aside class="auth-brand">
        <div class="auth-brand-top">
          <Logo size={40} />
          <span class="auth-brand-name">{t('app.name')}</span>
        </div>
        <div class="auth-brand-middle">
          <h2 class="auth-brand-title">{t('app.tagline')}</h2>
          <ul class="auth-features">
            <li>
              <Icon name="headset" size={18} />
              <span>{t('auth.feature.seats')}</span>
            </li>
            <li>
              <Icon name="layers" size={18} />
              <span>{t('auth.feature.allInOne')}</span>
            </li>
            <li>
              <Icon name="lock" size={18} />
              <span>{t('auth.feature.local')}</span>
            </li>
          </ul>
        </div>
        <div class="auth-brand-foot">{t('auth.footer')}</div>
      </aside>
      <section class="auth-main">
        <div class="auth-toolbar">
          <span class="auth-compact-brand">
            <Logo size={28} />
            <span>{t('app.name')}</span>
          </span>
          <LanguageSwitch />
        </div>
        <div class={wide ? 'auth-card auth-card-wide' : 'auth-card'}>{children}</div>
      </section>
    </div>
  );
}
