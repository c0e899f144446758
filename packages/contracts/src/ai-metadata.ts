import { z } from 'zod';
import type { TAction } from './catalog.ts';
import { LIMITS } from './limits.ts';
import { ZRole } from './roles.ts';
import { safeString } from './safe-values.ts';

/**
 * What an AI event must say about itself (DESIGN: "AI … metadata: trigger, confidence, riskLevel,
 * approvedBy"; the seed lesson's Action History: what the AI did, why — its trigger and confidence —
 * and whether a human approved or rejected it). Checked at acceptance against the event's
 * `metadata`; other metadata keys are kept as sent.
 */

/** The AI policy's tiers: LOW is approved automatically, MEDIUM goes to a manager, HIGH needs the owner. */
export const AI_RISK_LEVELS = ['LOW', 'MEDIUM', 'HIGH'] as const;
export const ZAiRiskLevel = z.enum(AI_RISK_LEVELS);
export type TAiRiskLevel = z.infer<typeof ZAiRiskLevel>;

/** The person who approved or rejected (a user of the tenant, as the actor of an event is named). */
export const ZAiDecider = z.strictObject({
  id: safeString(LIMITS.idMaxLength).min(1),
  name: safeString(LIMITS.nameMaxLength).optional(),
  role: ZRole.optional(),
});
export type TAiDecider = z.infer<typeof ZAiDecider>;

const ZAiCommon = {
  /** What set the AI off: "stock of Oat milk below par level", "Copilot question", "nightly forecast". */
  trigger: safeString(LIMITS.nameMaxLength).min(1),
  /** The AI's own confidence in its recommendation or action, 0 to 1. */
  confidence: z.number().min(0).max(1),
  riskLevel: ZAiRiskLevel,
  /** What the AI recommended or did, in words ("Reorder 24 l of oat milk from Dairy Co."). */
  summary: safeString(1024).min(1).optional(),
};

const notHere = (what: string) => z.undefined({ error: `is not part of ${what}` }).optional();

/**
 * The metadata of each AI action. `approvedBy` / `rejectedBy` are required when the decision was
 * made (outcome SUCCESS); a refused or failed attempt may not name one. An executed action without
 * `approvedBy` ran without a human's approval (the policy's automatic tier).
 */
export const AI_METADATA = {
  AI_RECOMMENDATION_ACCEPTED: {
    decided: 'approvedBy',
    schema: z.looseObject({ ...ZAiCommon, approvedBy: ZAiDecider.optional(), rejectedBy: notHere('an accepted recommendation') }),
  },
  AI_RECOMMENDATION_REJECTED: {
    decided: 'rejectedBy',
    schema: z.looseObject({ ...ZAiCommon, rejectedBy: ZAiDecider.optional(), approvedBy: notHere('a rejected recommendation') }),
  },
  AI_ACTION_EXECUTED: {
    decided: null,
    schema: z.looseObject({ ...ZAiCommon, approvedBy: ZAiDecider.optional(), rejectedBy: notHere('an executed action') }),
  },
} as const satisfies Partial<Record<TAction, { decided: 'approvedBy' | 'rejectedBy' | null; schema: z.ZodType }>>;

export type TAiAction = keyof typeof AI_METADATA;
export const AI_ACTIONS = Object.keys(AI_METADATA) as TAiAction[];

export function isAiAction(action: TAction): action is TAiAction {
  return action in AI_METADATA;
}

type TIssueSink = { addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void };

/** Adds an issue at `metadata.<field>` for each missing or invalid AI field of an AI action's event. */
export function checkAiMetadata(event: { action: TAction; outcome: string; metadata?: Record<string, unknown> }, ctx: TIssueSink): void {
  if (!isAiAction(event.action)) return;
  const { decided, schema } = AI_METADATA[event.action];
  const metadata = event.metadata ?? {};
  const parsed = schema.safeParse(metadata);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['metadata', ...issue.path], message: issue.message });
  }
  if (decided && event.outcome === 'SUCCESS' && metadata[decided] === undefined) {
    const verb = decided === 'approvedBy' ? 'accepted' : 'rejected';
    ctx.addIssue({
      code: 'custom',
      path: ['metadata', decided],
      message: `is required for ${event.action} with outcome SUCCESS: the person who ${verb} the recommendation ({ id, name?, role? })`,
    });
  }
}
