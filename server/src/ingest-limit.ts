import { AppError, type TIngestPrincipal } from '@modula/domain';
import { TokenBucketLimiter } from '@modula/queue';
import { TRPCError } from '@trpc/server';
import type { TServices } from './context.ts';

const limiters = new WeakMap<TServices, TokenBucketLimiter | null>();

function limiterOf(services: TServices): TokenBucketLimiter | null {
  let limiter = limiters.get(services);
  if (limiter === undefined) {
    const { INGEST_RATE_PER_KEY: ratePerSecond, INGEST_BURST_PER_KEY: burst, QUEUE_PREFIX } = services.config;
    limiter = ratePerSecond > 0 ? new TokenBucketLimiter(services.redis, `${QUEUE_PREFIX}:ingest-rate`, { ratePerSecond, burst }) : null;
    limiters.set(services, limiter);
  }
  return limiter;
}

/**
 * Ingest per API key: each call spends one token per event it carries (a batch of 1000 spends
 * 1000), from a bucket in Redis shared by every server instance (INGEST_BURST_PER_KEY tokens,
 * refilled at INGEST_RATE_PER_KEY a second). Over it the whole call is refused before any event
 * is judged or queued: TOO_MANY_REQUESTS with the wait, sent as Retry-After. Each key has its own
 * bucket, so another key — of another tenant or the same one — is not slowed; the in-process
 * system caller is never limited.
 */
export async function chargeIngest(services: TServices, principal: TIngestPrincipal, events: number): Promise<void> {
  if (principal.kind !== 'apiKey') return;
  const limiter = limiterOf(services);
  if (!limiter) return;
  let taken;
  try {
    taken = await limiter.take(principal.keyId ?? `tenant-${principal.tenantId}`, events);
  } catch (err) {
    services.log.error({ err: (err as Error).message }, "could not count an API key's ingest rate");
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the ingest queue is unavailable; nothing was acknowledged, retry later', cause: err });
  }
  if (taken.ok) return;
  const seconds = Math.ceil(taken.retryAfterMs / 1000);
  const { INGEST_RATE_PER_KEY: rate, INGEST_BURST_PER_KEY: burst } = services.config;
  throw new AppError(
    'TOO_MANY_REQUESTS',
    `this API key may send ${rate} events per second (bursts of up to ${burst}); none of these ${events} events was acknowledged: send them again in ${seconds} s`,
    seconds,
  );
}
