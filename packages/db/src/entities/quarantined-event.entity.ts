import { defineEntity, p } from '@mikro-orm/core';

/** An accepted event the worker could not store; kept whole (already redacted) to be replayed. */
export const QuarantinedEvent = defineEntity({
  name: 'QuarantinedEvent',
  tableName: 'quarantined_events',
  properties: {
    tenantId: p.uuid().primary(),
    id: p.uuid().primary(),
    eventId: p.uuid(),
    reason: p.text(),
    detail: p.text(),
    contentHash: p.text(),
    payload: p.json<Record<string, unknown>>(),
    receivedAt: p.datetime(),
    quarantinedAt: p.datetime().defaultRaw('now()'),
    replayedAt: p.datetime().nullable(),
    provenance: p.json<{ credential: string; sourceAddress: string | null }>().nullable(),
  },
});
