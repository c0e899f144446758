import { z } from 'zod';
import { AI_METADATA, ZAiDecider, ZAiRiskLevel, type TAiAction } from './ai-metadata.ts';
import { safeString, ZUuid } from './safe-values.ts';
import { ZAuditEventView, ZReadTimestamp } from './read.ts';

const ZAiActionName = z.enum(Object.keys(AI_METADATA) as [TAiAction, ...TAiAction[]]);

/** `ai.actions`: the AI module's events (seed lesson: AI → Action History), newest first, by cursor. */
export const ZAiActionsInput = z
  .strictObject({
    from: ZReadTimestamp.optional(),
    to: ZReadTimestamp.optional(),
    /** Upper-case UUIDs are the same ids (lower-cased here, as everywhere). */
    branchIds: z.array(ZUuid).max(100).optional(),
    actions: z.array(ZAiActionName).max(3).optional(),
    /** Opaque keyset cursor from a previous page's `nextCursor`. */
    cursor: safeString(512).nullish(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .optional();
export type TAiActionsInput = z.input<typeof ZAiActionsInput>;

/**
 * What an AI event says about the AI, read from its stored metadata field by field: a field that
 * is missing or not of its shape is null (events stored before these fields were required, or by an
 * older client, stay readable).
 */
export const ZAiFields = z.object({
  trigger: z.string().nullable(),
  confidence: z.number().nullable(),
  riskLevel: ZAiRiskLevel.nullable(),
  summary: z.string().nullable(),
  approvedBy: ZAiDecider.nullable(),
  rejectedBy: ZAiDecider.nullable(),
});
export type TAiFields = z.infer<typeof ZAiFields>;

/** One AI event: what the log says of it, and the AI's fields. */
export const ZAiActionView = ZAuditEventView.pick({
  id: true,
  seq: true,
  branchId: true,
  action: true,
  description: true,
  outcome: true,
  reason: true,
  claimedOutcome: true,
  actor: true,
  entity: true,
  occurredAt: true,
}).extend({ ai: ZAiFields });
export type TAiActionView = z.infer<typeof ZAiActionView>;

export const ZAiActionsOutput = z.object({ items: z.array(ZAiActionView), nextCursor: z.string().nullable() });

const lenient = {
  trigger: z.string().min(1),
  confidence: z.number().min(0).max(1),
  riskLevel: ZAiRiskLevel,
  summary: z.string().min(1),
  approvedBy: ZAiDecider,
  rejectedBy: ZAiDecider,
} satisfies { [K in keyof TAiFields]: z.ZodType };

/** The AI fields of a stored event's metadata (null where missing or malformed). */
export function aiFieldsOf(metadata: Record<string, unknown> | null): TAiFields {
  const read = <K extends keyof TAiFields>(key: K): TAiFields[K] => {
    const parsed = lenient[key].safeParse(metadata?.[key]);
    return (parsed.success ? parsed.data : null) as TAiFields[K];
  };
  return {
    trigger: read('trigger'),
    confidence: read('confidence'),
    riskLevel: read('riskLevel'),
    summary: read('summary'),
    approvedBy: read('approvedBy'),
    rejectedBy: read('rejectedBy'),
  };
}
