import type pg from 'pg';
import type { Em, Orm } from './orm.ts';
import { APP_ROLE } from './roles.ts';

/**
 * Every tenant-scoped transaction: the security boundary in one file. Each runs as the restricted
 * runtime role (but withTenantAsOwner) with the tenant set transaction-locally, so row-level
 * security confines every statement to that tenant and nothing leaks to the next user of the
 * pooled connection.
 */

/**
 * Runs `fn` in one transaction as the restricted runtime role with the tenant set
 * transaction-locally, so row-level security confines every statement to that tenant and the
 * setting cannot leak to the next user of the pooled connection.
 */
export async function withTenant<T>(orm: Orm, tenantId: string, fn: (em: Em) => Promise<T>): Promise<T> {
  const em = orm.em.fork();
  em.setSessionContext({ role: APP_ROLE, variables: { 'app.tenant_id': tenantId } });
  return em.transactional(fn);
}

/**
 * A transaction as the runtime role with no tenant set: row-level security hides every tenant's
 * rows; only the security-definer directory functions (find_sign_in) answer. For sign-in, which
 * names no tenant.
 */
export async function withNoTenant<T>(orm: Orm, fn: (em: Em) => Promise<T>): Promise<T> {
  const em = orm.em.fork();
  em.setSessionContext({ role: APP_ROLE, variables: {} });
  return em.transactional(fn);
}

/** Like withTenant, for the owner's tools (CLI, tests): the owner role, still confined to one tenant. */
export async function withTenantAsOwner<T>(orm: Orm, tenantId: string, fn: (em: Em) => Promise<T>): Promise<T> {
  const em = orm.em.fork();
  em.setSessionContext({ variables: { 'app.tenant_id': tenantId } });
  return em.transactional(fn);
}

/**
 * Like withTenant, in one REPEATABLE READ snapshot: a verification or an export sees the head,
 * the rows and the checkpoints as of one instant while ingestion goes on.
 */
export async function withTenantSnapshot<T>(orm: Orm, tenantId: string, fn: (em: Em) => Promise<T>): Promise<T> {
  const em = orm.em.fork();
  em.setSessionContext({ role: APP_ROLE, variables: { 'app.tenant_id': tenantId } });
  return em.transactional(fn, { isolationLevel: 'repeatable read' });
}

/**
 * A raw connection of the ORM's own pool in the tenant's read-only snapshot, as the runtime role:
 * for what the ORM cannot do, such as streaming `COPY (query) TO STDOUT` (row-level security applies
 * to the query form of COPY). A connection that failed (e.g. left mid-COPY) is discarded, not reused.
 */
export async function withTenantConnection<T>(orm: Orm, tenantId: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const pool: pg.Pool = await orm.driver.getConnection().getNativeClient();
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set local role ${APP_ROLE}`);
    await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    broken = err as Error;
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release(broken);
  }
}
