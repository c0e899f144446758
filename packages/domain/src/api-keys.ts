import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { dbOf, sql, withTenant, withTenantAsOwner, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';

const KEY_FORMAT = /^mak_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function tenantIdFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Creates an API key for a tenant. The key names its tenant (so the lookup is confined to it by
 * row-level security) and carries 256 random bits, of which only the SHA-256 is stored: a key
 * that strong needs no slow hash, and a stolen table yields no key.
 */
export async function createApiKey(orm: Orm, tenantId: string): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  const apiKey = `mak_${tenantId.replaceAll('-', '')}_${secret}`;
  await withTenantAsOwner(orm, tenantId, async (em) => {
    await sql`insert into api_keys (tenant_id, id, key_hash) values (${tenantId}, ${uuidv7()}, ${hashSecret(secret)})`.execute(dbOf(em));
  });
  return apiKey;
}

/** The tenant of a valid, unrevoked key; undefined for anything else. */
export async function authenticateApiKey(orm: Orm, apiKey: string): Promise<string | undefined> {
  const m = KEY_FORMAT.exec(apiKey);
  if (!m) return undefined;
  const tenantId = tenantIdFromHex(m[1]!);
  const hash = hashSecret(m[2]!);
  const rows = await withTenant(orm, tenantId, async (em) =>
    (await sql<{ key_hash: Buffer }>`select key_hash from api_keys where tenant_id = ${tenantId} and key_hash = ${hash} and revoked_at is null`
      .execute(dbOf(em))).rows);
  const row = rows[0];
  return row && timingSafeEqual(row.key_hash, hash) ? tenantId : undefined;
}
