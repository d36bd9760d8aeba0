// i18n: two dictionaries (zh-CN default, en), a context with the current language,
// persistence in localStorage and <html lang>. Every UI string goes through t('key').
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import type { Language } from '../../../firmware-agent/src/http/schemas.js';
import { zhCN, type MessageKey } from './zh-CN.js';
import { en } from './en.js';

export type { MessageKey };
export type Lang = Language;
export type Params = Record<string, string | number>;
export type TFunction = (key: MessageKey, params?: Params) => string;

export const LANGUAGES: readonly Lang[] = ['zh-CN', 'en'];
export const DEFAULT_LANG: Lang = 'zh-CN';
export const STORAGE_KEY = 'seatbox.language';

export const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export function isLang(v: unknown): v is Lang {
  return v === 'zh-CN' || v === 'en';
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const s = dictionaries[lang][key] ?? dictionaries[DEFAULT_LANG][key] ?? key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** The language the user chose explicitly in this browser, if any. */
export function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* private mode or storage disabled: the choice lasts for this page only */
  }
}

interface I18nValue {
  lang: Lang;
  t: TFunction;
  /** Switch language and remember the choice in this browser. */
  setLang: (lang: Lang) => void;
  /** Adopt a language (e.g. the server-side user.language) unless the user chose one in this browser. */
  adoptLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [lang, setLangState] = useState<Lang>(() => storedLang() ?? DEFAULT_LANG);

  // Layout effect: <html lang> changes in the same frame as the texts (CJK font choice depends on it).
  useLayoutEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((l: Lang) => {
    storeLang(l);
    setLangState(l);
  }, []);
  const adoptLang = useCallback((l: Lang) => {
    if (storedLang() === null) setLangState(l);
  }, []);

  const value = useMemo<I18nValue>(
    () => ({ lang, setLang, adoptLang, t: (key, params) => translate(lang, key, params) }),
    [lang, setLang, adoptLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
