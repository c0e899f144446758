import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LANGUAGE_STORAGE_KEY, LANGUAGES, pickLanguage, type TLanguage } from './languages.ts';
import { en } from './messages-en.ts';
import { es } from './messages-es.ts';

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * Spanish has a third plural form, `many` (a million, 1.5 millones): it reads as `other`, so each
 * `_other` text serves for `_many` too rather than falling back to English.
 */
export function withManyForms(messages: object): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(messages)) {
    out[key] = typeof value === 'string' ? value : withManyForms(value as object);
    if (typeof value === 'string' && key.endsWith('_other')) out[key.replace(/_other$/, '_many')] ??= value;
  }
  return out;
}

/** `<html lang>` follows the language, so screen readers and hyphenation read the page in it. */
function markDocument(lng: string): void {
  document.documentElement.lang = lng;
}

/**
 * One i18next instance for the viewer, with both catalogs bundled (two small objects: nothing to
 * fetch). It starts in the remembered language, else the browser's, else English.
 */
export function initI18n(): typeof i18next {
  const lng = pickLanguage(storedLanguage(), navigator.languages ?? [navigator.language]);
  void i18next.use(initReactI18next).init({
    lng,
    supportedLngs: [...LANGUAGES],
    // i18next 27 no longer falls back by default: a key missing in Spanish shows the English text
    fallbackLng: 'en',
    resources: { en: { translation: en }, es: { translation: withManyForms(es) } },
    // React escapes what it renders
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  markDocument(lng);
  i18next.on('languageChanged', markDocument);
  return i18next;
}

/** Switches the language and remembers it for the next visit. */
export function chooseLanguage(lng: TLanguage): void {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lng);
  } catch {
    // private mode: the choice holds until the page is reloaded
  }
  void i18next.changeLanguage(lng);
}

/** The current language as one of ours. */
export function currentLanguage(lng: string | undefined): TLanguage {
  return lng === 'es' ? 'es' : 'en';
}
