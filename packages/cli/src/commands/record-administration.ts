import { hostname, userInfo } from 'node:os';
import type { TAuditEventInput } from '@modula/contracts';
import { groupByTenant, judgeEvents, type TAdministrator } from '@modula/domain';
import { withIngestQueue } from './with-ingest-queue.ts';

/** The operator at this terminal: the OS account and host, as far as the CLI can tell. */
export function operatorActor(): TAdministrator {
  const user = userInfo().username;
  return { type: 'SYSTEM', id: `operator:${user}@${hostname()}`, name: `Operator ${user}` };
}

/**
 * Records administrative events in their tenants' logs through the ingest pipeline (validated,
 * redacted, queued durably): called after the action succeeded. If the queue cannot take them the
 * command fails loudly — the action happened, so the operator must know that its record did not.
 */
export async function recordAdministration(events: TAuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  const judged = judgeEvents(events, { kind: 'system' });
  if (judged.rejected.length > 0) throw new Error(`administrative event refused: ${JSON.stringify(judged.rejected)}`);
  // written from this terminal: the operator's name is the credential, there is no network address
  const provenance = { credential: operatorActor().id!, sourceAddress: null };
  try {
    await withIngestQueue(async (queue) => {
      const receivedAt = new Date().toISOString();
      for (const [tenantId, accepted] of groupByTenant(judged.accepted.map((a) => a.event)))
        await queue.enqueue(tenantId, accepted, receivedAt, { provenance });
    });
  } catch (err) {
    throw new Error(`done, but its record could not be queued (${(err as Error).message}); the events were: ${JSON.stringify(events)}`);
  }
}
