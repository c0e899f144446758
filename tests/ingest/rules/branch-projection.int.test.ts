import type { TAuditEventInput } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, provisionBranch, sale } from '../../../testing/events.ts';
import { openRulesDatabase, storeEvents, type TRulesDatabase } from '../../../testing/worker-rules.ts';

/**
 * DESIGN rule 2: the branch projection (name, status, when provisioned) comes from the log,
 * judged by when things happened (occurredAt), not by when they arrived; rule 3: the freeze state
 * at an instant is the latest transition at or before it, ties by acceptance order; only a
 * freeze that happened (SUCCESS) freezes. Each batch is stored as the worker stores a job
 * (storeBatch in its transaction); batches in the order given are jobs in the order acknowledged.
 */
let rules: TRulesDatabase;
let tenantId: string;

beforeAll(async () => {
  rules = await openRulesDatabase();
  tenantId = await rules.newTenant('Branch projection');
});
afterAll(() => rules?.close());

async function store(events: TAuditEventInput[]) {
  const outcome = await storeEvents(rules.orm, tenantId, events);
  expect(outcome.stored).toHaveLength(events.length);
}

async function query(text: string, params: unknown[]) {
  return (await rules.db.query(text, params)).rows;
}

const branchRow = async (branchId: string) =>
  (await query('select name, status, provisioned_at from branches where tenant_id = $1 and id = $2', [tenantId, branchId]))[0];
const outcomeOf = async (eventId: string) =>
  (await query('select outcome, reason from audit_events where tenant_id = $1 and event_id = $2', [tenantId, eventId]))[0];

function lifecycle(
  action: 'BRANCH_UPDATED' | 'BRANCH_FROZEN' | 'BRANCH_UNFROZEN',
  branchId: string,
  occurredAt: string,
  extra: Partial<TAuditEventInput> = {},
) {
  return makeEvent(tenantId, {
    action,
    branchId,
    occurredAt,
    entity: { type: 'BRANCH', id: branchId },
    actor: { type: 'USER', id: 'owner', role: 'ADMIN' },
    ...extra,
  });
}

describe('the branch projection follows the log', () => {
  it('records when the branch was provisioned, not when the last lifecycle event of the batch happened', async () => {
    const b = uuidv7();
    await store([
      provisionBranch(tenantId, b, '2026-02-01T08:00:00.000Z', 'Harbour'),
      lifecycle('BRANCH_UPDATED', b, '2026-02-03T08:00:00.000Z', { after: { name: 'Harbour Front' } }),
      lifecycle('BRANCH_FROZEN', b, '2026-02-05T08:00:00.000Z'),
    ]);
    const row = await branchRow(b);
    expect(new Date(row.provisioned_at).toISOString()).toBe('2026-02-01T08:00:00.000Z');
    expect(row).toMatchObject({ name: 'Harbour Front', status: 'FROZEN' });
  });

  it('a refused or failed BRANCH_FROZEN does not freeze the branch', async () => {
    const b = uuidv7();
    await store([provisionBranch(tenantId, b, '2026-02-01T08:00:00.000Z')]);
    await store([
      lifecycle('BRANCH_FROZEN', b, '2026-02-02T08:00:00.000Z', { outcome: 'REJECTED', reason: 'PERMISSION_DENIED' }),
      lifecycle('BRANCH_FROZEN', b, '2026-02-02T09:00:00.000Z', { outcome: 'FAILED' }),
    ]);
    const s = sale(tenantId, b, '2026-02-02T10:00:00.000Z');
    await store([s]);
    expect(await outcomeOf(s.eventId)).toEqual({ outcome: 'SUCCESS', reason: null });
    expect((await branchRow(b)).status).toBe('ACTIVE');
  });

  for (const sameBatch of [true, false]) {
    it(`a freeze and an unfreeze at the same instant: the one acknowledged last decides (${sameBatch ? 'one batch' : 'two batches'})`, async () => {
      const at = '2026-02-10T12:00:00.000Z';
      const send = async (events: TAuditEventInput[]) => {
        if (sameBatch) await store(events);
        else for (const e of events) await store([e]);
      };
      const frozenLast = uuidv7();
      const unfrozenLast = uuidv7();
      await store([provisionBranch(tenantId, frozenLast, '2026-02-01T00:00:00.000Z'), provisionBranch(tenantId, unfrozenLast, '2026-02-01T00:00:00.000Z')]);
      await send([lifecycle('BRANCH_UNFROZEN', frozenLast, at), lifecycle('BRANCH_FROZEN', frozenLast, at)]);
      await send([lifecycle('BRANCH_FROZEN', unfrozenLast, at), lifecycle('BRANCH_UNFROZEN', unfrozenLast, at)]);
      const denied = sale(tenantId, frozenLast, at);
      const allowed = sale(tenantId, unfrozenLast, at);
      await store([denied, allowed]);
      expect(await outcomeOf(denied.eventId)).toEqual({ outcome: 'REJECTED', reason: 'BRANCH_FROZEN' });
      expect(await outcomeOf(allowed.eventId)).toEqual({ outcome: 'SUCCESS', reason: null });
      expect((await branchRow(frozenLast)).status).toBe('FROZEN');
      expect((await branchRow(unfrozenLast)).status).toBe('ACTIVE');
    });
  }

  it('a late offline rename or unfreeze from before the latest one does not overwrite it', async () => {
    const b = uuidv7();
    await store([provisionBranch(tenantId, b, '2026-03-01T08:00:00.000Z', 'First name')]);
    await store([
      lifecycle('BRANCH_UPDATED', b, '2026-03-05T08:00:00.000Z', { after: { name: 'Newest name' } }),
      lifecycle('BRANCH_FROZEN', b, '2026-03-05T09:00:00.000Z'),
    ]);
    // a till that was offline since March 3rd syncs now
    await store([
      lifecycle('BRANCH_UPDATED', b, '2026-03-03T08:00:00.000Z', { after: { name: 'Older name' }, context: { offline: true } }),
      lifecycle('BRANCH_UNFROZEN', b, '2026-03-03T09:00:00.000Z', { context: { offline: true } }),
    ]);
    expect(await branchRow(b)).toMatchObject({ name: 'Newest name', status: 'FROZEN' });
    // within one batch too: the rename that happened last wins, whatever the order sent
    const c = uuidv7();
    await store([
      provisionBranch(tenantId, c, '2026-03-01T08:00:00.000Z', 'C first'),
      lifecycle('BRANCH_UPDATED', c, '2026-03-09T08:00:00.000Z', { after: { name: 'C newest' } }),
      lifecycle('BRANCH_UPDATED', c, '2026-03-04T08:00:00.000Z', { after: { name: 'C older' } }),
    ]);
    expect((await branchRow(c)).name).toBe('C newest');
  });
});
