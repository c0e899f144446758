/**
 * Who may use the queue dashboard, and what it may do. Its queues hold every tenant's jobs, so no
 * tenant account opens it — not even an Admin's: only an operator credential (`cli operator
 * create`), sent as HTTP Basic (RFC 7617), the operator's name as user and the secret as password.
 */
export interface TBasicCredential {
  name: string;
  secret: string;
}

/** The Basic challenge a 401 carries, so that a browser asks for the operator's name and secret. */
export const BASIC_CHALLENGE = 'Basic realm="Modula Audit operators", charset="UTF-8"';

/** The name and secret of an `Authorization: Basic …` header; undefined for any other header or a malformed one. */
export function parseBasicCredential(header: string | undefined): TBasicCredential | undefined {
  const m = header ? /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { name: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
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
