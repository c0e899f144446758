import { Anchor, Badge, Button, Center, EmptyState, Group, Loader, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { TAiAction, TAiActionView } from '@modula/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useTRPC, useTRPCClient } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { formatDateTime, viewerTimeZone } from '../common/format-time.ts';
import { ActorLabel } from '../log/actor-label.tsx';
import { CARDS_QUERY } from '../log/log-table.tsx';
import '../log/log-table.css';
import { OutcomeBadge } from '../log/outcome-badge.tsx';
import { decisionText, formatConfidence, RISK_COLORS, RISK_LABELS, whatText } from './ai-text.ts';

const KINDS: { value: string; label: string; actions?: TAiAction[] }[] = [
  { value: 'all', label: 'All' },
  { value: 'executed', label: 'Executed', actions: ['AI_ACTION_EXECUTED'] },
  { value: 'accepted', label: 'Accepted', actions: ['AI_RECOMMENDATION_ACCEPTED'] },
  { value: 'rejected', label: 'Rejected', actions: ['AI_RECOMMENDATION_REJECTED'] },
];
const PAGE_SIZE = 50;

/**
 * The AI's action history (seed lesson: AI → Action History): what the AI did or recommended, why
 * (its trigger and confidence), the risk level, and which person approved or rejected it. Each
 * line opens its entry in the log.
 */
export function AiActionsPage() {
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
            AI actions
          </Title>
          <Text size="sm" c="dimmed">
            What the AI did or recommended, why, how sure it was, the risk, and who approved or rejected it.
          </Text>
        </Stack>
        <SegmentedControl aria-label="Kind of AI action" size="xs" data={KINDS} value={kind} onChange={setKind} />
      </Group>
      {query.isPending && (
        <Group justify="center" py="xl" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Loading the AI’s actions…
          </Text>
        </Group>
      )}
      {query.isError && !query.isFetchNextPageError && <ErrorState error={query.error} what="the AI’s actions" onRetry={() => void query.refetch()} />}
      {query.data &&
        (items.length === 0 ? (
          <Paper withBorder py="xl">
            <EmptyState title="No AI actions" description="Actions and recommendations of the AI appear here once Modula’s modules record them." />
          </Paper>
        ) : (
          <Paper withBorder>
            <AiActionsTable items={items} />
            <Center py="md">
              {query.hasNextPage ? (
                <Button variant="default" aria-busy={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
                  Load more
                </Button>
              ) : (
                <Text size="sm" c="dimmed">
                  {items.length === 1 ? 'The one AI action is shown.' : `All ${items.length.toLocaleString('en')} AI actions are shown.`}
                </Text>
              )}
            </Center>
          </Paper>
        ))}
    </Stack>
  );
}

function AiActionsTable({ items }: { items: TAiActionView[] }) {
  const cards = useMediaQuery(CARDS_QUERY, undefined, { getInitialValueInEffect: false });
  return (
    <Table.ScrollContainer minWidth={cards ? 0 : 1000} type="native">
      <Table className="log-table" data-layout={cards ? 'cards' : 'table'} verticalSpacing="xs" aria-label="AI actions, newest first">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time ({viewerTimeZone()})</Table.Th>
            <Table.Th>What the AI did or recommended</Table.Th>
            <Table.Th>Trigger</Table.Th>
            <Table.Th>Confidence</Table.Th>
            <Table.Th>Risk</Table.Th>
            <Table.Th>Decision</Table.Th>
            <Table.Th>Recorded by</Table.Th>
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
  const { ai } = item;
  return (
    <Table.Tr data-testid="ai-action">
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(item.occurredAt)}</Text>
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <Anchor component={Link} to={`/?event=${item.id}`} size="sm" fw={500}>
            {whatText(item)}
          </Anchor>
          <Text size="xs" c="dimmed">
            {item.action === 'AI_ACTION_EXECUTED' ? 'Executed' : 'Recommended'}
            {item.entity ? ` · ${item.entity.label ?? item.entity.id}` : ''}
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{ai.trigger ?? '—'}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" aria-label={ai.confidence === null ? 'Confidence not recorded' : `Confidence ${formatConfidence(ai.confidence)}`}>
          {formatConfidence(ai.confidence)}
        </Text>
      </Table.Td>
      <Table.Td>
        {ai.riskLevel ? (
          <Badge color={RISK_COLORS[ai.riskLevel]} variant="light" tt="none">
            {RISK_LABELS[ai.riskLevel]}
          </Badge>
        ) : (
          <Text size="sm">—</Text>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Text size="sm" data-testid="ai-decision">
            {decisionText(item)}
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
