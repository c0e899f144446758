import type { TAcceptedEvent } from '@modula/contracts';
import { sql, type Db } from '@modula/db';
import type { TFreezeTransition } from './freeze-denial.ts';

/**
 * DESIGN rule 2, branch state from the log: the stored BRANCH_* lifecycle events (those that
 * happened: SUCCESS) update the `branches` projection in the same transaction, by occurredAt.
 */

/** A stored lifecycle event of a branch: `at` is its occurredAt (ISO, UTC, so it sorts as text). */
export interface TBranchChange {
  id: string;
  name?: string;
  at: string;
  provisions: boolean;
}

/** What a stored SUCCESS event changes in its branch's projection, if anything. */
export function branchChangeOf(event: TAcceptedEvent): TBranchChange | undefined {
  if (!event.branchId || !event.action.startsWith('BRANCH_')) return undefined;
  return { id: event.branchId, name: branchNameOf(event), at: event.occurredAt, provisions: event.action === 'BRANCH_PROVISIONED' };
}

/**
 * Keeps the branch projection in step with the lifecycle events just stored, by when they happened:
 * provisioned_at is the provisioning's occurredAt, the name is the one of the latest rename by
 * occurredAt (ties: the one acknowledged last), and the status is the freeze state now.
 */
export async function applyBranchChanges(db: Db, tenantId: string, changes: TBranchChange[], transitions: TFreezeTransition[]): Promise<void> {
  const ids = [...new Set(changes.map((c) => c.id))];
  for (const id of ids) {
    const mine = changes.filter((c) => c.id === id);
    const named = mine.filter((c) => c.name).reduce<TBranchChange | undefined>((latest, c) => (!latest || c.at >= latest.at ? c : latest), undefined);
    const provisionedAt = mine.find((c) => c.provisions)?.at ?? mine[0]!.at;
    const status = currentStatus(transitions, id);
    await sql`insert into branches (tenant_id, id, name, name_at, status, provisioned_at, updated_at)
      values (${tenantId}, ${id}, ${named?.name ?? id}, ${named?.at ?? provisionedAt}, ${status}, ${provisionedAt}, now())
      on conflict (tenant_id, id) do update set
        name = case when excluded.name_at >= branches.name_at and ${named !== undefined} then excluded.name else branches.name end,
        name_at = case when excluded.name_at >= branches.name_at and ${named !== undefined} then excluded.name_at else branches.name_at end,
        status = excluded.status, updated_at = now()`.execute(db);
  }
}

function currentStatus(transitions: TFreezeTransition[], branchId: string): 'ACTIVE' | 'FROZEN' {
  const latest = transitions
    .filter((t) => t.branchId === branchId)
    .sort((a, b) => a.occurredAt - b.occurredAt || a.seq - b.seq)
    .at(-1);
  return latest?.frozen ? 'FROZEN' : 'ACTIVE';
}

/** Only provisioning and updates name a branch: the new name (after.name), else the label of the branch entity. */
function branchNameOf(event: TAcceptedEvent): string | undefined {
  if (event.action !== 'BRANCH_PROVISIONED' && event.action !== 'BRANCH_UPDATED') return undefined;
  if (typeof event.after?.name === 'string' && event.after.name) return event.after.name;
  return event.entity && event.entity.id === event.branchId ? event.entity.label : undefined;
}
