/**
 * The closed set of errors the domain raises; the server maps them to tRPC codes in one place.
 * PRECONDITION_FAILED: a change made against a version that is no longer
 * the current one (RFC 9110's If-Match), so one person's edit does not silently undo another's.
 */
export const APP_ERROR_CODES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'UNAVAILABLE',
  'TOO_MANY_REQUESTS',
] as const;
export type TAppErrorCode = (typeof APP_ERROR_CODES)[number];

export class AppError extends Error {
  /** `retryAfterSeconds`: when a TOO_MANY_REQUESTS refusal knows when to come back (sent as Retry-After). */
  constructor(
    readonly code: TAppErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
