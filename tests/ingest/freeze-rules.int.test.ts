import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent, provisionBranch, sale } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * The freeze rule through the whole stack: events ingested by the caller, queued in Redis, judged
 * by the worker, read back from PostgreSQL. The rule's cases (boundaries, claimed outcomes,
 * catalog flags, the same batch, TENANT_FROZEN) are tests/ingest/rules/freeze-denial.int.test.ts.
 */
let stack: TestStack;
let tenantId: string;
const branchId = '0193a0b4-1111-7000-8000-000000000001';
const FREEZE = '2026-03-01T10:00:00.000Z';
const UNFREEZE = '2026-03-01T12:00:00.000Z';

async function stored(eventId: string) {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    const r = await db.query('select outcome, reason, claimed_outcome from audit_events where event_id = $1', [eventId]);
    return r.rows[0] as { outcome: string; reason: string | null; claimed_outcome: string };
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  stack = await startStack();
  ({ tenantId } = await stack.createTenant('Freeze rules'));
  await ingestStored(stack, tenantId, [provisionBranch(tenantId, branchId, '2026-01-01T00:00:00.000Z')]);
  await ingestStored(stack, tenantId, [
    makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId, occurredAt: FREEZE, entity: { type: 'BRANCH', id: branchId } }),
    makeEvent(tenantId, { action: 'BRANCH_UNFROZEN', branchId, occurredAt: UNFREEZE, entity: { type: 'BRANCH', id: branchId } }),
  ]);
});
afterAll(() => stack.close());

describe('BRANCH_FROZEN, end to end', () => {
  it('an offline sale from inside the freeze that arrives late, after the unfreeze, is stored as REJECTED, keeping the claimed SUCCESS', async () => {
    // the unfreeze is already stored (beforeAll); the event only arrives now
    const late = sale(tenantId, branchId, '2026-03-01T10:30:00.000Z', { context: { offline: true, deviceId: 'till-7', deviceSeq: 1 } });
    await ingestStored(stack, tenantId, [late]);
    expect(await stored(late.eventId)).toEqual({ outcome: 'REJECTED', reason: 'BRANCH_FROZEN', claimed_outcome: 'SUCCESS' });
  });

  it('a sale exactly at the unfreeze is stored as it was claimed', async () => {
    const event = sale(tenantId, branchId, UNFREEZE);
    await ingestStored(stack, tenantId, [event]);
    expect(await stored(event.eventId)).toEqual({ outcome: 'SUCCESS', reason: null, claimed_outcome: 'SUCCESS' });
  });
});
