import { LIMITS, type TAuditEventInput, type TEventStatus } from '@modula/contracts';
import { eventually } from './events.ts';
import type { TestStack } from './stack.ts';

/**
 * The one "ingest, then wait until stored" of the tests: through the system caller, as an
 * in-process module sends. Waits for the worker, however the events were sent.
 */

/**
 * Waits until every one of the tenant's events is STORED and returns their statuses. A quarantined
 * event fails the wait (the error names it) — unless `orQuarantined`, when QUARANTINED ends its wait too.
 */
export async function untilStored(
  stack: TestStack,
  tenantId: string,
  eventIds: string[],
  { orQuarantined = false, timeoutMs = 30_000 } = {},
): Promise<TEventStatus[]> {
  const statuses: TEventStatus[] = [];
  for (let i = 0; i < eventIds.length; i += LIMITS.statusMaxEventIds) {
    const chunk = eventIds.slice(i, i + LIMITS.statusMaxEventIds);
    statuses.push(
      ...(await eventually(async () => {
        const { statuses: now } = await stack.caller.ingest.status({ tenantId, eventIds: chunk });
        const quarantined = now.find((s) => s.state === 'QUARANTINED');
        if (quarantined && !orQuarantined) throw new Error(`quarantined: ${JSON.stringify(quarantined)}`);
        return now.every((s) => s.state === 'STORED' || (orQuarantined && s.state === 'QUARANTINED')) ? now : undefined;
      }, timeoutMs)),
    );
  }
  return statuses;
}

/** Ingests events of one tenant through the system caller (none may be rejected) and waits until every one is STORED. */
export async function ingestStored(stack: TestStack, tenantId: string, events: TAuditEventInput[], opts: { timeoutMs?: number } = {}): Promise<TEventStatus[]> {
  for (let i = 0; i < events.length; i += LIMITS.batchMaxEvents) {
    const res = await stack.caller.ingest.batch({ events: events.slice(i, i + LIMITS.batchMaxEvents) });
    if (res.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(res.rejected)}`);
  }
  return untilStored(
    stack,
    tenantId,
    events.map((e) => e.eventId),
    opts,
  );
}
