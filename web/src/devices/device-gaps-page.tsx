import { Badge, EmptyState, Group, Loader, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTRPC } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { gapsByDevice, runLabel } from './gap-summary.ts';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../common/format-time.ts';
import { UserText } from '../common/user-text.tsx';

/**
 * Events that tills numbered but the log never received ("events 1042–1050 from till 7 never
 * arrived"): a till that lost its outbox, or one still offline. Numbers after a device's last
 * stored event cannot be seen here; they may still be waiting on the device.
 */
export function DeviceGapsPage() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const query = useQuery(trpc.devices.gaps.queryOptions(undefined, { staleTime: 30_000 }));
  const [find, setFind] = useState('');
  const devices = useMemo(() => {
    const all = gapsByDevice(query.data?.items ?? []);
    const needle = find.trim().toLowerCase();
    return needle ? all.filter((d) => d.deviceId.toLowerCase().includes(needle)) : all;
  }, [query.data, find]);
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2} size="h3">
            {t('gaps.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('gaps.intro')}
          </Text>
        </Stack>
        <TextInput aria-label={t('gaps.find')} placeholder={t('gaps.find')} size="xs" value={find} onChange={(e) => setFind(e.currentTarget.value)} />
      </Group>
      {query.isPending && (
        <Group justify="center" py="xl" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            {t('gaps.walking')}
          </Text>
        </Group>
      )}
      {query.isError && <ErrorState error={query.error} what={t('gaps.what')} onRetry={() => void query.refetch()} />}
      {query.data &&
        (devices.length === 0 ? (
          <Paper withBorder py="xl">
            <EmptyState title={find.trim() ? t('gaps.noSuch') : t('gaps.none')} description={find.trim() ? t('gaps.noSuchHint') : t('gaps.noneHint')} />
          </Paper>
        ) : (
          <Paper withBorder>
            <Table.ScrollContainer minWidth={560} type="native" tabIndex={0} role="region" aria-label={t('gaps.scrolls')}>
              <Table verticalSpacing="sm" aria-label={t('gaps.table')} data-testid="device-gaps">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('gaps.device')}</Table.Th>
                    <Table.Th>{t('gaps.missing')}</Table.Th>
                    <Table.Th>{t('gaps.numbers')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {devices.map((device) => (
                    <Table.Tr key={device.deviceId}>
                      <Table.Td>
                        <Text size="sm" ff="monospace" fw={500}>
                          <UserText value={device.deviceId} />
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge color="orange" variant="light" size="lg">
                          {formatNumber(device.missing)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {device.runs.map((run) => (
                            <Badge key={run.from} variant="outline" color="gray" tt="none" ff="monospace">
                              {runLabel(run)}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        ))}
    </Stack>
  );
}
