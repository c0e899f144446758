import type { TBranchView } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';

/** The tenant's branches as the log made them (BRANCH_PROVISIONED / FROZEN / UNFROZEN), by name. */
export async function listBranches(orm: Orm, tenantId: string): Promise<TBranchView[]> {
  return withTenant(
    orm,
    tenantId,
    async (em) => (await sql<TBranchView>`select id, name, status from branches where tenant_id = ${tenantId} order by name, id`.execute(dbOf(em))).rows,
  );
}
