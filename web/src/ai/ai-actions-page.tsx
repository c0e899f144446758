import { Anchor, Badge, Button, Center, EmptyState, Group, Loader, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TAiAction, TAiActionView } from '@modula/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useTRPC, useTRPCClient } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { formatDateTime, formatNumber, zoneLabel } from '../common/format-time.ts';
import { UserText } from '../common/user-text.tsx';
import { ActorLabel } from '../log/actor-label.tsx';
import { CARDS_QUERY } from '../log/log-table.tsx';
import '../log/log-table.css';
import { OutcomeBadge } from '../log/outcome-badge.tsx';
import { DecisionSentence, WhatSentence } from './ai-sentences.tsx';
import { formatConfidence, RISK_COLORS } from './ai-text.ts';
import { useTranslation } from 'react-i18next';
import { asTranslate } from '../i18n/english.ts';

const KINDS: { value: string; key: string; actions?: TAiAction[] }[] = [
  { value: 'all', key: 'ai.all' },
  { value: 'executed', key: 'ai.executedKind', actions: ['AI_ACTION_EXECUTED'] },
  { value: 'accepted', key: 'ai.accepted', actions: ['AI_RECOMMENDATION_ACCEPTED'] },
  { value: 'rejected', key: 'ai.rejected', actions: ['AI_RECOMMENDATION_REJECTED'] },
];
const PAGE_SIZE = 50;

/**
 * The AI's action history (seed lesson: AI → Action History): what the AI did or recommended, why
 * (its trigger and confidence), the risk level, and which person approved or rejected it. Each
 * line opens its entry in the log.
 */
export function AiActionsPage() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [kind, setKind] = useState('all');
  const actions = KINDS.find((k) => k.value === kind)?.actions;
  const input = useMemo(() => ({ limit: PAGE_SIZE, ...(actions ? { actions } : {}) }), [actions]);
  const query = useInfiniteQuery({
    queryKey: trpc.ai.actions.infiniteQueryKey(input),
    queryFn: ({ pageParam, signal }) => client.ai.actions.query(pageParam ? { ...input, cursor: pageParam } : input, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2} size="h3">
            {t('ai.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('ai.intro')}
          </Text>
        </Stack>
        <SegmentedControl aria-label={t('ai.kind')} size="xs" data={KINDS.map((k) => ({ value: k.value, label: t(k.key) }))} value={kind} onChange={setKind} />
      </Group>
      {query.isPending && (
        <Group justify="center" py="xl" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            {t('ai.loading')}
          </Text>
        </Group>
      )}
      {query.isError && !query.isFetchNextPageError && <ErrorState error={query.error} what={t('ai.what')} onRetry={() => void query.refetch()} />}
      {query.data &&
        (items.length === 0 ? (
          <Paper withBorder py="xl">
            <EmptyState title={t('ai.none')} description={t('ai.noneHint')} />
          </Paper>
        ) : (
          <Paper withBorder>
            <AiActionsTable items={items} />
            <Center py="md">
              {query.hasNextPage ? (
                <Button variant="default" aria-busy={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
                  {t('ai.loadMore')}
                </Button>
              ) : (
                <Text size="sm" c="dimmed">
                  {t('ai.allShown', { count: items.length, n: formatNumber(items.length) })}
                </Text>
              )}
            </Center>
          </Paper>
        ))}
    </Stack>
  );
}

function AiActionsTable({ items }: { items: TAiActionView[] }) {
  const { t } = useTranslation();
  const cards = useMediaQuery(CARDS_QUERY, undefined, { getInitialValueInEffect: false });
  return (
    <Table.ScrollContainer minWidth={cards ? 0 : 1000} type="native">
      <Table className="log-table" data-layout={cards ? 'cards' : 'table'} verticalSpacing="xs" aria-label={t('ai.table')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('ai.time', { zone: zoneLabel() })}</Table.Th>
            <Table.Th>{t('ai.whatCol')}</Table.Th>
            <Table.Th>{t('ai.trigger')}</Table.Th>
            <Table.Th>{t('ai.confidence')}</Table.Th>
            <Table.Th>{t('ai.risk')}</Table.Th>
            <Table.Th>{t('ai.decision')}</Table.Th>
            <Table.Th>{t('ai.recordedBy')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {items.map((item) => (
          <Table.Tbody key={item.id}>
            <AiActionRow item={item} />
          </Table.Tbody>
        ))}
      </Table>
    </Table.ScrollContainer>
  );
}

function AiActionRow({ item }: { item: TAiActionView }) {
  const { t: tx } = useTranslation();
  const t = asTranslate(tx);
  const { ai } = item;
  return (
    <Table.Tr data-testid="ai-action">
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(item.occurredAt)}</Text>
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <Anchor component={Link} to={`/?event=${item.id}`} size="sm" fw={500}>
            <WhatSentence item={item} />
          </Anchor>
          <Text size="xs" c="dimmed">
            {item.action === 'AI_ACTION_EXECUTED' ? t('ai.executed') : t('ai.recommended')}
            {item.entity && (
              <>
                {' · '}
                <UserText value={item.entity.label ?? item.entity.id} />
              </>
            )}
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{ai.trigger === null ? '—' : <UserText value={ai.trigger} />}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" aria-label={ai.confidence === null ? t('ai.confidenceNone') : t('ai.confidenceOf', { value: formatConfidence(ai.confidence) })}>
          {formatConfidence(ai.confidence)}
        </Text>
      </Table.Td>
      <Table.Td>
        {ai.riskLevel ? (
          <Badge color={RISK_COLORS[ai.riskLevel]} variant="light" tt="none">
            {t(`ai.${ai.riskLevel}`)}
          </Badge>
        ) : (
          <Text size="sm">—</Text>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Text size="sm" data-testid="ai-decision">
            <DecisionSentence item={item} t={t} />
          </Text>
          {item.outcome !== 'SUCCESS' && <OutcomeBadge outcome={item.outcome} reason={item.reason} />}
        </Stack>
      </Table.Td>
      <Table.Td>
        <ActorLabel actor={item.actor} />
      </Table.Td>
    </Table.Tr>
  );
}
