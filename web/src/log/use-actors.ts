import type { TActorSummary } from '@modula/contracts';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../app/trpc.ts';

/** The people (and system actors) the log has seen, most recently seen first, and by id. */
export function useActors() {
  const trpc = useTRPC();
  const query = useQuery(trpc.actors.list.queryOptions({ limit: 500 }, { staleTime: 60_000 }));
  const byId = useMemo(() => new Map<string, TActorSummary>((query.data?.items ?? []).map((a) => [a.id, a])), [query.data]);
  return { actors: query.data?.items ?? [], byId, query };
}
