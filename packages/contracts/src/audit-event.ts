import { z } from 'zod';
import { checkAiMetadata } from './ai-metadata.ts';
import { ACTIONS, requiresBranch } from './catalog.ts';
import { LIMITS } from './limits.ts';
import { ZRole } from './roles.ts';
import { safeString, ZJsonObject, ZTimestamp, ZUuid } from './safe-values.ts';

export const OUTCOMES = ['SUCCESS', 'REJECTED', 'FAILED'] as const;
export const ZOutcome = z.enum(OUTCOMES);
export type TOutcome = z.infer<typeof ZOutcome>;

export const DENIAL_REASONS = ['PERMISSION_DENIED', 'POLICY_BLOCKED', 'VALIDATION_FAILED', 'BRANCH_FROZEN', 'TENANT_FROZEN', 'DEPENDENCY_MISSING'] as const;
export const ZDenialReason = z.enum(DENIAL_REASONS);
export type TDenialReason = z.infer<typeof ZDenialReason>;

export { ROLES, ZRole, type TRole } from './roles.ts';

export const ZAction = z.enum(ACTIONS, { error: (issue) => `unknown action ${JSON.stringify(issue.input)}; see the event catalog` });

const id = safeString(LIMITS.idMaxLength).min(1);
const name = safeString(LIMITS.nameMaxLength);

export const ZActor = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('USER'), id, role: ZRole.optional(), name: name.optional() }),
  z.strictObject({ type: z.literal('SYSTEM'), id: id.optional(), name: name.optional() }),
]);
export type TActor = z.infer<typeof ZActor>;

export const ZEntity = z.strictObject({ type: id, id, label: name.optional() });
export type TEntity = z.infer<typeof ZEntity>;

export const ZEventContext = z.strictObject({
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional(),
  sessionId: id.optional(),
  deviceId: id.optional(),
  /** Per-device counter starting at 1: lets the service report gaps in what a device sent. */
  deviceSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  offline: z.boolean().optional(),
});
export type TEventContext = z.infer<typeof ZEventContext>;

/** The fields of an audit event, each checked on its own (cross-field rules come after). */
export const ZAuditEventFields = z.strictObject({
  /** Client-generated; the idempotency key within the tenant. */
  eventId: ZUuid,
  tenantId: ZUuid,
  branchId: ZUuid.nullish(),
  action: ZAction,
  outcome: ZOutcome,
  /** Required iff outcome is REJECTED. */
  reason: ZDenialReason.optional(),
  actor: ZActor,
  entity: ZEntity.optional(),
  /** When the action happened, as the device saw it; kept even when it arrives days later. */
  occurredAt: ZTimestamp,
  before: ZJsonObject.nullish(),
  after: ZJsonObject.nullish(),
  metadata: ZJsonObject.optional(),
  context: ZEventContext.optional(),
});
export type TAuditEventFields = z.infer<typeof ZAuditEventFields>;

/** Where a sent event's nulls mean "absent": its own fields, and those of its actor, entity and context. */
const NULL_AS_ABSENT_IN = ['actor', 'entity', 'context'] as const;

/**
 * The event with `null` taken as absent where a field is optional. Clients in Java, C# or Swift
 * serialise an unset optional field as null; the contract's optional fields then meant "refused",
 * and a till's whole event was lost for a `"reason": null` on a SUCCESS. Only the event's own
 * fields and those of its actor, entity and context: before, after and metadata are the sender's
 * JSON, kept as sent. A required field sent as null is then reported missing. Anything but a plain
 * object is returned as it is, for the schema to refuse.
 */
export function nullAsAbsent(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  // most events hold no such null: the server reads every event through here, so no copy of those
  if (!holdsAbsentNull(raw as Record<string, unknown>)) return raw;
  // fromEntries defines keys as data: a sent "__proto__" stays a key (for the schema to refuse), never a prototype
  return Object.fromEntries(
    Object.entries(raw)
      .filter(([key, value]) => value !== null || key === 'before' || key === 'after')
      .map(([key, value]) =>
        (NULL_AS_ABSENT_IN as readonly string[]).includes(key) && value !== null && typeof value === 'object' && !Array.isArray(value)
          ? [key, Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))]
          : [key, value],
      ),
  );
}

function holdsAbsentNull(event: Record<string, unknown>): boolean {
  for (const key of Object.keys(event)) {
    const value = event[key];
    if (value === null) {
      if (key !== 'before' && key !== 'after') return true;
    } else if ((NULL_AS_ABSENT_IN as readonly string[]).includes(key) && typeof value === 'object' && !Array.isArray(value)) {
      if (Object.values(value as object).includes(null)) return true;
    }
  }
  return false;
}

type Ctx = z.core.$RefinementCtx<TAuditEventFields>;

/** Rules between fields that hold wherever an event is: at acceptance and when the worker re-reads it. */
export function checkEventConsistency(event: TAuditEventFields, ctx: Ctx): void {
  if (event.outcome === 'REJECTED' && !event.reason) {
    ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when outcome is REJECTED' });
  }
  if (event.outcome !== 'REJECTED' && event.reason) {
    ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is only allowed when outcome is REJECTED' });
  }
  if (requiresBranch(event.action) && !event.branchId) {
    ctx.addIssue({ code: 'custom', path: ['branchId'], message: `is required for ${event.action}: it happens at a branch` });
  }
}

/**
 * The public input of `ingest.*`: fields, cross-field rules, the metadata an action's catalog entry
 * asks for (the AI module's trigger, confidence, risk level and who decided: `checkAiMetadata`), and
 * a clock that is not far ahead. The action rules hold for events accepted from now on: the worker
 * re-reads a queued event with `checkEventConsistency` only, so an AI event acknowledged before they
 * existed is still stored, and stored ones are read as they are.
 */
export const ZAuditEventInput = ZAuditEventFields.superRefine((event, ctx) => {
  checkEventConsistency(event, ctx);
  checkAiMetadata(event, ctx);
  const ahead = Date.parse(event.occurredAt) - Date.now();
  if (ahead > LIMITS.maxClockSkewMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['occurredAt'],
      message: `is ${Math.round(ahead / 1000)} s ahead of the service clock (at most ${LIMITS.maxClockSkewMs / 1000} s allowed)`,
    });
  }
});
export type TAuditEventInput = z.infer<typeof ZAuditEventInput>;
