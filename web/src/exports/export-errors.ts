import { errorCodeOf } from '../app/trpc.ts';

/** What an Admin can act on, by tRPC error code; the raw message is for the operator's logs. */
export function exportErrorText(error: unknown): string {
  switch (errorCodeOf(error)) {
    case 'SERVICE_UNAVAILABLE':
      return 'The export queue is unavailable right now. Try again in a moment.';
    case 'UNAUTHORIZED':
      return 'Your session has ended. Sign in again, then export.';
    case 'FORBIDDEN':
      return 'Only an Admin of this tenant can export its log.';
    case 'NOT_FOUND':
      return 'The service no longer knows this export. Start a new one.';
    case 'TOO_MANY_REQUESTS':
      return 'Too many requests. Wait a moment and try again.';
    case 'BAD_REQUEST':
      return 'The service refused this filter. Change it on the log and export again.';
    case undefined:
      return 'The service could not be reached. Check the connection and try again.';
    default:
      return 'Something went wrong on the service. Try again; if it keeps failing, tell your operator.';
  }
}
