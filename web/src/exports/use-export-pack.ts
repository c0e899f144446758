import type { TEventsFilter, TExportFormat } from '@modula/contracts';
import { skipToken, useMutation, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../app/trpc.ts';

const POLL_MS = 1_000;

/**
 * Asks the service for a signed pack of `filter` and follows it until it is READY or FAILED.
 * The pack is built by the export queue, so the dialog polls `exports.get` once a second meanwhile;
 * polling stops on an error (after the query's own retries) until the Admin asks to try again.
 */
export function useExportPack() {
  const trpc = useTRPC();
  const create = useMutation(trpc.exports.create.mutationOptions());
  const exportId = create.data?.exportId;
  const status = useQuery(
    trpc.exports.get.queryOptions(exportId === undefined ? skipToken : { exportId }, {
      refetchInterval: (query) => {
        if (query.state.status === 'error') return false;
        return (query.state.data?.status ?? 'PENDING') === 'PENDING' ? POLL_MS : false;
      },
    }),
  );
  return {
    start: (format: TExportFormat, filter: TEventsFilter) => create.mutate({ format, filter }),
    reset: () => create.reset(),
    starting: create.isPending,
    startError: create.error,
    /** What was asked for: the dialog describes this, not the log's filter of the moment. */
    requested: create.variables,
    exportId,
    pack: exportId ? status.data : undefined,
    pollError: exportId ? status.error : null,
    retryPoll: () => void status.refetch(),
  };
}
