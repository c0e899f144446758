import { aiFieldsOf, type TAiActionsInput, type TAiActionView, type TAuditEventView } from '@modula/contracts';
import type { Orm } from '@modula/db';
import { findEvents } from './find-events.ts';

/** The AI module's events of a tenant, newest first, by the log's own keyset pages: a filter of events.list on module AI. */
export async function findAiActions(
  orm: Orm,
  serverSecret: Buffer,
  tenantId: string,
  input: NonNullable<TAiActionsInput> & { limit: number },
): Promise<{ items: TAiActionView[]; nextCursor: string | null }> {
  const page = await findEvents(orm, serverSecret, tenantId, { ...input, modules: ['AI'] });
  return { items: page.items.map(aiActionViewOf), nextCursor: page.nextCursor };
}

/** The whitelist of an AI event's view: the log's fields the screen shows, and the AI's own. */
export function aiActionViewOf(event: TAuditEventView): TAiActionView {
  const { id, seq, branchId, action, description, outcome, reason, claimedOutcome, actor, entity, occurredAt, metadata } = event;
  return { id, seq, branchId, action, description, outcome, reason, claimedOutcome, actor, entity, occurredAt, ai: aiFieldsOf(metadata) };
}
