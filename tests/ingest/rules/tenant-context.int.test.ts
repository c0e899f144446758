import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, provisionBranch, sale } from '../../../testing/events.ts';
import { jobOf, openRulesDatabase, quarantinedRows, storedRows, storeEvents, storeJob, type TRulesDatabase } from '../../../testing/worker-rules.ts';

/**
 * Rule 1, context (README "The rules the worker applies"): the tenant must exist; a branchId must
 * belong to the tenant. A branch of another tenant is quarantined at once as CONTEXT_MISMATCH; a
 * branch not provisioned yet is waited for, then quarantined as UNKNOWN_BRANCH; the rest of the
 * batch is stored meanwhile.
 */
let rules: TRulesDatabase;
beforeAll(async () => {
  rules = await openRulesDatabase();
});
afterAll(() => rules?.close());

const AT = '2026-02-01T10:00:00.000Z';

describe('rule 1: tenant and branch context', () => {
  it('quarantines every event of a tenant that does not exist as UNKNOWN_TENANT, and stores nothing', async () => {
    const ghost = uuidv7();
    const events = [makeEvent(ghost), makeEvent(ghost)];
    const outcome = await storeJob(rules.orm, jobOf(ghost, events));
    expect(outcome).toEqual({ stored: [], duplicates: 0, waiting: [], quarantined: events.map((e) => ({ eventId: e.eventId, reason: 'UNKNOWN_TENANT' })) });
    expect(await quarantinedRows(rules.db, ghost)).toEqual(events.map((e) => expect.objectContaining({ event_id: e.eventId, reason: 'UNKNOWN_TENANT' })));
    expect(await storedRows(rules.db, ghost)).toEqual([]);
  });

  it("quarantines at once, as CONTEXT_MISMATCH, an event naming another tenant's branch — even before its last wait", async () => {
    const owner = await rules.newTenant('Owner');
    const intruder = await rules.newTenant('Intruder');
    const branchId = uuidv7();
    await storeEvents(rules.orm, owner, [provisionBranch(owner, branchId)]);
    const theirs = sale(intruder, branchId, AT);
    const mine = makeEvent(intruder, { occurredAt: AT });
    const outcome = await storeEvents(rules.orm, intruder, [theirs, mine], { lastBranchWait: false });
    expect(outcome.quarantined).toEqual([{ eventId: theirs.eventId, reason: 'CONTEXT_MISMATCH' }]);
    expect(outcome.waiting).toEqual([]);
    expect(outcome.stored.map((s) => s.eventId)).toEqual([mine.eventId]);
    expect(await quarantinedRows(rules.db, intruder)).toEqual([
      { event_id: theirs.eventId, reason: 'CONTEXT_MISMATCH', detail: 'branchId belongs to another tenant' },
    ]);
  });

  it("refuses to provision another tenant's branch (CONTEXT_MISMATCH) and leaves the branch its owner's", async () => {
    const owner = await rules.newTenant('Owner');
    const intruder = await rules.newTenant('Intruder');
    const branchId = uuidv7();
    await storeEvents(rules.orm, owner, [provisionBranch(owner, branchId, AT, 'Owner street')]);
    const claim = provisionBranch(intruder, branchId, AT, 'Stolen street');
    expect((await storeEvents(rules.orm, intruder, [claim])).quarantined).toEqual([{ eventId: claim.eventId, reason: 'CONTEXT_MISMATCH' }]);
    expect((await rules.db.query('select tenant_id, name from branches where id = $1', [branchId])).rows).toEqual([{ tenant_id: owner, name: 'Owner street' }]);
  });

  it('hands an event of a branch not provisioned yet back to wait, and stores the rest of the batch meanwhile', async () => {
    const tenantId = await rules.newTenant();
    const early = sale(tenantId, uuidv7(), AT);
    const other = makeEvent(tenantId, { occurredAt: AT });
    const outcome = await storeEvents(rules.orm, tenantId, [early, other], { lastBranchWait: false });
    expect(outcome.waiting.map((e) => e.eventId)).toEqual([early.eventId]);
    expect(outcome.quarantined).toEqual([]);
    expect(outcome.stored.map((s) => s.eventId)).toEqual([other.eventId]);
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([]);
  });

  it('quarantines it as UNKNOWN_BRANCH on its last wait', async () => {
    const tenantId = await rules.newTenant();
    const late = sale(tenantId, uuidv7(), AT);
    const outcome = await storeEvents(rules.orm, tenantId, [late], { lastBranchWait: true });
    expect(outcome).toMatchObject({ stored: [], waiting: [], quarantined: [{ eventId: late.eventId, reason: 'UNKNOWN_BRANCH' }] });
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([
      { event_id: late.eventId, reason: 'UNKNOWN_BRANCH', detail: 'no BRANCH_PROVISIONED arrived for this branchId' },
    ]);
  });

  it('stores an event of a branch provisioned earlier in the same batch', async () => {
    const tenantId = await rules.newTenant();
    const branchId = uuidv7();
    const events = [provisionBranch(tenantId, branchId), sale(tenantId, branchId, AT)];
    const outcome = await storeEvents(rules.orm, tenantId, events);
    expect(outcome.stored.map((s) => s.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('keeps a refused provisioning of a branch that does not exist (it may never exist, and is still worth keeping)', async () => {
    const tenantId = await rules.newTenant();
    const refused = makeEvent(tenantId, { ...provisionBranch(tenantId, uuidv7()), eventId: uuidv7(), outcome: 'REJECTED', reason: 'POLICY_BLOCKED' });
    const outcome = await storeEvents(rules.orm, tenantId, [refused], { lastBranchWait: false });
    expect(outcome.stored.map((s) => s.eventId)).toEqual([refused.eventId]);
    expect((await storedRows(rules.db, tenantId))[0]).toMatchObject({ outcome: 'REJECTED', reason: 'POLICY_BLOCKED' });
  });
});
