import { Button, EmptyState, Group, Loader, Paper, Text } from '@mantine/core';
import type { TEventsFilter } from '@modula/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useTRPC, useTRPCClient } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { LoadMore, SkipToLoadMore } from './load-more.tsx';
import { LogTable } from './log-table.tsx';
import { useBranches } from './use-branches.ts';

const PAGE_SIZE = 50;

/** The events that match the filters, a page at a time by cursor, with loading, empty and error states. */
export function LogResults({
  input,
  filtered,
  selectedId,
  entryHref,
  onOpen,
  onClear,
}: {
  input: TEventsFilter;
  filtered: boolean;
  selectedId: string | null;
  entryHref: (id: string) => string;
  onOpen: (id: string) => void;
  onClear: () => void;
}) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const client = useTRPCClient();
  const { byId } = useBranches();
  const listInput = { ...input, limit: PAGE_SIZE };
  // tRPC's own infiniteQueryOptions also sends a `direction`, which the contract's strict input
  // refuses; the pages are fetched by cursor here, under tRPC's query key for this input
  const query = useInfiniteQuery({
    queryKey: trpc.events.list.infiniteQueryKey(listInput),
    queryFn: ({ pageParam, signal }) => client.events.list.query(pageParam ? { ...listInput, cursor: pageParam } : listInput, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  // one array of every loaded event, rebuilt when a page arrives (not on each scroll of the list)
  const events = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);

  if (query.isPending) {
    return (
      <Group justify="center" py="xl" role="status" aria-live="polite">
        <Loader size="sm" />
        <Text c="dimmed" size="sm">
          {t('log.loading')}
        </Text>
      </Group>
    );
  }
  // a failed next page keeps the rows already loaded (and says so below them)
  if (query.isError && !query.isFetchNextPageError) return <ErrorState error={query.error} what={t('error.theLog')} onRetry={() => void query.refetch()} />;

  if (events.length === 0) {
    return (
      <Paper withBorder py="xl">
        <EmptyState title={filtered ? t('log.noMatch') : t('log.empty')} description={filtered ? t('log.noMatchHint') : t('log.emptyHint')}>
          {filtered && (
            <EmptyState.Actions>
              <Button variant="light" onClick={onClear}>
                {t('log.clearFilters')}
              </Button>
            </EmptyState.Actions>
          )}
        </EmptyState>
      </Paper>
    );
  }
  return (
    <Paper withBorder pos="relative">
      <SkipToLoadMore hasMore={hasNextPage} />
      <LogTable events={events} branches={byId} selectedId={selectedId} entryHref={entryHref} onOpen={onOpen} />
      {query.isFetchNextPageError && <ErrorState error={query.error} what={t('error.moreEvents')} onRetry={loadMore} />}
      <LoadMore hasMore={hasNextPage} loading={isFetchingNextPage} onLoad={loadMore} loadedCount={events.length} />
    </Paper>
  );
}
