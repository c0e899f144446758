import type { TAction, TEntity, TIntegrityVerifyOutput } from '@modula/contracts';
import { administrationEvent, sessionActor, type TSession } from '@modula/domain';
import { AlertQueue } from '@modula/queue';
import { recordAdministration } from './administration.ts';
import type { TServices } from './context.ts';
import { userProvenance } from './provenance.ts';

const queues = new WeakMap<TServices, AlertQueue>();

/** The producer of `audit-alerts` on the server's Redis connection (one per process). */
function alertQueueOf(services: TServices): AlertQueue {
  let queue = queues.get(services);
  if (!queue) queues.set(services, (queue = new AlertQueue(services.redis, services.config.QUEUE_PREFIX)));
  return queue;
}

/**
 * A verification the viewer asked for found the chain broken: the alert worker raises CHAIN_BROKEN
 * (once per window). The answer goes out whatever happens here; a queue that is down is logged.
 */
export async function reportChainBroken(services: TServices, tenantId: string, result: TIntegrityVerifyOutput): Promise<void> {
  if (result.ok) return;
  await alertQueueOf(services)
    .chainBroken({
      tenantId,
      brokenSeq: result.firstBrokenSeq,
      source: 'integrity.verify',
      reason: (result.reason ?? 'the chain does not verify').slice(0, 500),
      detectedAt: new Date().toISOString(),
    })
    .catch((err: Error) => services.log.error({ tenantId, err: err.message }, 'could not queue the chain-broken alert'));
}

/** An Admin changed alerting (a rule, a webhook) or acknowledged an alert: recorded in the tenant's log after the change. */
export async function recordAlertChange(
  services: TServices,
  session: TSession,
  action: Extract<TAction, 'ALERT_RULE_UPDATED' | 'ALERT_WEBHOOK_ADDED' | 'ALERT_WEBHOOK_REMOVED' | 'ALERT_ACKNOWLEDGED'>,
  target: TEntity,
  details: { before?: Record<string, unknown>; after?: Record<string, unknown>; metadata?: Record<string, unknown> },
  sourceAddress: string | null,
): Promise<void> {
  await recordAdministration(
    services,
    [administrationEvent(session.tenantId, action, sessionActor(session), target, { ...details, context: { sessionId: session.sessionId } })],
    userProvenance(session.userId, sourceAddress),
  );
}
