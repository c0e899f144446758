import type { TRPCError } from '@trpc/server';

/**
 * tRPC's responseMeta: a TOO_MANY_REQUESTS refusal whose cause knows when to come back
 * (`retryAfterSeconds`, e.g. AppError's) answers with `Retry-After: <seconds>` (RFC 9110 §10.2.3),
 * which the SDK's outbox honours. In a batch, the longest wait wins.
 */
export function retryAfterMeta({ errors }: { errors: TRPCError[] }): { headers?: Record<string, string> } {
  let seconds: number | undefined;
  for (const error of errors) {
    const wait = (error.cause as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (error.code === 'TOO_MANY_REQUESTS' && typeof wait === 'number' && Number.isFinite(wait)) seconds = Math.max(seconds ?? 0, Math.ceil(wait));
  }
  return seconds === undefined ? {} : { headers: { 'retry-after': String(Math.max(1, seconds)) } };
}
