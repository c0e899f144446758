import { randomUUID } from 'node:crypto';
import type { TAuditEventInput } from '@modula/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, provisionBranch, sale } from '../../../testing/events.ts';
import { chainHead, jobOf, openRulesDatabase, quarantinedRows, storedRows, storeEvents, storeJob, type TRulesDatabase } from '../../../testing/worker-rules.ts';

/**
 * Rule 4, dedupe forever on (tenant_id, event_id): a resend is a no-op; the same id with different
 * content (compared by the SHA-256 of its canonical JSON) is quarantined as DUPLICATE_CONFLICT and
 * the first stays.
 */
let rules: TRulesDatabase;
beforeAll(async () => {
  rules = await openRulesDatabase();
});
afterAll(() => rules?.close());

describe('rule 4: dedupe', () => {
  it('treats a resend of the same content as a duplicate: nothing stored, nothing quarantined, the chain unmoved', async () => {
    const tenantId = await rules.newTenant();
    const event = makeEvent(tenantId, { after: { limit: 50 } });
    await storeEvents(rules.orm, tenantId, [event]);
    const head = await chainHead(rules.db, tenantId);
    const again = await storeEvents(rules.orm, tenantId, [structuredClone(event)]);
    expect(again).toEqual({ stored: [], duplicates: 1, quarantined: [], waiting: [] });
    expect(await chainHead(rules.db, tenantId)).toEqual(head);
    expect(await storedRows(rules.db, tenantId)).toHaveLength(1);
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([]);
  });

  it('is the same content whatever the order of its JSON keys', async () => {
    const tenantId = await rules.newTenant();
    const event = makeEvent(tenantId, { after: { a: 1, b: { c: 2, d: 3 } } });
    await storeEvents(rules.orm, tenantId, [event]);
    expect((await storeEvents(rules.orm, tenantId, [{ ...event, after: { b: { d: 3, c: 2 }, a: 1 } }])).duplicates).toBe(1);
  });

  it('quarantines the same eventId with different content as DUPLICATE_CONFLICT, and the first stays as stored', async () => {
    const tenantId = await rules.newTenant();
    const first = makeEvent(tenantId, { after: { limit: 50 } });
    await storeEvents(rules.orm, tenantId, [first]);
    const before = await storedRows(rules.db, tenantId);
    const conflicting = { ...first, after: { limit: 5000 } };
    const outcome = await storeEvents(rules.orm, tenantId, [conflicting]);
    expect(outcome).toEqual({ stored: [], duplicates: 0, quarantined: [{ eventId: first.eventId, reason: 'DUPLICATE_CONFLICT' }], waiting: [] });
    expect(await storedRows(rules.db, tenantId)).toEqual(before);
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([
      { event_id: first.eventId, reason: 'DUPLICATE_CONFLICT', detail: 'this eventId was already stored with different content' },
    ]);
  });

  it('applies within one batch: a second copy is a duplicate, a second content a conflict', async () => {
    const tenantId = await rules.newTenant();
    const a = makeEvent(tenantId, { after: { v: 1 } });
    const b = makeEvent(tenantId, { after: { v: 1 } });
    const outcome = await storeEvents(rules.orm, tenantId, [a, structuredClone(a), b, { ...b, after: { v: 2 } }]);
    expect(outcome.stored.map((s) => s.eventId)).toEqual([a.eventId, b.eventId]);
    expect(outcome.duplicates).toBe(1);
    expect(outcome.quarantined).toEqual([{ eventId: b.eventId, reason: 'DUPLICATE_CONFLICT' }]);
  });

  it('is the same event whether its context is left out, empty or all nulls (README: null for an optional field is absent)', async () => {
    const tenantId = await rules.newTenant();
    // as Java, C# and Swift clients send unset members; the type has no nulls
    const allNulls = { context: { ip: null, sessionId: null, deviceId: null, deviceSeq: null, offline: null } as unknown as TAuditEventInput['context'] };
    const first = makeEvent(tenantId, allNulls);
    await storeEvents(rules.orm, tenantId, [first]);
    const { context: _c, ...without } = first;
    expect(await storeEvents(rules.orm, tenantId, [without])).toEqual({ stored: [], duplicates: 1, quarantined: [], waiting: [] });
    expect((await storeEvents(rules.orm, tenantId, [{ ...without, context: {} }])).duplicates).toBe(1);
    // and the other way round: stored without a context, resent with an empty one
    const second = makeEvent(tenantId);
    await storeEvents(rules.orm, tenantId, [second]);
    expect((await storeEvents(rules.orm, tenantId, [makeEvent(tenantId, { ...second, ...allNulls })])).duplicates).toBe(1);
    expect(await storedRows(rules.db, tenantId)).toHaveLength(2);
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([]);
  });

  it('an event stored with an empty context by an earlier version: its resend without one is a duplicate, not a conflict', async () => {
    const tenantId = await rules.newTenant();
    const event = makeEvent(tenantId);
    const job = jobOf(tenantId, [event]);
    // as an earlier version queued it: the empty context kept, so its content hash was taken with it
    await storeJob(rules.orm, { ...job, events: job.events.map((e) => ({ ...e, context: {} })) });
    expect(await storeEvents(rules.orm, tenantId, [event])).toEqual({ stored: [], duplicates: 1, quarantined: [], waiting: [] });
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([]);
  });

  it('an event stored before a redaction rule existed, with the value in the clear: its resend, redacted now, is a duplicate', async () => {
    const tenantId = await rules.newTenant();
    const event = makeEvent(tenantId, {
      entity: { type: 'REFUND', id: 'ref-1', label: 'approved with PIN-4321' },
      metadata: { managerpin: '4321', note: 'card 4111·1111·1111·1111', till: 3 },
    });
    const [redacted] = jobOf(tenantId, [event]).events;
    // today's acceptance redacts all three; an earlier version queued them as sent, and hashed them so
    expect(redacted!.redactedPaths).toEqual(['entity.label', 'metadata.managerpin', 'metadata.note']);
    const job = jobOf(tenantId, [makeEvent(tenantId, { ...event, entity: { type: 'REFUND', id: 'ref-1' }, metadata: { till: 3 } })]);
    await storeJob(rules.orm, { ...job, events: [{ ...job.events[0]!, entity: event.entity, metadata: event.metadata, redactedPaths: [] }] });
    expect(await storeEvents(rules.orm, tenantId, [event])).toEqual({ stored: [], duplicates: 1, quarantined: [], waiting: [] });
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([]);
    // a resend that differs in what is not secret is still a conflict
    const other = await storeEvents(rules.orm, tenantId, [{ ...event, metadata: { ...event.metadata, till: 4 } }]);
    expect(other.quarantined).toEqual([{ eventId: event.eventId, reason: 'DUPLICATE_CONFLICT' }]);
    expect(await storedRows(rules.db, tenantId)).toHaveLength(1);
  });

  it('a stored event the freeze rule denied: its resend (as the sender claimed it: SUCCESS, no reason) is a duplicate', async () => {
    const tenantId = await rules.newTenant();
    const branchId = randomUUID();
    await storeEvents(rules.orm, tenantId, [
      provisionBranch(tenantId, branchId, '2026-01-01T00:00:00.000Z'),
      makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId, occurredAt: '2026-03-01T10:00:00.000Z', entity: { type: 'BRANCH', id: branchId } }),
    ]);
    const event = sale(tenantId, branchId, '2026-03-01T11:00:00.000Z', { metadata: { managerpin: '4321' } });
    const job = jobOf(tenantId, [{ ...event, metadata: {} }]);
    await storeJob(rules.orm, { ...job, events: [{ ...job.events[0]!, metadata: event.metadata, redactedPaths: [] }] });
    const [row] = (
      await rules.db.query('select outcome, reason, claimed_outcome from audit_events where tenant_id = $1 and event_id = $2', [tenantId, event.eventId])
    ).rows;
    expect(row).toEqual({ outcome: 'REJECTED', reason: 'BRANCH_FROZEN', claimed_outcome: 'SUCCESS' });
    expect(await storeEvents(rules.orm, tenantId, [event])).toEqual({ stored: [], duplicates: 1, quarantined: [], waiting: [] });
  });

  it('keys on the tenant too: the same eventId in two tenants is two events', async () => {
    const one = await rules.newTenant();
    const two = await rules.newTenant();
    const event = makeEvent(one);
    await storeEvents(rules.orm, one, [event]);
    expect((await storeEvents(rules.orm, two, [{ ...event, tenantId: two }])).stored).toHaveLength(1);
  });
});
