import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import type { TStreamView } from '@modula/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useTRPC } from '../app/trpc.ts';
import { formatDateTime, formatNumber } from '../common/format-time.ts';
import { UserText } from '../common/user-text.tsx';
import { asTranslate } from '../i18n/english.ts';
import { lagText, streamDestination, streamErrorText, streamState, streamStateText, testResultText } from './stream-text.ts';

const STATE_COLOR = { active: 'teal', pausedByAdmin: 'gray', pausedByFailures: 'red' } as const;

/** One destination: what it is, whether it keeps up, what went wrong last; pause or resume, test, edit, delete. */
export function StreamRow({ stream, onEdit, onDelete }: { stream: TStreamView; onEdit: () => void; onDelete: () => void }) {
  const { t } = useTranslation();
  const tr = asTranslate(t);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.streams.list.queryKey() }) };
  const pause = useMutation(trpc.streams.pause.mutationOptions(refresh));
  const resume = useMutation(trpc.streams.resume.mutationOptions(refresh));
  const test = useMutation(trpc.streams.test.mutationOptions());
  const state = streamState(stream);
  const toggle = stream.status === 'ACTIVE' ? pause : resume;
  const failed = pause.error ?? resume.error ?? test.error;
  return (
    <Table.Tr data-stream-id={stream.id}>
      <Table.Td>
        <Text size="sm" fw={500}>
          <UserText value={stream.name} />
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{t(`streams.kinds.${stream.target.kind}`)}</Text>
      </Table.Td>
      <Table.Td maw={280}>
        <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
          {streamDestination(stream.target)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge color={STATE_COLOR[state]} variant="light" style={{ whiteSpace: 'normal', height: 'auto' }} data-testid="stream-state">
          {streamStateText(stream, tr)}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm" data-testid="stream-last-delivery">
          {stream.lastDeliveryAt ? formatDateTime(stream.lastDeliveryAt) : t('streams.never')}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={stream.lagEvents > 0 ? 500 : undefined} style={{ whiteSpace: 'nowrap' }} data-testid="stream-lag">
          {lagText(stream, tr)}
        </Text>
      </Table.Td>
      <Table.Td maw={320}>
        {stream.lastError ? (
          <Stack gap={2} data-testid="stream-last-error">
            <Text size="sm" c="red.8" style={{ wordBreak: 'break-word' }}>
              {stream.lastError}
            </Text>
            {stream.lastErrorAt && (
              <Text size="xs" c="dimmed">
                {t('streams.errorAt', { at: formatDateTime(stream.lastErrorAt) })}
              </Text>
            )}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            {t('streams.noError')}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={stream.consecutiveFailures > 0 ? 'red.8' : undefined} data-testid="stream-failures">
          {formatNumber(stream.consecutiveFailures)}
        </Text>
        {stream.status === 'ACTIVE' && stream.consecutiveFailures > 0 && stream.nextAttemptAt && (
          <Text size="xs" c="dimmed">
            {t('streams.nextAttempt', { at: formatDateTime(stream.nextAttemptAt) })}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <Group gap={4} wrap="nowrap">
            <Button
              size="compact-xs"
              variant="default"
              loading={toggle.isPending}
              onClick={() => toggle.mutate({ id: stream.id })}
              aria-label={t(stream.status === 'ACTIVE' ? 'streams.pauseNamed' : 'streams.resumeNamed', { name: stream.name })}
            >
              {t(stream.status === 'ACTIVE' ? 'streams.pause' : 'streams.resume')}
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              loading={test.isPending}
              onClick={() => test.mutate({ id: stream.id })}
              aria-label={t('streams.testNamed', { name: stream.name })}
            >
              {t('streams.sendTest')}
            </Button>
            <Button size="compact-xs" variant="default" onClick={onEdit} aria-label={t('streams.editNamed', { name: stream.name })}>
              {t('streams.edit')}
            </Button>
            <Button size="compact-xs" variant="subtle" color="red" onClick={onDelete} aria-label={t('streams.deleteNamed', { name: stream.name })}>
              {t('streams.delete')}
            </Button>
          </Group>
          {test.data && (
            <Text size="xs" c={test.data.ok ? 'teal.9' : 'red.8'} role="status" data-testid="stream-test-result">
              {testResultText(test.data, tr)}
            </Text>
          )}
          {failed && (
            <Text size="xs" c="red.8" role="alert">
              {streamErrorText(failed, tr)}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}
