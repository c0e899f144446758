import { Alert, Button, Group, Text } from '@mantine/core';
import { errorCodeOf } from '../app/trpc.ts';
import { NoAccess } from '../app/no-access.tsx';

const MESSAGES: Record<string, string> = {
  NOT_FOUND: 'It does not exist, or it is not part of your tenant’s log.',
  BAD_REQUEST: 'The service did not accept this request. Check the filters.',
  TOO_MANY_REQUESTS: 'Too many requests right now. Wait a moment and try again.',
  SERVICE_UNAVAILABLE: 'The service cannot reach its database right now. Try again in a moment.',
};

/**
 * What a failed read shows: the "no access" screen for FORBIDDEN, otherwise what went wrong and a
 * way to try again. (UNAUTHORIZED never lands here for long: the sign-in screen takes over.)
 */
export function ErrorState({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  const code = errorCodeOf(error);
  if (code === 'FORBIDDEN') return <NoAccess />;
  const message = (code && MESSAGES[code]) ?? 'The service could not be reached, or it failed. Try again in a moment.';
  return (
    <Alert color="red" title={`Could not load ${what}`} role="alert">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">{message}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Group>
    </Alert>
  );
}
