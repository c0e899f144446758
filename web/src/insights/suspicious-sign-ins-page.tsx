import { EmptyState, Group, Loader, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTRPC } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { FailedLoginsTable } from './failed-logins-table.tsx';
import { useTranslation } from 'react-i18next';

/** The periods and the catalog keys of their labels. */
const PERIODS = [
  { value: '1', key: 'insights.d1' },
  { value: '7', key: 'insights.d7' },
  { value: '30', key: 'insights.d30' },
  { value: 'all', key: 'insights.all' },
];
const WINDOW_MINUTES = 60;
const THRESHOLD = 5;

/** Accounts with more than five failed sign-ins within one hour: brute force, or shared credentials. */
export function SuspiciousSignInsPage() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const [period, setPeriod] = useState('7');
  const from = useMemo(() => (period === 'all' ? undefined : new Date(Date.now() - Number(period) * 86_400_000).toISOString()), [period]);
  const query = useQuery(trpc.insights.failedLogins.queryOptions({ ...(from ? { from } : {}), windowMinutes: WINDOW_MINUTES, threshold: THRESHOLD }));
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2} size="h3">
            {t('insights.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('insights.intro', { threshold: THRESHOLD, minutes: WINDOW_MINUTES })}
          </Text>
        </Stack>
        <SegmentedControl
          aria-label={t('insights.period')}
          size="xs"
          data={PERIODS.map((p) => ({ value: p.value, label: t(p.key) }))}
          value={period}
          onChange={setPeriod}
        />
      </Group>
      {query.isPending && (
        <Group justify="center" py="xl" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            {t('insights.looking')}
          </Text>
        </Group>
      )}
      {query.isError && <ErrorState error={query.error} what={t('insights.what')} onRetry={() => void query.refetch()} />}
      {query.data &&
        (query.data.items.length === 0 ? (
          <Paper withBorder py="xl">
            <EmptyState title={t('insights.none')} description={t('insights.noneHint', { threshold: THRESHOLD, minutes: WINDOW_MINUTES })} />
          </Paper>
        ) : (
          <Paper withBorder>
            <FailedLoginsTable items={query.data.items} />
          </Paper>
        ))}
    </Stack>
  );
}
