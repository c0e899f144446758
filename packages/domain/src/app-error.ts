/** The closed set of errors the domain raises; the server maps them to tRPC codes in one place. */
export const APP_ERROR_CODES = ['VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'UNAUTHORIZED', 'UNAVAILABLE', 'TOO_MANY_REQUESTS'] as const;
export type TAppErrorCode = (typeof APP_ERROR_CODES)[number];

export class AppError extends Error {
  constructor(readonly code: TAppErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
  }
}
