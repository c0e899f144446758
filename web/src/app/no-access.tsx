import { Center, EmptyState, Stack, Text } from '@mantine/core';
import type { TMeOutput } from '@modula/contracts';
import { PasswordChangeButton } from '../account/account-menu.tsx';
import { humanize } from '../common/labels.ts';
import { LockIcon } from '../common/lock-icon.tsx';
import { SignOutButton } from './sign-out-button.tsx';

/** Managers and Cashiers (and anyone the service answers FORBIDDEN) see this instead of the log. */
export function NoAccess({ me }: { me?: TMeOutput }) {
  return (
    <Center mih="60vh" component="main">
      <EmptyState
        maw={480}
        variant="light"
        color="orange"
        icon={<LockIcon />}
        title={
          <span role="heading" aria-level={1}>
            No access to the audit log
          </span>
        }
        description={
          <Stack gap="xs">
            <Text size="sm">
              Only Admins of a tenant can read its audit log.
              {me && (
                <>
                  {' '}
                  You are signed in as <b>{me.email}</b> ({humanize(me.role).toLowerCase()} at {me.tenantName}).
                </>
              )}
            </Text>
            <Text size="sm" c="dimmed">
              Ask an Admin of your business if you need an entry looked up.
            </Text>
          </Stack>
        }
      >
        <EmptyState.Actions>
          {me && <PasswordChangeButton />}
          <SignOutButton variant="filled" />
        </EmptyState.Actions>
      </EmptyState>
    </Center>
  );
}
