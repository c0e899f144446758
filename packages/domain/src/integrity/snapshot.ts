import { APP_ROLE, type Em, type Orm } from '@modula/db';

/**
 * Like withTenant, in one REPEATABLE READ snapshot: a verification or an export sees the head,
 * the rows and the checkpoints as of one instant while ingestion goes on.
 */
export async function withTenantSnapshot<T>(orm: Orm, tenantId: string, fn: (em: Em) => Promise<T>): Promise<T> {
  const em = orm.em.fork();
  em.setSessionContext({ role: APP_ROLE, variables: { 'app.tenant_id': tenantId } });
  return em.transactional(fn, { isolationLevel: 'repeatable read' });
}
