import type { TRole } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { hash } from '@node-rs/argon2';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import { assertPasswordPolicy } from '../auth/password-policy.ts';

/** OWASP's argon2id settings (19 MiB, 2 passes): memory-hard, still fast enough for sign-in. */
export const ARGON2_OPTIONS = { algorithm: 2 /* argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function createUser(
  orm: Orm,
  input: { tenantId: string; email: string; password: string; role: TRole; name?: string },
): Promise<{ userId: string }> {
  // PCI DSS 8.3.6 and a check against common and breached passwords (auth/password-policy.ts)
  assertPasswordPolicy(input.password, { email: input.email, name: input.name });
  const userId = uuidv7();
  const passwordHash = await hash(input.password, ARGON2_OPTIONS);
  await withTenant(orm, input.tenantId, async (em) => {
    const db = dbOf(em);
    if ((await sql`select 1 from tenants where id = ${input.tenantId}`.execute(db)).rows.length === 0) {
      throw new AppError('NOT_FOUND', `no tenant ${input.tenantId}`);
    }
    const taken = await sql`select 1 from users where tenant_id = ${input.tenantId} and email = ${input.email.toLowerCase()}`.execute(db);
    if (taken.rows.length > 0) throw new AppError('CONFLICT', `a user with email ${input.email} already exists in this tenant`);
    await sql`insert into users (tenant_id, id, email, name, role, password_hash)
      values (${input.tenantId}, ${userId}, ${input.email.toLowerCase()}, ${input.name ?? null}, ${input.role}, ${passwordHash})`.execute(db);
    // sign-in names no tenant, so an email may belong to one account of one tenant only
    const claimed = await sql<{ ok: boolean }>`select claim_email(${input.email}, ${userId}) as ok`.execute(db);
    if (!claimed.rows[0]?.ok)
      throw new AppError('CONFLICT', `the email ${input.email} is already used by an account of another tenant; sign-in needs it to be unique`);
  });
  return { userId };
}
