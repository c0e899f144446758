import type { TRole } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';

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

/** Gives the user another role; their sessions read the role from the database, so it applies at once. */
export async function setUserRole(orm: Orm, tenantId: string, email: string, role: TRole): Promise<TAdministeredUser & { previousRole: TRole }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await userByEmail(db, tenantId, email);
    await sql`update users set role = ${role} where tenant_id = ${tenantId} and id = ${user.userId}`.execute(db);
    return { ...user, role, previousRole: user.role };
  });
}

/** Disables the account: it can no longer sign in, and its open sessions end now. */
export async function disableUser(orm: Orm, tenantId: string, email: string): Promise<TAdministeredUser & { disabledAt: string; sessionsEnded: number }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const user = await userByEmail(db, tenantId, email);
    const row = (
      await sql<{ disabled_at: Date }>`update users set disabled_at = coalesce(disabled_at, now())
      where tenant_id = ${tenantId} and id = ${user.userId} returning disabled_at`.execute(db)
    ).rows[0]!;
    return { ...user, disabledAt: new Date(row.disabled_at).toISOString(), sessionsEnded: await revokeSessionsOf(db, tenantId, user.userId) };
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
