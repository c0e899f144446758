import { defineEntity, p } from '@mikro-orm/core';

export const Tenant = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    /** IANA zone exports show local times in (migration 20261201120000); UTC until an operator sets it. */
    timeZone: p.text().default('UTC'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
