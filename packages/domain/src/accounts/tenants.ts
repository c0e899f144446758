import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { createApiKey } from './api-keys.ts';

/**
 * Creates a tenant with its first API key: a `platform` key, for the platform's service that
 * provisions the tenant's branches; its tills get `device` keys (`cli apikey create`).
 */
export async function createTenant(orm: Orm, name: string): Promise<{ tenantId: string; apiKey: string }> {
  const tenantId = uuidv7();
  await withTenant(orm, tenantId, async (em) => {
    await sql`insert into tenants (id, name) values (${tenantId}, ${name})`.execute(dbOf(em));
  });
  return { tenantId, apiKey: (await createApiKey(orm, tenantId, 'platform')).apiKey };
}

export async function tenantExists(orm: Orm, tenantId: string): Promise<boolean> {
  return withTenant(orm, tenantId, async (em) => (await sql`select 1 from tenants where id = ${tenantId}`.execute(dbOf(em))).rows.length > 0);
}
