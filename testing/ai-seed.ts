import { SYSTEM_PROVENANCE, type TAcceptedEvent, type TAuditEventInput } from '@modula/contracts';
import { makeEvent } from './events.ts';
import { untilStored } from './ingest.ts';
import type { TestStack } from './stack.ts';

const MINUTE = 60_000;
const ana = { id: 'u-ana', name: 'Ana Álvarez', role: 'ADMIN' } as const;
const ben = { id: 'u-ben', name: 'Ben Brook', role: 'MANAGER' } as const;

/**
 * The AI's actions of one morning, as the seed lesson's Action History shows them: an automatic
 * low-risk notice, a high-risk price change an Admin approved, a medium-risk recommendation a
 * Manager rejected, and a reorder he approved.
 */
export function aiEvents(tenantId: string, now = Date.now()): TAuditEventInput[] {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * MINUTE).toISOString();
  const copilot = { type: 'SYSTEM', name: 'Copilot' } as const;
  return [
    makeEvent(tenantId, {
      action: 'AI_ACTION_EXECUTED',
      actor: copilot,
      entity: { type: 'AI_ACTION', id: 'act-101', label: 'Low-stock notice' },
      occurredAt: at(40),
      metadata: { trigger: 'Oat milk below par level (4 l left)', confidence: 0.97, riskLevel: 'LOW', summary: 'Sent a low-stock notice to the manager' },
    }),
    makeEvent(tenantId, {
      action: 'AI_RECOMMENDATION_ACCEPTED',
      actor: { type: 'USER', ...ana },
      entity: { type: 'AI_RECOMMENDATION', id: 'rec-88', label: 'Espresso prices +15 %' },
      occurredAt: at(30),
      metadata: { trigger: 'Supplier price list changed', confidence: 0.81, riskLevel: 'HIGH', summary: 'Raise espresso prices by 15 %', approvedBy: ana },
    }),
    makeEvent(tenantId, {
      action: 'AI_RECOMMENDATION_REJECTED',
      actor: { type: 'USER', ...ben },
      entity: { type: 'AI_RECOMMENDATION', id: 'rec-89', label: 'Sunday shift' },
      occurredAt: at(20),
      metadata: { trigger: 'Forecast: quiet Sunday', confidence: 0.62, riskLevel: 'MEDIUM', summary: "Cut Sunday's shift to two cashiers", rejectedBy: ben },
    }),
    makeEvent(tenantId, {
      action: 'AI_ACTION_EXECUTED',
      actor: copilot,
      entity: { type: 'AI_ACTION', id: 'act-102', label: 'Oat milk reorder' },
      occurredAt: at(10),
      metadata: {
        trigger: 'Oat milk below par level (4 l left)',
        confidence: 0.88,
        riskLevel: 'MEDIUM',
        summary: 'Reordered 24 l of oat milk from Dairy Co.',
        approvedBy: ben,
      },
    }),
  ];
}

/**
 * An AI event without the AI's fields, queued as one acknowledged before they were required (the
 * worker stores what it was given), and waited for until stored.
 */
export async function storeLegacyAiEvent(stack: TestStack, tenantId: string, minutesAgo = 50): Promise<string> {
  const { eventId, ...rest } = makeEvent(tenantId, {
    action: 'AI_RECOMMENDATION_ACCEPTED',
    actor: { type: 'USER', ...ana },
    entity: { type: 'AI_RECOMMENDATION', id: 'rec-7', label: 'Happy hour' },
    occurredAt: new Date(Date.now() - minutesAgo * MINUTE).toISOString(),
    metadata: { note: 'recorded by an older till' },
  });
  const event = { eventId, ...rest, redactedPaths: [] } as TAcceptedEvent;
  await stack.services.enqueuer.enqueue(tenantId, [event], new Date().toISOString(), SYSTEM_PROVENANCE);
  await untilStored(stack, tenantId, [eventId]);
  return eventId;
}
