import { LANGUAGES, useI18n } from '../i18n/index.js';
import { Icon } from './Icon.js';

/** Segmented zh-CN / en switch; the choice is stored in this browser. */
export function LanguageSwitch({ onChange }: { onChange?: (lang: 'zh-CN' | 'en') => void }) {
  const { lang, setLang, t } = useI18n();
  return (
    <div class="lang-switch" role="group" aria-label={t('lang.label')} data-testid="lang-switch">
      <Icon name="globe" size={16} class="lang-switch-icon" />
      {LANGUAGES.map((l) => (
        <button
          type="button"
          key={l}
          class={l === lang ? 'lang-option active' : 'lang-option'}
          aria-pressed={l === lang}
          lang={l}
          data-lang={l}
          onClick={() => {
            setLang(l);
            onChange?.(l);
          }}
        >
          {t(l === 'zh-CN' ? 'lang.zh-CN' : 'lang.en')}
        </button>
      ))}
    </div>
  );
}
