import { defineEntity, p } from '@mikro-orm/core';

/** Projection of BRANCH_* events, written in the transaction that stores them. */
export const Branch = defineEntity({
  name: 'Branch',
  tableName: 'branches',
  properties: {
    tenantId: p.uuid().primary(),
    id: p.uuid().primary(),
    name: p.text(),
    status: p.enum(['ACTIVE', 'FROZEN'] as const),
    provisionedAt: p.datetime(),
    /** occurredAt of the event that gave the current name: an older rename synced late does not replace it. */
    nameAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
