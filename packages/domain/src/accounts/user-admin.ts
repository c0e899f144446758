import type { TReadToken, TRole } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';
import { revokeReadTokensMadeBy } from './read-tokens.ts';

/** The account an operator names, in the tenant named. */
export interface TAdministeredUser {
  userId: string;
  email: string;
  role: TRole;
}

async function userByEmail(db: Db, tenantId: string, email: string): Promise<TAdministeredUser> {
  const row = (
    await sql<{ id: string; email: string; role: TRole }>`select id, email, role from users
    where tenant_id = ${tenantId} and email = ${email.toLowerCase()}`.execute(db)
  ).rows[0];
  if (!row) throw new AppError('NOT_FOUND', `tenant ${tenantId} has no user ${email}`);
  return { userId: row.id, email: row.email, role: row.role };
}

/** Ends every open session of the user: what changed about the account applies at once. */
async function revokeSessionsOf(db: Db, tenantId: string, userId: string): Promise<number> {
  const r = await sql`update sessions set revoked_at = now() where tenant_id = ${tenantId} and user_id = ${userId} and revoked_at is null`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Gives the user another role. A change ends the user's open sessions: a session proved only what
 * the old role asked for (a Cashier's has no second factor, which an Admin's must have: OWASP ASVS
 * 3.7.1, re-authenticate on a change of privilege), so the next sign-in is made for the new role.
 * Leaving ADMIN also revokes the read tokens the user made: they were that Admin's access.
 */
export async function setUserRole(
  orm: Orm,
  tenantId: string,
  email: string,
  role: TRole,
): Promise<TAdministeredUser & { previousRole: TRole; sessionsEnded: number; readTokensRevoked: TReadToken[] }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await userByEmail(db, tenantId, email);
    if (user.role === role) return { ...user, previousRole: user.role, sessionsEnded: 0, readTokensRevoked: [] };
    await sql`update users set role = ${role} where tenant_id = ${tenantId} and id = ${user.userId}`.execute(db);
    const sessionsEnded = await revokeSessionsOf(db, tenantId, user.userId);
    const readTokensRevoked = user.role === 'ADMIN' ? await revokeReadTokensMadeBy(db, tenantId, user.userId) : [];
    return { ...user, role, previousRole: user.role, sessionsEnded, readTokensRevoked };
  });
}

/** Disables the account: it can no longer sign in, its open sessions end now, and so do the read tokens it made. */
export async function disableUser(
  orm: Orm,
  tenantId: string,
  email: string,
): Promise<TAdministeredUser & { disabledAt: string; sessionsEnded: number; readTokensRevoked: TReadToken[] }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await userByEmail(db, tenantId, email);
    const row = (
      await sql<{ disabled_at: Date }>`update users set disabled_at = coalesce(disabled_at, now())
      where tenant_id = ${tenantId} and id = ${user.userId} returning disabled_at`.execute(db)
    ).rows[0]!;
    return {
      ...user,
      disabledAt: new Date(row.disabled_at).toISOString(),
      sessionsEnded: await revokeSessionsOf(db, tenantId, user.userId),
      readTokensRevoked: await revokeReadTokensMadeBy(db, tenantId, user.userId),
    };
  });
}

/** Clears the account's lock and its count of failed sign-ins (the lock's events stay in the log). */
export async function unlockUser(orm: Orm, tenantId: string, email: string): Promise<TAdministeredUser> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await userByEmail(db, tenantId, email);
    await sql`update users set failed_attempts = 0, locked_until = null where tenant_id = ${tenantId} and id = ${user.userId}`.execute(db);
    return user;
  });
}

/** Forgets the second factor: the next sign-in enrols a new one; open sessions end now. */
export async function resetTwoFactor(orm: Orm, tenantId: string, email: string): Promise<TAdministeredUser & { sessionsEnded: number }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await userByEmail(db, tenantId, email);
    await sql`update users set totp_secret_enc = null, totp_enrolled = false, totp_last_step = null
      where tenant_id = ${tenantId} and id = ${user.userId}`.execute(db);
    return { ...user, sessionsEnded: await revokeSessionsOf(db, tenantId, user.userId) };
  });
}
