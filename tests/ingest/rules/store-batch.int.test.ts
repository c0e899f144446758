import { withTenant } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBatch } from '../../../packages/domain/src/ingest/store-batch.ts';
import { makeEvent, provisionBranch, sale } from '../../../testing/events.ts';
import { chainHead, jobOf, openRulesDatabase, quarantinedRows, storedRows, storeJob, type TRulesDatabase } from '../../../testing/worker-rules.ts';

/**
 * storeBatch: the worker's rules 1–5 over one job of one tenant, in one transaction. Every event
 * gets its own verdict, one bad event never holds the others, and a job run again (at-least-once
 * delivery) finds its events stored and does nothing (ARCHITECTURE "Exactly once").
 */
let rules: TRulesDatabase;
beforeAll(async () => {
  rules = await openRulesDatabase();
});
afterAll(() => rules?.close());

const AT = '2026-03-01T11:00:00.000Z';

describe('storeBatch', () => {
  it('gives each event of a mixed batch the verdict of its rule, and chains the stored ones in the order of the batch', async () => {
    const tenantId = await rules.newTenant();
    const neighbour = await rules.newTenant('Neighbour');
    const foreignBranch = uuidv7();
    await storeJob(rules.orm, jobOf(neighbour, [provisionBranch(neighbour, foreignBranch)]));
    const stored = makeEvent(tenantId);
    await storeJob(rules.orm, jobOf(tenantId, [stored]));

    const branchId = uuidv7();
    const batch = {
      provision: provisionBranch(tenantId, branchId),
      freeze: makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId, occurredAt: '2026-03-01T10:00:00.000Z' }),
      deniedSale: sale(tenantId, branchId, AT),
      resend: structuredClone(stored),
      conflict: { ...stored, after: { changed: true } },
      foreign: sale(tenantId, foreignBranch, AT),
      early: sale(tenantId, uuidv7(), AT),
      plain: makeEvent(tenantId),
    };
    const outcome = await storeJob(rules.orm, jobOf(tenantId, Object.values(batch)));
    expect(outcome).toEqual({
      stored: [batch.provision, batch.freeze, batch.deniedSale, batch.plain].map((e, i) => ({ eventId: e.eventId, seq: i + 2 })),
      duplicates: 1,
      quarantined: [
        { eventId: stored.eventId, reason: 'DUPLICATE_CONFLICT' },
        { eventId: batch.foreign.eventId, reason: 'CONTEXT_MISMATCH' },
      ],
      waiting: [expect.objectContaining({ eventId: batch.early.eventId })],
    });
    const rows = await storedRows(rules.db, tenantId);
    expect(rows.find((r) => r.event_id === batch.deniedSale.eventId)).toMatchObject({
      outcome: 'REJECTED',
      reason: 'BRANCH_FROZEN',
      claimed_outcome: 'SUCCESS',
    });
    expect((await rules.db.query('select status from branches where tenant_id = $1 and id = $2', [tenantId, branchId])).rows).toEqual([{ status: 'FROZEN' }]);
    expect(await chainHead(rules.db, tenantId)).toEqual({ seq: 5, hash: rows[4]!.hash });
  });

  it('writes nothing when its transaction does not commit: rows, quarantine, transitions, branches and head all stay as they were', async () => {
    const tenantId = await rules.newTenant();
    const branchId = uuidv7();
    const job = jobOf(tenantId, [
      provisionBranch(tenantId, branchId),
      makeEvent(tenantId, { action: 'BRANCH_FROZEN', branchId }),
      sale(tenantId, uuidv7(), AT),
    ]);
    const aborted = withTenant(rules.orm, tenantId, async (em) => {
      await storeBatch(em, job, { lastBranchWait: true });
      throw new Error('the connection dropped before commit');
    });
    await expect(aborted).rejects.toThrow('the connection dropped before commit');
    expect(await storedRows(rules.db, tenantId)).toEqual([]);
    expect(await quarantinedRows(rules.db, tenantId)).toEqual([]);
    expect(
      (await rules.db.query('select 1 from freeze_transitions where tenant_id = $1 union all select 1 from branches where tenant_id = $1', [tenantId])).rows,
    ).toEqual([]);
    expect((await chainHead(rules.db, tenantId))?.seq ?? 0).toBe(0);
  });

  it('stores a job once however often it runs: a second run finds every event stored and changes nothing', async () => {
    const tenantId = await rules.newTenant();
    const job = jobOf(tenantId, [makeEvent(tenantId), makeEvent(tenantId), makeEvent(tenantId)]);
    const first = await storeJob(rules.orm, job);
    const rows = await storedRows(rules.db, tenantId);
    expect(await storeJob(rules.orm, job)).toEqual({ stored: [], duplicates: 3, quarantined: [], waiting: [] });
    expect(first.stored).toHaveLength(3);
    expect(await storedRows(rules.db, tenantId)).toEqual(rows);
  });

  it("cannot write another tenant's log: a job of tenant B in a transaction of tenant A is refused by row-level security and writes nothing", async () => {
    const tenantA = await rules.newTenant('A');
    const tenantB = await rules.newTenant('B');
    const jobOfB = jobOf(tenantB, [makeEvent(tenantB)]);
    await expect(withTenant(rules.orm, tenantA, (em) => storeBatch(em, jobOfB, { lastBranchWait: false }))).rejects.toThrow(/row-level security/);
    for (const t of [tenantA, tenantB]) {
      expect(await storedRows(rules.db, t)).toEqual([]);
      expect(await quarantinedRows(rules.db, t)).toEqual([]);
    }
  });
});
