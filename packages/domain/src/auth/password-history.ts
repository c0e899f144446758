import { sql, type Db } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { checkPassword } from './passwords.ts';

/**
 * PCI DSS v4 8.3.7: a new password must differ from this many of the user's last passwords — the
 * current one (`users.password_hash`) and the ones it replaced (`password_history`, the newest
 * PASSWORD_HISTORY - 1 kept).
 */
export const PASSWORD_HISTORY = 4;

export const REUSED_PASSWORD = `the new password must differ from your last ${PASSWORD_HISTORY} passwords (PCI DSS 8.3.7); choose one you have not used before`;

/** The argon2id hashes of the passwords the user replaced, newest first (at most PASSWORD_HISTORY - 1). */
async function replacedHashes(db: Db, tenantId: string, userId: string): Promise<string[]> {
  const rows = (
    await sql<{ password_hash: string }>`select password_hash from password_history
    where tenant_id = ${tenantId} and user_id = ${userId}
    order by replaced_at desc, id desc limit ${PASSWORD_HISTORY - 1}`.execute(db)
  ).rows;
  return rows.map((r) => r.password_hash);
}

/**
 * Whether `password` is one of the passwords the user replaced among the last PASSWORD_HISTORY
 * (each checked with argon2's verify: only hashes are kept). The current one is checked by the caller.
 */
export async function usedBefore(db: Db, tenantId: string, userId: string, password: string): Promise<boolean> {
  const hashes = await replacedHashes(db, tenantId, userId);
  const matches = await Promise.all(hashes.map((h) => checkPassword(h, password)));
  return matches.some(Boolean);
}

/**
 * Keeps the hash of the password being replaced, and forgets those older than the last
 * PASSWORD_HISTORY (no reason to keep more hashes of old passwords than the rule needs). Runs in the
 * transaction that sets the new password, on the user's locked row.
 */
export async function rememberReplaced(db: Db, tenantId: string, userId: string, replacedHash: string): Promise<void> {
  await sql`insert into password_history (tenant_id, id, user_id, password_hash)
    values (${tenantId}, ${uuidv7()}, ${userId}, ${replacedHash})`.execute(db);
  await sql`delete from password_history where tenant_id = ${tenantId} and user_id = ${userId} and id not in (
      select id from password_history where tenant_id = ${tenantId} and user_id = ${userId}
      order by replaced_at desc, id desc limit ${PASSWORD_HISTORY - 1})`.execute(db);
}
