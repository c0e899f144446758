import { Alert, Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { errorCodeOf } from '../app/trpc.ts';
import { NoAccess } from '../app/no-access.tsx';

const KNOWN = ['NOT_FOUND', 'BAD_REQUEST', 'TOO_MANY_REQUESTS', 'SERVICE_UNAVAILABLE'] as const;

/**
 * What a failed read shows: the "no access" screen for FORBIDDEN, otherwise what went wrong and a
 * way to try again. (UNAUTHORIZED never lands here for long: the sign-in screen takes over.)
 */
export function ErrorState({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  const { t } = useTranslation();
  const code = errorCodeOf(error);
  if (code === 'FORBIDDEN') return <NoAccess />;
  const known = KNOWN.find((k) => k === code);
  const message = known ? t(`error.${known}`) : t('error.other');
  return (
    <Alert color="red" title={t('error.couldNotLoad', { what })} role="alert">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">{message}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            {t('error.tryAgain')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}
