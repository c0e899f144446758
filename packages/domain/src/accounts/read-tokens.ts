import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { READ_TOKEN_PREFIX, type TReadToken } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import type { TAdministrator } from './administration.ts';

// mrt_<tenant id without dashes>_<256 random bits, base64url>: the tenant lets the lookup run under
// its row-level security; the prefix keeps read tokens and ingest keys (mak_) apart.
const TOKEN_FORMAT = /^mrt_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** How stale `last_used_at` may get before a use writes it again: a busy puller does not write on every request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();
const tenantIdFromHex = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Whose a valid token is: what a request it authenticates may read, and what its use is recorded as. */
export interface TReadTokenHolder {
  tenantId: string;
  tokenId: string;
  name: string;
}

/** Who made a token: a signed-in Admin (their id and name) or the operator at the CLI (a name only). */
export interface TTokenMaker {
  userId: string | null;
  name: string;
}

/** Whether a bearer credential is shaped as a read token (else it may be an ingest API key). */
export function isReadTokenText(text: string): boolean {
  return text.startsWith(READ_TOKEN_PREFIX);
}

/**
 * Makes a read token of the tenant, valid for `expiresInDays`. Only the SHA-256 of its random part
 * is stored: 256 random bits need no slow hash, and a stolen table yields no token.
 */
export async function createReadToken(
  orm: Orm,
  tenantId: string,
  input: { name: string; expiresInDays: number; createdBy: TTokenMaker },
): Promise<{ tokenId: string; token: string; expiresAt: string }> {
  const secret = randomBytes(32).toString('base64url');
  const token = `${READ_TOKEN_PREFIX}${tenantId.replaceAll('-', '')}_${secret}`;
  const tokenId = uuidv7();
  const expiresAt = await withTenant(orm, tenantId, async (em) => {
    const row = (
      await sql<{ expires_at: string }>`insert into read_tokens (tenant_id, id, name, token_hash, created_by_user_id, created_by_name, expires_at)
        values (${tenantId}, ${tokenId}, ${input.name}, ${hashSecret(secret)}, ${input.createdBy.userId}, ${input.createdBy.name},
          now() + make_interval(days => ${input.expiresInDays}))
        returning ${iso('expires_at')} as expires_at`.execute(dbOf(em))
    ).rows[0];
    if (!row) throw new Error('read token not inserted');
    return row.expires_at;
  });
  return { tokenId, token, expiresAt };
}

/** The holder of a valid token (known, unrevoked, unexpired); undefined for anything else. Marks it used. */
export async function authenticateReadToken(orm: Orm, token: string): Promise<TReadTokenHolder | undefined> {
  const m = TOKEN_FORMAT.exec(token);
  if (!m) return undefined;
  const tenantId = tenantIdFromHex(m[1]!);
  const hash = hashSecret(m[2]!);
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const row = (
      await sql<{ id: string; name: string; token_hash: Buffer; stale: boolean }>`select id, name, token_hash,
          (last_used_at is null or last_used_at < now() - make_interval(secs => ${LAST_USED_RESOLUTION_SECONDS})) as stale
        from read_tokens where tenant_id = ${tenantId} and token_hash = ${hash} and revoked_at is null and expires_at > now()`.execute(db)
    ).rows[0];
    if (!row || !timingSafeEqual(row.token_hash, hash)) return undefined;
    if (row.stale) await sql`update read_tokens set last_used_at = now() where tenant_id = ${tenantId} and id = ${row.id}`.execute(db);
    return { tenantId, tokenId: row.id, name: row.name };
  });
}

type TTokenRow = {
  id: string;
  name: string;
  created_by_name: string | null;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

const COLUMNS = sql`id, name, created_by_name, ${iso('created_at')} as created_at, ${iso('expires_at')} as expires_at,
  ${iso('last_used_at')} as last_used_at, ${iso('revoked_at')} as revoked_at`;

const toView = (r: TTokenRow): TReadToken => ({
  id: r.id,
  name: r.name,
  createdBy: r.created_by_name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** The tenant's read tokens, newest first (revoked and expired ones too): never a token, only its facts. */
export async function listReadTokens(orm: Orm, tenantId: string): Promise<TReadToken[]> {
  return withTenant(orm, tenantId, async (em) =>
    (await sql<TTokenRow>`select ${COLUMNS} from read_tokens where tenant_id = ${tenantId} order by created_at desc, id desc`.execute(dbOf(em))).rows.map(
      toView,
    ),
  );
}

/**
 * Revokes one of the tenant's tokens, named by its id or by the token itself (what someone holds
 * when it leaked). The first revocation stands. NOT_FOUND when the tenant has no such token.
 */
export async function revokeReadToken(orm: Orm, tenantId: string, idOrToken: string): Promise<TReadToken> {
  const m = TOKEN_FORMAT.exec(idOrToken);
  if (m && tenantIdFromHex(m[1]!) !== tenantId) throw new AppError('NOT_FOUND', 'no such read token');
  const row = await withTenant(orm, tenantId, async (em) => {
    const match = m ? sql`token_hash = ${hashSecret(m[2]!)}` : sql`id = ${idOrToken}::uuid`;
    return (
      await sql<TTokenRow>`update read_tokens set revoked_at = coalesce(revoked_at, now())
        where tenant_id = ${tenantId} and ${match} returning ${COLUMNS}`.execute(dbOf(em))
    ).rows[0];
  });
  if (!row) throw new AppError('NOT_FOUND', 'no such read token');
  return toView(row);
}

/**
 * Revokes every live token a user made (in the caller's tenant transaction): a token is its maker's
 * access, so it ends with their being an Admin (PCI DSS 8.2.5: a leaver's access is revoked at once).
 * Tokens the operator made at the CLI have no maker and stay.
 */
export async function revokeReadTokensMadeBy(db: Db, tenantId: string, userId: string): Promise<TReadToken[]> {
  const rows = await sql<TTokenRow>`update read_tokens set revoked_at = now()
    where tenant_id = ${tenantId} and created_by_user_id = ${userId} and revoked_at is null and expires_at > now()
    returning ${COLUMNS}`.execute(db);
  return rows.rows.map(toView);
}

/**
 * A token as the actor of what it reads. The contract's actor is a USER or the SYSTEM, and a token
 * is no user: it is a SYSTEM actor whose id names the token (`read-token/<id>`, so events.list
 * `actorIds` finds every use of one token; a slash, not a colon: `read-token:` reads as an
 * assignment of a secret to redaction, which would blank the id) and whose name is the one its maker
 * gave it, marked as a token's (after it: "token <word>" reads as an Authorization header to redaction).
 */
export function readTokenActor(holder: Pick<TReadTokenHolder, 'tokenId' | 'name'>): TAdministrator {
  return { type: 'SYSTEM', id: `read-token/${holder.tokenId}`, name: `${holder.name} (read token)` };
}
