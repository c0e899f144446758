import { isBlockedWhenFrozen, type TAction, type TDenialReason } from '@modula/contracts';

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
