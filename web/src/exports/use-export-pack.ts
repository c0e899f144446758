import type { TEventsFilter, TExportFormat } from '@modula/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../app/trpc.ts';

const POLL_MS = 1_000;

/**
 * Asks the service for a signed pack of `filter` and follows it until it is READY or FAILED.
 * The pack is built by the export queue, so the dialog polls `exports.get` once a second meanwhile.
 */
export function useExportPack() {
  const trpc = useTRPC();
  const create = useMutation(trpc.exports.create.mutationOptions());
  const exportId = create.data?.exportId;
  const status = useQuery(trpc.exports.get.queryOptions(
    { exportId: exportId ?? '00000000-0000-0000-0000-000000000000' },
    {
      enabled: exportId !== undefined,
      refetchInterval: (query) => (query.state.data?.status === 'PENDING' || query.state.data === undefined ? POLL_MS : false),
    },
  ));
  return {
    start: (format: TExportFormat, filter: TEventsFilter) => create.mutate({ format, filter }),
    reset: () => create.reset(),
    starting: create.isPending,
    startError: create.error,
    exportId,
    pack: exportId ? status.data : undefined,
    pollError: exportId ? status.error : null,
  };
}
