import { defineEntity, p } from '@mikro-orm/core';

/** An ingestion key of one tenant; only the SHA-256 of its secret part is stored. */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    tenantId: p.uuid().primary(),
    id: p.uuid().primary(),
    keyHash: p.type('blob'),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
    /** `device` (a till: what happens at it) or `platform` (also the branch and tenant lifecycle). */
    scope: p.string().default('device'),
  },
});
