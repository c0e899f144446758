import type { TAcceptedEvent, TQuarantineReason } from '@modula/contracts';
import { sql, type Db } from '@modula/db';

/**
 * DESIGN rule 1, context: the tenant must exist, and a branchId must be the tenant's. A branch of
 * another tenant is quarantined at once; a branch not provisioned yet is waited for, then
 * quarantined on the last wait. A successful BRANCH_PROVISIONED claims its branch for the tenant.
 */
export type TContextVerdict = { kind: 'in-context' } | { kind: 'wait' } | { kind: 'quarantine'; reason: TQuarantineReason; detail: string };

const IN_CONTEXT: TContextVerdict = { kind: 'in-context' };
const WAIT: TContextVerdict = { kind: 'wait' };
export const UNKNOWN_TENANT = { kind: 'quarantine', reason: 'UNKNOWN_TENANT', detail: 'no such tenant' } as const satisfies TContextVerdict;
const FOREIGN_BRANCH: TContextVerdict = { kind: 'quarantine', reason: 'CONTEXT_MISMATCH', detail: 'branchId belongs to another tenant' };
const UNKNOWN_BRANCH: TContextVerdict = { kind: 'quarantine', reason: 'UNKNOWN_BRANCH', detail: 'no BRANCH_PROVISIONED arrived for this branchId' };

/** The branches a batch names, as the tenant sees them; grows as the batch provisions branches. */
export interface TBranchContext {
  known: Set<string>;
  foreign: Set<string>;
}

export async function tenantExists(db: Db, tenantId: string): Promise<boolean> {
  return (await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst()) !== undefined;
}

export async function loadBranchContext(db: Db, branchIds: string[]): Promise<TBranchContext> {
  if (branchIds.length === 0) return { known: new Set(), foreign: new Set() };
  const known = await db.selectFrom('branches').select('id').where(sql<boolean>`id = any(${branchIds}::uuid[])`).execute();
  const foreign = await sql<{ id: string }>`select foreign_branches as id from foreign_branches(${branchIds}::uuid[])`.execute(db);
  return { known: new Set(known.map((r) => r.id)), foreign: new Set(foreign.rows.map((r) => r.id)) };
}

/** Judges one event's branch against the context, claiming the branch when the event provisions it. */
export async function judgeBranchContext(db: Db, context: TBranchContext, event: TAcceptedEvent, lastBranchWait: boolean): Promise<TContextVerdict> {
  const branchId = event.branchId;
  if (!branchId) return IN_CONTEXT;
  if (context.foreign.has(branchId)) return FOREIGN_BRANCH;
  const provisions = event.action === 'BRANCH_PROVISIONED' && event.outcome === 'SUCCESS';
  if (provisions && !context.known.has(branchId)) {
    if (!(await claimBranch(db, branchId))) {
      context.foreign.add(branchId);
      return FOREIGN_BRANCH;
    }
    context.known.add(branchId);
  }
  // A refused provisioning names a branch that may never exist; it is still worth keeping.
  const refusedProvisioning = event.action === 'BRANCH_PROVISIONED' && !provisions;
  if (!context.known.has(branchId) && !refusedProvisioning) return lastBranchWait ? UNKNOWN_BRANCH : WAIT;
  return IN_CONTEXT;
}

async function claimBranch(db: Db, branchId: string): Promise<boolean> {
  const r = await sql<{ mine: boolean }>`select claim_branch(${branchId}::uuid) as mine`.execute(db);
  return r.rows[0]?.mine === true;
}
