import { AppShell, Group, Text, Title } from '@mantine/core';
import type { TMeOutput } from '@modula/contracts';
import type { ReactNode } from 'react';
import { AccountMenu } from '../account/account-menu.tsx';
import { IntegrityBadge } from './integrity-badge.tsx';
import { ScreenLink } from './screen-link.tsx';
import { SignOutButton } from './sign-out-button.tsx';

const NAV = [
  { to: '/', label: 'Audit log', end: true },
  { to: '/suspicious-sign-ins', label: 'Suspicious sign-ins', end: false },
  { to: '/device-gaps', label: 'Missing device events', end: false },
];

/** The frame of the Admin's screens: the tenant, its screens, the chain's state, who is signed in. */
export function AppLayout({ me, children }: { me: TMeOutput; children: ReactNode }) {
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Title order={1} size="h4">
              Modula Audit{' '}
              <Text span c="dimmed" fw={400}>
                · {me.tenantName}
              </Text>
            </Title>
            <Group component="nav" aria-label="Screens" gap={4} wrap="nowrap">
              {NAV.map((item) => (
                <ScreenLink key={item.to} {...item} />
              ))}
            </Group>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <IntegrityBadge />
            <AccountMenu me={me} />
            <SignOutButton />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
