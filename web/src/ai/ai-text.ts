import { describeAuditEvent, type TAiActionView, type TAiFields, type TAiRiskLevel } from '@modula/contracts';

export const RISK_LABELS: Record<TAiRiskLevel, string> = { LOW: 'Low risk', MEDIUM: 'Medium risk', HIGH: 'High risk' };
export const RISK_COLORS: Record<TAiRiskLevel, string> = { LOW: 'teal', MEDIUM: 'yellow', HIGH: 'red' };

/** 0.812 → "81 %"; null (an event stored without it) → "—". */
export function formatConfidence(confidence: number | null): string {
  return confidence === null ? '—' : `${Math.round(confidence * 100)} %`;
}

const person = (p: NonNullable<TAiFields['approvedBy']>) => `${p.name ?? p.id}${p.role ? ` (${p.role.charAt(0)}${p.role.slice(1).toLowerCase()})` : ''}`;

/**
 * Who decided, in words: "Approved by Ana Álvarez (Admin)", "Rejected by Ben Brook (Manager)",
 * "No human approval" for an action the AI ran on its own, "Refused: …" when the attempt was.
 */
export function decisionText(item: Pick<TAiActionView, 'action' | 'outcome' | 'ai'>): string {
  if (item.ai.approvedBy) return `Approved by ${person(item.ai.approvedBy)}`;
  if (item.ai.rejectedBy) return `Rejected by ${person(item.ai.rejectedBy)}`;
  if (item.outcome !== 'SUCCESS') return 'Not decided';
  return item.action === 'AI_ACTION_EXECUTED' ? 'No human approval (automatic)' : 'Not recorded';
}

/**
 * What the AI did or recommended: its own words when it gave them, else the log's sentence for the
 * event (describeAuditEvent, as the log and the exports say it): a refused or failed one reads as an
 * attempt, never as done.
 */
export function whatText(item: Pick<TAiActionView, 'action' | 'outcome' | 'reason' | 'claimedOutcome' | 'actor' | 'entity' | 'ai'>): string {
  return item.ai.summary ?? describeAuditEvent({ ...item, context: { ip: null }, metadata: null });
}
