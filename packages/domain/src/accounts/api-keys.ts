import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';

const KEY_FORMAT = /^mak_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/**
 * What a key may send: `device` (a till: what happens at it), or `platform` (another process of the
 * platform, e.g. its Tenant/Branch service: also the branch and tenant lifecycle, which decides how
 * the freeze rule judges every later event; a till that could send BRANCH_UNFROZEN would escape it).
 */
export type TApiKeyScope = 'device' | 'platform';

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
export async function createApiKey(
  orm: Orm,
  tenantId: string,
  scope: TApiKeyScope = 'device',
): Promise<{ apiKeyId: string; apiKey: string; scope: TApiKeyScope }> {
  const secret = randomBytes(32).toString('base64url');
  const apiKey = `mak_${tenantId.replaceAll('-', '')}_${secret}`;
  const apiKeyId = uuidv7();
  await withTenant(orm, tenantId, async (em) => {
    await sql`insert into api_keys (tenant_id, id, key_hash, scope) values (${tenantId}, ${apiKeyId}, ${hashSecret(secret)}, ${scope})`.execute(dbOf(em));
  });
  return { apiKeyId, apiKey, scope };
}

/** The tenant of a valid, unrevoked key; undefined for anything else. */
/** The tenant and id of a valid, unrevoked key (the id is what its writes record as their credential). */
export async function authenticateApiKey(orm: Orm, apiKey: string): Promise<{ tenantId: string; apiKeyId: string; scope: TApiKeyScope } | undefined> {
  const m = KEY_FORMAT.exec(apiKey);
  if (!m) return undefined;
  const tenantId = tenantIdFromHex(m[1]!);
  const hash = hashSecret(m[2]!);
  const rows = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (
        await sql<{
          id: string;
          key_hash: Buffer;
          scope: TApiKeyScope;
        }>`select id, key_hash, scope from api_keys where tenant_id = ${tenantId} and key_hash = ${hash} and revoked_at is null`.execute(dbOf(em))
      ).rows,
  );
  const row = rows[0];
  return row && timingSafeEqual(row.key_hash, hash) ? { tenantId, apiKeyId: row.id, scope: row.scope } : undefined;
}

/** timestamptz arrives as a Date or as PostgreSQL's text, depending on the connection's parsers. */
const iso = (v: Date | string) => new Date(v).toISOString();

export interface TApiKeyInfo {
  id: string;
  scope: TApiKeyScope;
  createdAt: string;
  revokedAt: string | null;
}

/** A tenant's keys, newest first: ids and dates only (the table holds no key, only hashes). */
export async function listApiKeys(orm: Orm, tenantId: string): Promise<TApiKeyInfo[]> {
  return withTenant(orm, tenantId, async (em) =>
    (
      await sql<{
        id: string;
        scope: TApiKeyScope;
        created_at: Date | string;
        revoked_at: Date | string | null;
      }>`select id, scope, created_at, revoked_at from api_keys
      where tenant_id = ${tenantId} order by created_at desc, id desc`.execute(dbOf(em))
    ).rows.map((r) => ({ id: r.id, scope: r.scope, createdAt: iso(r.created_at), revokedAt: r.revoked_at === null ? null : iso(r.revoked_at) })),
  );
}

/**
 * Revokes one key of the tenant, named by its id or by the key itself (what an operator holds
 * when a key has leaked). Returns the key's id and when it was revoked (the first revocation
 * stands); undefined when the tenant has no such key.
 */
export async function revokeApiKey(orm: Orm, tenantId: string, idOrKey: string): Promise<{ id: string; revokedAt: string } | undefined> {
  const m = KEY_FORMAT.exec(idOrKey);
  if (m && tenantIdFromHex(m[1]!) !== tenantId) return undefined;
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const match = m ? sql`key_hash = ${hashSecret(m[2]!)}` : sql`id = ${idOrKey}`;
    const row = (
      await sql<{ id: string; revoked_at: Date | string }>`update api_keys set revoked_at = coalesce(revoked_at, now())
      where tenant_id = ${tenantId} and ${match} returning id, revoked_at`.execute(db)
    ).rows[0];
    return row && { id: row.id, revokedAt: iso(row.revoked_at) };
  });
}
