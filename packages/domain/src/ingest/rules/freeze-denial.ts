import { FREEZE_TRANSITIONS, isBlockedWhenFrozen, type TAcceptedEvent, type TAction, type TDenialReason } from '@modula/contracts';
import { sql, type Db } from '@modula/db';

/** A freeze or unfreeze of a branch (or of the tenant, branchId null), as stored in the log. */
export interface TFreezeTransition {
  branchId: string | null;
  occurredAt: number;
  seq: number;
  frozen: boolean;
}

/**
 * Freeze state of one scope at an instant: the latest transition at or before it decides, ties
 * broken by acceptance order. Freezing at 10:00 blocks an event at exactly 10:00; unfreezing at
 * 11:00 allows one at exactly 11:00. Works whatever order the transitions arrived in.
 */
export function isFrozenAt(transitions: TFreezeTransition[], branchId: string | null, at: number): boolean {
  let latest: TFreezeTransition | undefined;
  for (const t of transitions) {
    if (t.branchId !== branchId || t.occurredAt > at) continue;
    if (!latest || t.occurredAt > latest.occurredAt || (t.occurredAt === latest.occurredAt && t.seq > latest.seq)) latest = t;
  }
  return latest?.frozen ?? false;
}

/**
 * DESIGN rule 3: a state-changing action claiming SUCCESS on a branch (or tenant) frozen at its
 * occurredAt is stored as REJECTED with the freeze as reason. Returns the reason, or undefined.
 */
export function freezeDenial(
  event: { action: TAction; outcome: string; branchId?: string | null; occurredAt: string },
  transitions: TFreezeTransition[],
): TDenialReason | undefined {
  if (event.outcome !== 'SUCCESS' || !isBlockedWhenFrozen(event.action, Boolean(event.branchId))) return undefined;
  const at = Date.parse(event.occurredAt);
  if (event.branchId && isFrozenAt(transitions, event.branchId, at)) return 'BRANCH_FROZEN';
  if (isFrozenAt(transitions, null, at)) return 'TENANT_FROZEN';
  return undefined;
}

/** The transitions that can decide this batch: the tenant's own and those of the branches it names. */
export async function loadTransitions(db: Db, tenantId: string, branchIds: string[]): Promise<TFreezeTransition[]> {
  const rows = await db
    .selectFrom('freeze_transitions')
    .select(['branch_id', 'occurred_at', 'seq', 'frozen'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('branch_id', 'is', null), sql<boolean>`branch_id = any(${branchIds}::uuid[])`]))
    .execute();
  return rows.map((t) => ({ branchId: t.branch_id, occurredAt: t.occurred_at.getTime(), seq: t.seq, frozen: t.frozen }));
}

/** DESIGN rule 2: a freeze or unfreeze that happened (stored as SUCCESS at `seq`) is a transition; anything else is not. */
export function transitionOf(event: TAcceptedEvent, seq: number): TFreezeTransition | undefined {
  const transition = FREEZE_TRANSITIONS[event.action];
  if (!transition) return undefined;
  return {
    branchId: transition.scope === 'branch' ? (event.branchId ?? null) : null,
    occurredAt: Date.parse(event.occurredAt),
    seq,
    frozen: transition.frozen,
  };
}

export async function insertTransitions(db: Db, tenantId: string, transitions: TFreezeTransition[]): Promise<void> {
  if (transitions.length === 0) return;
  await db
    .insertInto('freeze_transitions')
    .values(transitions.map((t) => ({ tenant_id: tenantId, seq: t.seq, branch_id: t.branchId, occurred_at: new Date(t.occurredAt), frozen: t.frozen })))
    .execute();
}
