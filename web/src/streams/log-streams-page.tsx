import { Button, EmptyState, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { TStreamView } from '@modula/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTRPC } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { formatClock } from '../common/format-time.ts';
import { CreateStreamDialog } from './create-stream-dialog.tsx';
import { DeleteStreamDialog } from './delete-stream-dialog.tsx';
import { EditStreamDialog } from './edit-stream-dialog.tsx';
import { StreamRow } from './stream-row.tsx';

/** The lag moves while the screen is open: the list is read again this often. */
const REFRESH_MS = 10_000;

/**
 * Log streams (issue 16): where this tenant's log is sent as it is stored, and whether each
 * destination is keeping up — its state (and why it paused), last delivery, lag and last error —
 * with a new stream (a webhook's signing secret shown once), pause, resume, a test delivery, an
 * edit of its name and target, and delete. Each change is recorded in the log by the service.
 */
export function LogStreamsPage() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const list = useQuery(trpc.streams.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<TStreamView | null>(null);
  const [deleting, setDeleting] = useState<TStreamView | null>(null);
  const streams = list.data?.items ?? [];
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <Stack gap={2}>
          <Title order={2} size="h3">
            {t('streams.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('streams.intro')}
          </Text>
        </Stack>
        <Button onClick={() => setCreating(true)} style={{ flexShrink: 0 }}>
          {t('streams.create')}
        </Button>
      </Group>
      {list.isPending && (
        <Group justify="center" py="xl" role="status" aria-label={t('streams.loading')}>
          <Loader size="sm" />
        </Group>
      )}
      {list.isError && <ErrorState error={list.error} what={t('streams.what')} onRetry={() => void list.refetch()} />}
      {list.data &&
        (streams.length === 0 ? (
          <Paper withBorder py="xl">
            <EmptyState title={t('streams.none')} description={t('streams.noneHint')} />
          </Paper>
        ) : (
          <Paper withBorder>
            <Table.ScrollContainer minWidth={1100} type="native" tabIndex={0} role="region" aria-label={t('streams.scrolls')}>
              <Table verticalSpacing="sm" aria-label={t('streams.table')} data-testid="log-streams">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('streams.name')}</Table.Th>
                    <Table.Th>{t('streams.kind')}</Table.Th>
                    <Table.Th>{t('streams.destination')}</Table.Th>
                    <Table.Th>{t('streams.state')}</Table.Th>
                    <Table.Th>{t('streams.lastDelivery')}</Table.Th>
                    <Table.Th>{t('streams.lagColumn')}</Table.Th>
                    <Table.Th>{t('streams.lastError')}</Table.Th>
                    <Table.Th>{t('streams.failures')}</Table.Th>
                    <Table.Th>{t('streams.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {streams.map((stream) => (
                    <StreamRow key={stream.id} stream={stream} onEdit={() => setEditing(stream)} onDelete={() => setDeleting(stream)} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        ))}
      {list.data && (
        <Text size="xs" c="dimmed" data-testid="streams-refreshed">
          {t('streams.refreshed', { time: formatClock(new Date(list.dataUpdatedAt).toISOString()) })}
        </Text>
      )}
      <CreateStreamDialog opened={creating} onClose={() => setCreating(false)} />
      <EditStreamDialog stream={editing} onClose={() => setEditing(null)} />
      <DeleteStreamDialog stream={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
