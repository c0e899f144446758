import type { TSession } from '@modula/domain';

/**
 * Who may use the queue dashboard, and what it may do. The queues hold every tenant's jobs, so a
 * tenant's Admin is not enough: the operator's email must be on OPS_DASHBOARD_ADMIN_EMAILS.
 */
export type TOperatorCheck =
  | { ok: true; session: TSession }
  | { ok: false; status: 401 | 403 | 404; code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND'; message: string };

export function checkOperator(session: TSession | undefined, allowList: readonly string[]): TOperatorCheck {
  // off unless someone is listed: nothing to see, not even that it exists
  if (allowList.length === 0) return { ok: false, status: 404, code: 'NOT_FOUND', message: 'not found' };
  if (!session) return { ok: false, status: 401, code: 'UNAUTHORIZED', message: 'sign in first' };
  if (session.role !== 'ADMIN') return { ok: false, status: 403, code: 'FORBIDDEN', message: 'only operators may see the queues' };
  // an Admin who is not an operator must not learn more about it than a stranger to the route
  if (!allowList.includes(session.email.toLowerCase())) return { ok: false, status: 404, code: 'NOT_FOUND', message: 'not found' };
  return { ok: true, session };
}

/** bull-board's routes (relative to the dashboard's prefix) that change something and are allowed: re-driving failed jobs. */
const RETRY_ONE = '/api/queues/:queueName/:jobId/retry';
const RETRY_ALL = '/api/queues/:queueName/retry/:queueStatus';

export type TDashboardAction =
  | { kind: 'read' }
  | { kind: 'retryOne'; queueName: string; jobId: string }
  | { kind: 'retryAllFailed'; queueName: string }
  | { kind: 'refused' };

/**
 * Deny by default: reads, and retrying failed jobs (the worker is idempotent, so a replay stores
 * each event once). Everything else — clean, empty, obliterate, remove, promote, pause, add, edit,
 * and any route a later bull-board adds — is refused, because a job in the ingest queue is an
 * accepted audit event not stored yet: removing it would lose it.
 */
export function classifyDashboardRequest(method: string, route: string | undefined, params: Record<string, string | undefined>): TDashboardAction {
  if (method === 'GET' || method === 'HEAD') return { kind: 'read' };
  if (method !== 'PUT' || !params.queueName) return { kind: 'refused' };
  if (route === RETRY_ONE && params.jobId) return { kind: 'retryOne', queueName: params.queueName, jobId: params.jobId };
  if (route === RETRY_ALL && params.queueStatus === 'failed') return { kind: 'retryAllFailed', queueName: params.queueName };
  return { kind: 'refused' };
}
