/** The viewer's languages: English (the default) and Spanish, from one message catalog. */
export const LANGUAGES = ['en', 'es'] as const;
export type TLanguage = (typeof LANGUAGES)[number];

/** Each language by its own name, as a language menu lists them. */
export const LANGUAGE_NAMES: Record<TLanguage, string> = { en: 'English', es: 'Español' };

export const LANGUAGE_STORAGE_KEY = 'modula.language';

function asLanguage(tag: string | null | undefined): TLanguage | undefined {
  const base = tag?.toLowerCase().split('-')[0];
  return LANGUAGES.find((lng) => lng === base);
}

/**
 * The language to start in: the one chosen before (remembered in localStorage), else the first of
 * the browser's languages the viewer has, else English.
 */
export function pickLanguage(stored: string | null, browserLanguages: readonly string[]): TLanguage {
  return asLanguage(stored) ?? browserLanguages.map(asLanguage).find((lng) => lng !== undefined) ?? 'en';
}

/**
 * The locale dates and numbers are written in: the browser's own (en-GB stays en-GB) when it is in
 * the chosen language, else the language itself (Spanish chosen in an English browser: `es`).
 */
export function formatLocale(language: TLanguage, browserLanguage: string | undefined): string {
  return asLanguage(browserLanguage) === language && browserLanguage ? browserLanguage : language;
}
