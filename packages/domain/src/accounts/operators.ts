import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { dbOf, sql, withNoTenant, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import type { TAdministrator } from './administration.ts';

/**
 * Operators of the service (issue 12, item 9): not tenant Admins, and not tenant accounts at all.
 * Their credential is a name and a random 256-bit secret (`mop_…`), shown once at creation; only its
 * SHA-256 is stored (a secret that strong needs no slow hash, and a stolen table yields none).
 * Names are taken for good: a revoked operator stays, so `operator_actions` keeps naming one person.
 */
export const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SECRET_FORMAT = /^mop_[A-Za-z0-9_-]{43}$/;

export type TOperatorAction = 'OPERATOR_CREATED' | 'OPERATOR_REVOKED' | 'SIGN_IN' | 'RETRY_JOB' | 'RETRY_FAILED_JOBS';

export interface TOperatorInfo {
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface TOperator {
  id: string;
  name: string;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();
/** Compared against when the name is unknown, so that case costs what a wrong secret costs. */
const DUMMY_HASH = hashSecret(`mop_${'0'.repeat(43)}`);
const iso = (v: Date | string) => new Date(v).toISOString();

/** The operator as the actor of what they do in a tenant's log (JOBS_REDRIVEN). */
export function operatorActorOf(name: string): TAdministrator {
  return { type: 'SYSTEM', id: `operator:${name}`, name: `Operator ${name}` };
}

function assertName(name: string): void {
  if (!OPERATOR_NAME.test(name))
    throw new AppError('VALIDATION_FAILED', 'an operator name is 1 to 64 letters, digits, . _ - (starting with a letter or digit)');
}

/** Creates an operator and returns their secret (shown this once); records OPERATOR_CREATED with `by`, who did it. */
export async function createOperator(orm: Orm, name: string, by = 'unknown'): Promise<{ name: string; secret: string }> {
  assertName(name);
  const secret = `mop_${randomBytes(32).toString('base64url')}`;
  await withNoTenant(orm, async (em) => {
    const db = dbOf(em);
    const inserted = await sql`insert into operators (id, name, secret_hash) values (${uuidv7()}, ${name}, ${hashSecret(secret)})
      on conflict (name) do nothing returning id`.execute(db);
    if (inserted.rows.length === 0) throw new AppError('CONFLICT', `an operator named ${name} exists already (names are never reused, even once revoked)`);
    await insertAction(db, name, 'OPERATOR_CREATED', null, { by });
  });
  return { name, secret };
}

/** Every operator, oldest first: names and dates (the table holds no secret). */
export async function listOperators(orm: Orm): Promise<TOperatorInfo[]> {
  return withNoTenant(orm, async (em) =>
    (
      await sql<{ name: string; created_at: Date | string; revoked_at: Date | string | null }>`select name, created_at, revoked_at from operators
      order by created_at, name`.execute(dbOf(em))
    ).rows.map((r) => ({ name: r.name, createdAt: iso(r.created_at), revokedAt: r.revoked_at === null ? null : iso(r.revoked_at) })),
  );
}

/** Revokes an operator for good (a second revocation keeps the first date); undefined when there is none of that name. */
export async function revokeOperator(orm: Orm, name: string, by = 'unknown'): Promise<{ name: string; revokedAt: string } | undefined> {
  return withNoTenant(orm, async (em) => {
    const db = dbOf(em);
    const row = (await sql<{ revoked_at: Date | string | null }>`select revoked_at from operators where name = ${name} for update`.execute(db)).rows[0];
    if (!row) return undefined;
    if (row.revoked_at !== null) return { name, revokedAt: iso(row.revoked_at) };
    const updated = (await sql<{ revoked_at: Date | string }>`update operators set revoked_at = now() where name = ${name} returning revoked_at`.execute(db))
      .rows[0]!;
    await insertAction(db, name, 'OPERATOR_REVOKED', null, { by });
    return { name, revokedAt: iso(updated.revoked_at) };
  });
}

/**
 * The operator whose name and secret these are, when not revoked; undefined for anything else.
 * The hashes are compared in constant time, and an unknown name costs the same comparison.
 */
export async function authenticateOperator(orm: Orm, name: string, secret: string): Promise<TOperator | undefined> {
  const hash = hashSecret(secret);
  const row = OPERATOR_NAME.test(name)
    ? await withNoTenant(
        orm,
        async (em) =>
          (
            await sql<{ id: string; secret_hash: Buffer }>`select id, secret_hash from operators
        where name = ${name} and revoked_at is null`.execute(dbOf(em))
          ).rows[0],
      )
    : undefined;
  const same = timingSafeEqual(row?.secret_hash ?? DUMMY_HASH, hash);
  return row && same && SECRET_FORMAT.test(secret) ? { id: row.id, name } : undefined;
}

/** Whether any operator may sign in: without one the dashboard is off. */
export async function anyActiveOperator(orm: Orm): Promise<boolean> {
  return withNoTenant(
    orm,
    async (em) => (await sql<{ any: boolean }>`select exists (select 1 from operators where revoked_at is null) as any`.execute(dbOf(em))).rows[0]!.any,
  );
}

async function insertAction(
  db: ReturnType<typeof dbOf>,
  name: string,
  action: TOperatorAction,
  clientAddress: string | null,
  detail: Record<string, unknown>,
): Promise<void> {
  await sql`insert into operator_actions (id, operator_name, action, client_address, detail)
    values (${uuidv7()}, ${name}, ${action}, ${clientAddress}, ${JSON.stringify(detail)}::jsonb)`.execute(db);
}

/** Appends one row to `operator_actions` (append-only: the runtime may insert and read it, nothing else). */
export async function recordOperatorAction(
  orm: Orm,
  entry: { operator: string; action: TOperatorAction; clientAddress: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  await withNoTenant(orm, (em) => insertAction(dbOf(em), entry.operator, entry.action, entry.clientAddress, entry.detail ?? {}));
}
