import { defineEntity, p } from '@mikro-orm/core';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    tenantId: p.uuid().primary(),
    id: p.uuid().primary(),
    email: p.text(),
    name: p.text().nullable(),
    role: p.enum(['ADMIN', 'MANAGER', 'CASHIER'] as const),
    passwordHash: p.text().hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
