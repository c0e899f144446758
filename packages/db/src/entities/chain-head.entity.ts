import { defineEntity, p } from '@mikro-orm/core';

/** The last link of a tenant's hash chain; its row lock serialises appends per tenant. */
export const ChainHead = defineEntity({
  name: 'ChainHead',
  tableName: 'chain_heads',
  properties: {
    tenantId: p.uuid().primary(),
    seq: p.bigint('number'),
    hash: p.text(),
    updatedAt: p.datetime(),
  },
});
