import { Center, EmptyState, Stack, Text } from '@mantine/core';
import type { TMeOutput } from '@modula/contracts';
import { PasswordChangeButton } from '../account/account-menu.tsx';
import { Trans, useTranslation } from 'react-i18next';
import { LockIcon } from '../common/lock-icon.tsx';
import { SignOutButton } from './sign-out-button.tsx';

/** Managers and Cashiers (and anyone the service answers FORBIDDEN) see this instead of the log. */
export function NoAccess({ me }: { me?: TMeOutput }) {
  const { t } = useTranslation();
  return (
    <Center mih="60vh" component="main">
      <EmptyState
        maw={480}
        variant="light"
        color="orange"
        icon={<LockIcon />}
        title={
          <span role="heading" aria-level={1}>
            {t('noAccess.title')}
          </span>
        }
        description={
          <Stack gap="xs">
            <Text size="sm">
              {t('noAccess.onlyAdmins')}
              {me && (
                <>
                  {' '}
                  <Trans
                    i18nKey="noAccess.signedInAs"
                    values={{ email: me.email, role: t(`role.${me.role}`).toLowerCase(), tenant: me.tenantName }}
                    components={{ b: <b /> }}
                  />
                </>
              )}
            </Text>
            <Text size="sm" c="dimmed">
              {t('noAccess.askAdmin')}
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
