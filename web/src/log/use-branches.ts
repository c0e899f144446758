import type { TBranchView } from '@modula/contracts';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../app/trpc.ts';

/** The tenant's branches, and their names by id (the log shows names, events carry ids). */
export function useBranches() {
  const trpc = useTRPC();
  const query = useQuery(trpc.branches.list.queryOptions(undefined, { staleTime: 5 * 60_000 }));
  const byId = useMemo(() => new Map<string, TBranchView>((query.data?.items ?? []).map((b) => [b.id, b])), [query.data]);
  return { branches: query.data?.items ?? [], byId, query };
}
