import { createHash, randomBytes } from 'node:crypto';
import type { TRole } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';

const TOKEN_FORMAT = /^mas_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface TSessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** Who a valid session cookie belongs to, as the database says now (a changed role applies at once). */
export interface TSession {
  sessionId: string;
  tenantId: string;
  tenantName: string;
  /** The tenant's IANA time zone (tenants.time_zone), which the viewer can show times in. */
  tenantTimeZone: string;
  userId: string;
  email: string;
  name: string | null;
  role: TRole;
}

function hashToken(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function parseToken(token: string): { tenantId: string; hash: Buffer } | undefined {
  const m = TOKEN_FORMAT.exec(token);
  if (!m) return undefined;
  const hex = m[1]!;
  const tenantId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { tenantId, hash: hashToken(m[2]!) };
}

/**
 * Opens a session inside the caller's tenant transaction. The token names its tenant (so lookups
 * stay inside row-level security) and carries 256 random bits, of which only the SHA-256 is stored.
 */
export async function openSession(
  db: Db,
  policy: TSessionPolicy,
  s: { tenantId: string; userId: string; ip: string | null },
): Promise<{ token: string; sessionId: string }> {
  const secret = randomBytes(32).toString('base64url');
  const sessionId = uuidv7();
  // each sign-in clears the user's sessions that ended over 30 days ago: no job has to cross tenants
  await sql`delete from sessions where tenant_id = ${s.tenantId} and user_id = ${s.userId}
    and least(coalesce(revoked_at, 'infinity'), idle_expires_at, absolute_expires_at) < now() - interval '30 days'`.execute(db);
  await sql`insert into sessions (tenant_id, id, user_id, token_hash, ip, idle_expires_at, absolute_expires_at)
    values (${s.tenantId}, ${sessionId}, ${s.userId}, ${hashToken(secret)}, ${s.ip},
      now() + make_interval(secs => ${policy.idleMinutes * 60}), now() + make_interval(secs => ${policy.absoluteHours * 3600}))`.execute(db);
  return { token: `mas_${s.tenantId.replaceAll('-', '')}_${secret}`, sessionId };
}

/** The session of a cookie if it is unrevoked and neither idle nor absolute expiry has passed; extends its idle expiry. */
export async function findSession(orm: Orm, policy: TSessionPolicy, token: string): Promise<TSession | undefined> {
  const parsed = parseToken(token);
  if (!parsed) return undefined;
  const { tenantId, hash } = parsed;
  return withTenant(orm, tenantId, async (em) => {
    const row = (
      await sql<{ session_id: string; user_id: string; email: string; name: string | null; role: TRole; tenant_name: string; tenant_time_zone: string }>`
      with s as (
        update sessions set last_seen_at = now(),
          idle_expires_at = least(now() + make_interval(secs => ${policy.idleMinutes * 60}), absolute_expires_at)
        where tenant_id = ${tenantId} and token_hash = ${hash} and revoked_at is null
          and idle_expires_at > now() and absolute_expires_at > now()
        returning id, user_id)
      select s.id as session_id, u.id as user_id, u.email, u.name, u.role, t.name as tenant_name, t.time_zone as tenant_time_zone
      from s join users u on u.tenant_id = ${tenantId} and u.id = s.user_id join tenants t on t.id = ${tenantId}`.execute(dbOf(em))
    ).rows[0];
    if (!row) return undefined;
    return {
      sessionId: row.session_id,
      tenantId,
      tenantName: row.tenant_name,
      tenantTimeZone: row.tenant_time_zone,
      userId: row.user_id,
      email: row.email,
      name: row.name,
      role: row.role,
    };
  });
}

/** Revokes the session of a cookie (sign-out); the session it was, if it was live. */
export async function revokeSession(orm: Orm, token: string): Promise<{ tenantId: string; sessionId: string; userId: string } | undefined> {
  const parsed = parseToken(token);
  if (!parsed) return undefined;
  const { tenantId, hash } = parsed;
  return withTenant(orm, tenantId, async (em) => {
    const row = (
      await sql<{ id: string; user_id: string }>`update sessions set revoked_at = now()
      where tenant_id = ${tenantId} and token_hash = ${hash} and revoked_at is null returning id, user_id`.execute(dbOf(em))
    ).rows[0];
    return row ? { tenantId, sessionId: row.id, userId: row.user_id } : undefined;
  });
}
