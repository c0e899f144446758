import { AppShell, Burger, Divider, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import type { TMeOutput } from '@modula/contracts';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { AccountMenu, PasswordChangeButton } from '../account/account-menu.tsx';
import { DisplaySwitches } from '../i18n/display-menu.tsx';
import { setTenantZone } from '../i18n/time-zone-choice.ts';
import { IntegrityBadge } from './integrity-badge.tsx';
import { ScreenLink } from './screen-link.tsx';
import { ScreenMenu } from './screen-menu.tsx';
import { SignOutButton } from './sign-out-button.tsx';

/**
 * The screens, in the order of the phone's menu. The header shows the `connection` ones (those that
 * hand the log to other systems) behind one "Connections" menu, so it fits in one line in Spanish too.
 */
const NAV = [
  { to: '/', key: 'nav.log', end: true, connection: false },
  { to: '/suspicious-sign-ins', key: 'nav.suspicious', end: false, connection: false },
  { to: '/device-gaps', key: 'nav.gaps', end: false, connection: false },
  { to: '/read-tokens', key: 'nav.tokens', end: false, connection: true },
  { to: '/ai-actions', key: 'nav.ai', end: false, connection: false },
  { to: '/alerts', key: 'nav.alerts', end: false, connection: false },
  { to: '/log-streams', key: 'nav.streams', end: false, connection: true },
] as const;

/** Below this width (Mantine's `lg`) the header's screens, badge and account fold into a menu. */
const COMPACT_QUERY = '(max-width: 74.99em)';
const MENU_ID = 'app-menu';
/** The header's rows: the name, the chain badge and the account; below them (desktop) the screens. */
const HEADER_ROW = 56;
const NAV_ROW = 40;

/**
 * The frame of the Admin's screens: the tenant, its screens, the chain's state, who is signed in.
 * On a phone or a narrow window the header keeps the name and a menu button; the menu holds every
 * screen, the chain badge, the account (language and time zone too) and sign-out, so each stays
 * within reach at 390 px. The tenant's time zone, from auth.me, is what "the business's time zone" shows.
 */
export function AppLayout({ me, children }: { me: TMeOutput; children: ReactNode }) {
  const compact = useMediaQuery(COMPACT_QUERY, undefined, { getInitialValueInEffect: false });
  const [opened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();
  const { t } = useTranslation();
  useEffect(() => setTenantZone(me.tenantTimeZone), [me.tenantTimeZone]);
  // a screen chosen in the menu closes it
  useEffect(() => close(), [pathname, close]);
  return (
    <AppShell
      header={{ height: compact ? HEADER_ROW : HEADER_ROW + NAV_ROW }}
      navbar={{ width: 320, breakpoint: 'lg', collapsed: { mobile: !opened, desktop: true } }}
      padding={compact ? 'xs' : 'md'}
    >
      <AppShell.Header>
        <Group h={HEADER_ROW} px={compact ? 'sm' : 'md'} justify="space-between" wrap="nowrap" gap="lg">
          <Title order={1} size="h4" miw={0} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
            {t('app.name')}{' '}
            <Text span c="dimmed" fw={400}>
              · {me.tenantName}
            </Text>
          </Title>
          {compact ? (
            <Burger
              opened={opened}
              onClick={toggle}
              size="sm"
              aria-label={opened ? t('app.closeMenu') : t('app.openMenu')}
              aria-controls={opened ? MENU_ID : undefined}
              aria-expanded={opened}
            />
          ) : (
            <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
              <IntegrityBadge />
              <AccountMenu me={me} />
              <SignOutButton />
            </Group>
          )}
        </Group>
        {!compact && (
          // the screens have a row of their own: beside the name, the chain badge and the account they
          // did not fit in one line in Spanish below 1440 px, and the tenant's name was squeezed away
          <Group component="nav" aria-label={t('app.screens')} h={NAV_ROW} px="md" gap={4} wrap="nowrap" style={{ overflowX: 'auto', scrollbarWidth: 'thin' }}>
            {NAV.filter((item) => !item.connection).map(({ key, to, end }) => (
              <ScreenLink key={to} to={to} end={end} label={t(key)} />
            ))}
            <ScreenMenu label={t('nav.connections')} items={NAV.filter((item) => item.connection).map(({ key, to, end }) => ({ to, end, label: t(key) }))} />
          </Group>
        )}
      </AppShell.Header>
      {compact && opened && (
        <AppShell.Navbar p="md" id={MENU_ID} aria-label={t('app.menu')}>
          <Stack gap="md">
            <Stack component="nav" aria-label={t('app.screens')} gap={4}>
              {/* every screen a line of its own: no submenu on a phone */}
              {NAV.map(({ key, to, end }) => (
                <ScreenLink key={to} to={to} end={end} label={t(key)} block />
              ))}
            </Stack>
            <Divider />
            <IntegrityBadge />
            <Divider />
            <Stack gap="xs" aria-label={t('app.account')} component="section">
              <Text size="sm" fw={500}>
                {me.name ?? me.email}
                {me.name && (
                  <Text span size="xs" c="dimmed" display="block">
                    {me.email}
                  </Text>
                )}
              </Text>
              <PasswordChangeButton />
              <SignOutButton />
            </Stack>
            <Divider />
            <DisplaySwitches tenantZone={me.tenantTimeZone} />
          </Stack>
        </AppShell.Navbar>
      )}
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
