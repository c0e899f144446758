import type { TAiActionView, TAiFields, TAiRiskLevel } from '@modula/contracts';
import { describeEvent } from '../i18n/event-sentence-es.ts';
import { englishText, type TTranslate } from '../i18n/english.ts';

export const RISK_LABELS: Record<TAiRiskLevel, string> = { LOW: 'Low risk', MEDIUM: 'Medium risk', HIGH: 'High risk' };
export const RISK_COLORS: Record<TAiRiskLevel, string> = { LOW: 'teal', MEDIUM: 'yellow', HIGH: 'red' };

/** 0.812 → "81 %"; null (an event stored without it) → "—". */
export function formatConfidence(confidence: number | null): string {
  return confidence === null ? '—' : `${Math.round(confidence * 100)} %`;
}

const person = (p: NonNullable<TAiFields['approvedBy']>, t: TTranslate) => `${p.name ?? p.id}${p.role ? ` (${t(`role.${p.role}`)})` : ''}`;

/**
 * Who decided, in words: "Approved by Ana Álvarez (Admin)", "Rejected by Ben Brook (Manager)",
 * "No human approval" for an action the AI ran on its own, "Refused: …" when the attempt was.
 */
export function decisionText(item: Pick<TAiActionView, 'action' | 'outcome' | 'ai'>, t: TTranslate = englishText): string {
  if (item.ai.approvedBy) return t('ai.approvedBy', { person: person(item.ai.approvedBy, t) });
  if (item.ai.rejectedBy) return t('ai.rejectedBy', { person: person(item.ai.rejectedBy, t) });
  if (item.outcome !== 'SUCCESS') return t('ai.notDecided');
  return item.action === 'AI_ACTION_EXECUTED' ? t('ai.automatic') : t('ai.notRecorded');
}

/**
 * What the AI did or recommended: its own words when it gave them, else the log's sentence for the
 * event (describeAuditEvent, as the log and the exports say it; in Spanish when chosen): a refused
 * or failed one reads as an attempt, never as done.
 */
export function whatText(item: Pick<TAiActionView, 'action' | 'outcome' | 'reason' | 'claimedOutcome' | 'actor' | 'entity' | 'ai'>, language = 'en'): string {
  return item.ai.summary ?? describeEvent({ ...item, context: { ip: null }, metadata: null }, language);
}
