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

/**
 * Who wrote an event, kept inside its hashed record: the credential that sent it and the address
 * the request came from. `credential` is `apikey:<API key id>`, `user:<user id>` (what a signed-in
 * user did, and their sign-ins), `operator:<name>` (the CLI and the operators' dashboard),
 * `system` (a module of the service itself) or `anonymous` (a request with no credential, such as
 * a failed sign-in); `sourceAddress` is null for callers inside the process.
 */
export const ZProvenance = z.strictObject({
  credential: z.string().min(1).max(200),
  sourceAddress: z.string().min(1).max(64).nullable(),
});
export type TProvenance = z.infer<typeof ZProvenance>;

/** What the service writes on its own (an export's record, a module inside the process). */
export const SYSTEM_PROVENANCE: TProvenance = { credential: 'system', sourceAddress: null };

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
  /**
   * For STORED: a later send of this eventId with other content was quarantined (DESIGN rule 4);
   * the stored event is still the first content. The sender learns that its second content is not
   * in the log.
   */
  conflict: z.literal('DUPLICATE_CONFLICT').optional(),
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
