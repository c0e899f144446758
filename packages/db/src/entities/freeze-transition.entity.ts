import { defineEntity, p } from '@mikro-orm/core';

/** A stored BRANCH_/TENANT_(UN)FROZEN event, as the freeze rule reads it (branchId null: the tenant). */
export const FreezeTransition = defineEntity({
  name: 'FreezeTransition',
  tableName: 'freeze_transitions',
  properties: {
    tenantId: p.uuid().primary(),
    seq: p.bigint('number').primary(),
    branchId: p.uuid().nullable(),
    occurredAt: p.datetime(),
    frozen: p.boolean(),
  },
});
