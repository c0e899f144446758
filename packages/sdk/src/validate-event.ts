import { LIMITS, ZAuditEventFields, checkAiMetadata, checkEventConsistency, type TAuditEventInput, type TIssue } from '@modula/contracts';
import { jsonBytes } from './batches.ts';

/**
 * The contracts' schema of an event and its cross-field rules. The service's last rule — not more
 * than 5 minutes ahead of *its* clock — is not checked here: the device cannot know the service's
 * clock while offline, so the outbox measures the offset at sync and corrects occurredAt instead.
 */
const ZLocalEvent = ZAuditEventFields.superRefine((event, ctx) => {
  checkEventConsistency(event, ctx);
  checkAiMetadata(event, ctx);
});

/** The issues that would make the service refuse `event`, or an empty list. */
export function localIssues(event: TAuditEventInput): TIssue[] {
  const parsed = ZLocalEvent.safeParse(event);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
  const bytes = jsonBytes(event);
  if (bytes > LIMITS.eventMaxBytes) return [{ path: [], message: `event is ${bytes} bytes serialized; at most ${LIMITS.eventMaxBytes} allowed` }];
  return [];
}
