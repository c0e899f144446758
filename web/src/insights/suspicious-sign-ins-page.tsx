import { EmptyState, Group, Loader, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTRPC } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { FailedLoginsTable } from './failed-logins-table.tsx';

const PERIODS = [
  { value: '1', label: 'Last 24 hours' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: 'all', label: 'All time' },
];
const WINDOW_MINUTES = 60;
const THRESHOLD = 5;

/** Accounts with more than five failed sign-ins within one hour: brute force, or shared credentials. */
export function SuspiciousSignInsPage() {
  const trpc = useTRPC();
  const [period, setPeriod] = useState('7');
  const from = useMemo(() => (period === 'all' ? undefined : new Date(Date.now() - Number(period) * 86_400_000).toISOString()), [period]);
  const query = useQuery(trpc.insights.failedLogins.queryOptions({ ...(from ? { from } : {}), windowMinutes: WINDOW_MINUTES, threshold: THRESHOLD }));
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2} size="h3">
            Suspicious sign-ins
          </Title>
          <Text size="sm" c="dimmed">
            Accounts with more than {THRESHOLD} failed sign-ins within {WINDOW_MINUTES} minutes: investigate each one.
          </Text>
        </Stack>
        <SegmentedControl aria-label="Period" size="xs" data={PERIODS} value={period} onChange={setPeriod} />
      </Group>
      {query.isPending && (
        <Group justify="center" py="xl" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Looking for bursts of failed sign-ins…
          </Text>
        </Group>
      )}
      {query.isError && <ErrorState error={query.error} what="failed sign-ins" onRetry={() => void query.refetch()} />}
      {query.data &&
        (query.data.items.length === 0 ? (
          <Paper withBorder py="xl">
            <EmptyState
              title="No suspicious sign-ins"
              description={`No account had more than ${THRESHOLD} failed sign-ins within ${WINDOW_MINUTES} minutes in this period.`}
            />
          </Paper>
        ) : (
          <Paper withBorder>
            <FailedLoginsTable items={query.data.items} />
          </Paper>
        ))}
    </Stack>
  );
}
