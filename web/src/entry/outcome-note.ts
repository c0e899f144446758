import type { TAuditEventView } from '@modula/contracts';
import { REASON_LABELS } from '../common/labels.ts';

const BECAUSE: Record<string, string> = {
  BRANCH_FROZEN: 'the branch was frozen at that time',
  TENANT_FROZEN: 'the business (tenant) was frozen at that time',
};

/**
 * The note shown when the service stored another outcome than the one the client claimed, e.g.
 * "The device reported SUCCESS; the service recorded REJECTED because the branch was frozen at
 * that time." Null when they agree.
 */
export function outcomeNote(event: Pick<TAuditEventView, 'outcome' | 'claimedOutcome' | 'reason' | 'context'>): string | null {
  if (event.claimedOutcome === event.outcome) return null;
  const who = event.context.deviceId ? 'The device' : 'The client';
  const because = event.reason ? (BECAUSE[event.reason] ?? `of the rule “${REASON_LABELS[event.reason]}”`) : null;
  return `${who} reported ${event.claimedOutcome}; the service recorded ${event.outcome}${because ? ` because ${because}` : ''}.`;
}
