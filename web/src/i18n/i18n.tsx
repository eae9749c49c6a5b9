import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, ru, type MessageKey, type Messages } from './messages';

export const LANGUAGES = { en: 'English', ru: 'Русский' } as const;
export type Language = keyof typeof LANGUAGES;
const DICTIONARIES: Record<Language, Messages> = { en, ru };
const CHOSEN_LANGUAGE_KEY = 'dishpatch.language';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** The language chosen here before, else the browser's first one we have, else English. */
export function initialLanguage(chosen: string | null, browserLanguages: readonly string[]): Language {
  if (chosen && chosen in LANGUAGES) return chosen as Language;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (base in LANGUAGES) return base as Language;
  }
  return 'en';
}

export function translator(language: Language): Translate {
  const messages = DICTIONARIES[language];
  return (key, values) => messages[key].replace(/\{(\w+)\}/g, (placeholder, name: string) => String(values?.[name] ?? placeholder));
}

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  formatMoney: (amount: string) => string;
  formatDateTime: (iso: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() => initialLanguage(localStorage.getItem(CHOSEN_LANGUAGE_KEY), navigator.languages));
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(CHOSEN_LANGUAGE_KEY, next);
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(() => {
    // Money arrives as an exact decimal string; it is shown as it is, with the locale's separator.
    const decimalSeparator = language === 'ru' ? ',' : '.';
    const dateTime = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      language,
      setLanguage,
      t: translator(language),
      formatMoney: (amount) => amount.replace(".", decimalSeparator),
      formatDateTime: (iso) => dateTime.format(new Date(iso)),
    };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
