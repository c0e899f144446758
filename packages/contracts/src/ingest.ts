import { z } from 'zod';
import { ZAuditEventFields, ZDenialReason, ZOutcome, checkEventConsistency } from './audit-event.ts';
import { LIMITS } from './limits.ts';
import { isStorableInstant, ZUuid } from './safe-values.ts';

export const ZIssue = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() });
export type TIssue = z.infer<typeof ZIssue>;

/** Events are judged one by one inside the procedure, so the envelope only bounds the list. */
export const ZIngestBatchInput = z.strictObject({
  events: z.array(z.unknown()).min(LIMITS.batchMinEvents).max(LIMITS.batchMaxEvents),
});

export const ZIngestBatchOutput = z.object({
  accepted: z.array(z.uuid()),
  rejected: z.array(z.object({ index: z.number().int(), eventId: z.string().optional(), issues: z.array(ZIssue) })),
});
export type TIngestBatchOutput = z.infer<typeof ZIngestBatchOutput>;

export const ZIngestRecordOutput = z.object({ eventId: z.uuid() });

export const ZIngestStatusInput = z.strictObject({ eventIds: z.array(ZUuid).min(1).max(LIMITS.statusMaxEventIds) });

export const QUARANTINE_REASONS = ['UNKNOWN_TENANT', 'UNKNOWN_BRANCH', 'CONTEXT_MISMATCH', 'DUPLICATE_CONFLICT', 'INVALID_PAYLOAD'] as const;
export const ZQuarantineReason = z.enum(QUARANTINE_REASONS);
export type TQuarantineReason = z.infer<typeof ZQuarantineReason>;

export const ZEventState = z.enum(['STORED', 'PENDING', 'QUARANTINED', 'UNKNOWN']);
export const ZEventStatus = z.object({
  eventId: z.uuid(),
  state: ZEventState,
  seq: z.number().int().optional(),
  outcome: ZOutcome.optional(),
  /** For STORED: the denial reason stored; for QUARANTINED: why it was quarantined. */
  reason: z.union([ZDenialReason, ZQuarantineReason]).optional(),
});
export type TEventStatus = z.infer<typeof ZEventStatus>;
export const ZIngestStatusOutput = z.object({ statuses: z.array(ZEventStatus) });

/**
 * An event as accepted by the server: validated, redacted, `occurredAt` normalised to UTC with
 * millisecond precision. This is what travels through Redis, so it never holds a secret.
 */
export const ZAcceptedEvent = ZAuditEventFields.extend({
  occurredAt: z.iso.datetime().refine(isStorableInstant, { error: 'is outside the instants storage keeps' }),
  redactedPaths: z.array(z.string()),
}).superRefine(checkEventConsistency);
export type TAcceptedEvent = z.infer<typeof ZAcceptedEvent>;
