import { Menu, SegmentedControl, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { zoneLabelOf } from '../common/format-time.ts';
import { chooseLanguage, currentLanguage } from './i18n.ts';
import { LANGUAGE_NAMES, LANGUAGES } from './languages.ts';
import { browserTimeZone, setZoneChoice, useZoneState, type TZoneChoice } from './time-zone-choice.ts';

const check = (on: boolean) => <span aria-hidden="true">{on ? '✓' : ' '}</span>;

/** The language and time-zone choices as items of the account menu (the header's). */
export function DisplayMenuItems({ tenantZone }: { tenantZone: string }) {
  const { t, i18n } = useTranslation();
  const language = currentLanguage(i18n.resolvedLanguage);
  const { choice } = useZoneState();
  return (
    <>
      <Menu.Divider />
      <Menu.Label>{t('prefs.language')}</Menu.Label>
      {LANGUAGES.map((lng) => (
        <Menu.Item key={lng} lang={lng} leftSection={check(lng === language)} aria-current={lng === language || undefined} onClick={() => chooseLanguage(lng)}>
          {LANGUAGE_NAMES[lng]}
        </Menu.Item>
      ))}
      <Menu.Divider />
      <Menu.Label>{t('prefs.times')}</Menu.Label>
      <Menu.Item leftSection={check(choice === 'viewer')} aria-current={choice === 'viewer' || undefined} onClick={() => setZoneChoice('viewer')}>
        {t('prefs.viewerZone', { zone: zoneLabelOf(browserTimeZone()) })}
      </Menu.Item>
      <Menu.Item leftSection={check(choice === 'tenant')} aria-current={choice === 'tenant' || undefined} onClick={() => setZoneChoice('tenant')}>
        {t('prefs.tenantZone', { zone: zoneLabelOf(tenantZone) })}
      </Menu.Item>
    </>
  );
}

/** The same choices as two switches, for the phone's menu (no header there). */
export function DisplaySwitches({ tenantZone }: { tenantZone: string }) {
  const { t, i18n } = useTranslation();
  const { choice } = useZoneState();
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500} id="language-switch">
        {t('prefs.language')}
      </Text>
      <SegmentedControl
        aria-labelledby="language-switch"
        value={currentLanguage(i18n.resolvedLanguage)}
        onChange={(v) => chooseLanguage(currentLanguage(v))}
        data={LANGUAGES.map((lng) => ({ value: lng, label: LANGUAGE_NAMES[lng] }))}
      />
      <Text size="sm" fw={500} id="zone-switch">
        {t('prefs.times')}
      </Text>
      <SegmentedControl
        aria-labelledby="zone-switch"
        orientation="vertical"
        value={choice}
        onChange={(v) => setZoneChoice(v as TZoneChoice)}
        data={[
          { value: 'viewer', label: t('prefs.viewerZone', { zone: zoneLabelOf(browserTimeZone()) }) },
          { value: 'tenant', label: t('prefs.tenantZone', { zone: zoneLabelOf(tenantZone) }) },
        ]}
      />
    </Stack>
  );
}

/** The language alone, as a small switch: the sign-in screen's (before anyone is signed in). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('prefs.language')}
      value={currentLanguage(i18n.resolvedLanguage)}
      onChange={(v) => chooseLanguage(currentLanguage(v))}
      data={LANGUAGES.map((lng) => ({ value: lng, label: LANGUAGE_NAMES[lng] }))}
    />
  );
}
