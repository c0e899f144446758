import type { TAiActionView, TAiFields, TAiRiskLevel, TSentenceEvent } from '@modula/contracts';
import { describeEvent } from '../i18n/event-sentence-es.ts';
import { englishText, type TTranslate } from '../i18n/english.ts';

export const RISK_LABELS: Record<TAiRiskLevel, string> = { LOW: 'Low risk', MEDIUM: 'Medium risk', HIGH: 'High risk' };
export const RISK_COLORS: Record<TAiRiskLevel, string> = { LOW: 'teal', MEDIUM: 'yellow', HIGH: 'red' };

/** 0.812 → "81 %"; null (an event stored without it) → "—". */
export function formatConfidence(confidence: number | null): string {
  return confidence === null ? '—' : `${Math.round(confidence * 100)} %`;
}

/** The person's name (else id), through `name`: UserSentence's slot for it on screen, the text itself elsewhere. */
const person = (p: NonNullable<TAiFields['approvedBy']>, t: TTranslate, name: (sent: string) => string) =>
  `${name(p.name ?? p.id)}${p.role ? ` (${t(`role.${p.role}`)})` : ''}`;

/**
 * Who decided, in words: "Approved by Ana Álvarez (Admin)", "Rejected by Ben Brook (Manager)",
 * "No human approval" for an action the AI ran on its own, "Refused: …" when the attempt was.
 */
export function decisionText(
  item: Pick<TAiActionView, 'action' | 'outcome' | 'ai'>,
  t: TTranslate = englishText,
  name: (sent: string) => string = (sent) => sent,
): string {
  if (item.ai.approvedBy) return t('ai.approvedBy', { person: person(item.ai.approvedBy, t, name) });
  if (item.ai.rejectedBy) return t('ai.rejectedBy', { person: person(item.ai.rejectedBy, t, name) });
  if (item.outcome !== 'SUCCESS') return t('ai.notDecided');
  return item.action === 'AI_ACTION_EXECUTED' ? t('ai.automatic') : t('ai.notRecorded');
}

/**
 * What the AI did or recommended: its own words when it gave them, else the log's sentence for the
 * event (describeAuditEvent, as the log and the exports say it; in Spanish when chosen): a refused
 * or failed one reads as an attempt, never as done.
 */
export function whatText(item: TAiWhat, language = 'en'): string {
  return item.ai.summary ?? describeEvent(sentenceEvent(item), language);
}

type TAiWhat = Pick<TAiActionView, 'action' | 'outcome' | 'reason' | 'claimedOutcome' | 'actor' | 'entity' | 'ai'>;

/** The item as the log's sentence takes an event (an AI item shows no address or metadata there). */
export function sentenceEvent(item: TAiWhat): TSentenceEvent {
  return { ...item, context: { ip: null }, metadata: null };
}
