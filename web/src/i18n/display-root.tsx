import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { setDisplayFormat } from '../common/format-time.ts';
import { formatLocale, type TLanguage } from './languages.ts';
import { effectiveZone, useZoneState } from './time-zone-choice.ts';

/**
 * Sets the locale and time zone every date and number is formatted in, before the screens render.
 * A change of either renders the screens afresh (a new key): memoised rows format again, while
 * the cached answers of the service stay.
 */
export function DisplayRoot({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const language = (i18n.resolvedLanguage ?? 'en') as TLanguage;
  const zone = effectiveZone(useZoneState());
  const locale = formatLocale(language, navigator.language);
  setDisplayFormat({ locale, timeZone: zone });
  return <Fragment key={`${locale}|${zone}`}>{children}</Fragment>;
}
