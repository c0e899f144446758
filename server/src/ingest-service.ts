import type { TAcceptedEvent, TEventStatus, TIngestBatchOutput, TProvenance } from '@modula/contracts';
import { findStoredStatuses, groupByTenant, judgeEvents, tenantExists, type TIngestPrincipal, type TRejection } from '@modula/domain';
import { TRPCError } from '@trpc/server';
import type { TServices } from './context.ts';
import { chargeIngest } from './ingest-limit.ts';

/**
 * Judges each event, then queues the accepted ones, one job per tenant. Returns only after Redis
 * has them: the reply is the acknowledgement. A queue failure is an error for the whole call
 * (nothing is acknowledged, the client resends; the database dedupes what did get queued).
 * `provenance` (who sent them) goes into every stored record (see provenance.ts).
 */
export async function ingestEvents(
  services: TServices,
  principal: TIngestPrincipal,
  rawEvents: unknown[],
  provenance: TProvenance,
): Promise<TIngestBatchOutput & { rejected: TRejection[] }> {
  await chargeIngest(services, principal, rawEvents.length);
  const judged = judgeEvents(rawEvents, principal);
  const rejected = [...judged.rejected];
  let accepted = judged.accepted.map((a) => a.event);
  if (principal.kind === 'system') {
    // an API key proves its tenant exists; the system caller names any tenant, so check it here
    const unknown = await unknownTenants(services, accepted);
    for (const { index, event } of judged.accepted) {
      if (unknown.has(event.tenantId))
        rejected.push({ index, eventId: event.eventId, code: 'VALIDATION_FAILED', issues: [{ path: ['tenantId'], message: 'no such tenant' }] });
    }
    accepted = accepted.filter((e) => !unknown.has(e.tenantId));
  }
  const receivedAt = new Date().toISOString();
  try {
    await Promise.all([...groupByTenant(accepted)].map(([tenantId, events]) => services.enqueuer.enqueue(tenantId, events, receivedAt, provenance)));
  } catch (err) {
    services.log.error({ err: (err as Error).message }, 'could not queue accepted events');
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the ingest queue is unavailable; nothing was acknowledged, retry later', cause: err });
  }
  services.metrics.recordIngest(accepted.length, rejected.length);
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: accepted.map((e) => e.eventId), rejected };
}

/**
 * Tenants are never deleted, so one that exists stays known; concurrent first lookups of a tenant
 * share one query. Bounded, so the cache cannot grow without limit.
 */
const tenantLookups = new Map<string, Promise<boolean>>();
const TENANT_CACHE_MAX = 100_000;

function tenantIsKnown(services: TServices, tenantId: string): Promise<boolean> {
  let lookup = tenantLookups.get(tenantId);
  if (!lookup) {
    lookup = tenantExists(services.orm, tenantId);
    if (tenantLookups.size < TENANT_CACHE_MAX) tenantLookups.set(tenantId, lookup);
    // a miss or an error is not cached: the tenant may be created a moment later
    lookup.then(
      (exists) => {
        if (!exists) tenantLookups.delete(tenantId);
      },
      () => tenantLookups.delete(tenantId),
    );
  }
  return lookup;
}

async function unknownTenants(services: TServices, events: TAcceptedEvent[]): Promise<Set<string>> {
  const ids = [...new Set(events.map((e) => e.tenantId))];
  const exists = await Promise.all(ids.map((id) => tenantIsKnown(services, id)));
  return new Set(ids.filter((_, i) => !exists[i]));
}

export async function eventStatuses(services: TServices, tenantId: string, eventIds: string[]): Promise<TEventStatus[]> {
  const [stored, pending] = await Promise.all([findStoredStatuses(services.orm, tenantId, eventIds), services.ingestQueue.pendingAmong(tenantId, eventIds)]);
  return eventIds.map((eventId) => stored.get(eventId) ?? { eventId, state: pending.has(eventId) ? 'PENDING' : 'UNKNOWN' });
}
