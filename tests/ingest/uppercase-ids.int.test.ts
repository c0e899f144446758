import { createCheckpoint, loadSigner, verifyChain } from '@modula/domain';
import { readCounters } from '@modula/queue';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, getTrpc, postTrpc, provisionBranch, sale } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * CONTRACT: identifiers are case-insensitive; an upper-case UUID (as Swift and Windows tills send
 * them) is the same id as its lower-case form everywhere: stored, hashed, deduplicated, looked up.
 */
let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };

beforeAll(async () => {
  stack = await startStack();
  tenant = await stack.createTenant('Upper case tills');
});
afterAll(() => stack.close());

const upper = (id: string) => id.toUpperCase();

async function statuses(eventIds: string[]) {
  const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds }, tenant.apiKey);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.result.data.statuses as { eventId: string; state: string; seq?: number }[];
}

describe('one spelling per identifier', () => {
  it('stores, hashes, dedupes and looks up upper-case eventId, branchId and tenantId as one id', async () => {
    const branchId = uuidv7();
    const provision = { ...provisionBranch(tenant.tenantId, branchId), eventId: upper(uuidv7()), branchId: upper(branchId), tenantId: upper(tenant.tenantId) };
    const theSale = {
      ...sale(tenant.tenantId, branchId, new Date().toISOString()),
      eventId: upper(uuidv7()),
      branchId: upper(branchId),
      tenantId: upper(tenant.tenantId),
    };
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [provision, theSale] }, tenant.apiKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.result.data.rejected).toEqual([]);
    expect(res.body.result.data.accepted).toEqual([provision.eventId.toLowerCase(), theSale.eventId.toLowerCase()]);

    // looked up by the spelling the till knows
    const stored = await eventually(async () => {
      const s = await statuses([provision.eventId, theSale.eventId]);
      return s.every((x) => x.state === 'STORED') ? s : undefined;
    });
    expect(stored.map((s) => s.seq)).toEqual([1, 2]);

    // the chain verifies, so a checkpoint can be signed over it
    expect(await verifyChain(stack.services.orm, tenant.tenantId)).toMatchObject({ ok: true, checked: 2 });
    // the stack's own key (in its fresh DATA_DIR), which it published as the owner: the runtime may not
    const signer = loadSigner(stack.config);
    const { checkpoint } = await createCheckpoint(stack.services.orm, signer, tenant.tenantId);
    expect(checkpoint.seq).toBe(2);

    // resends in either spelling are the same event: no-ops, not conflicts
    const before = await readCounters(stack.services.redis, stack.config.QUEUE_PREFIX);
    for (const resend of [theSale, { ...theSale, eventId: theSale.eventId.toLowerCase(), branchId: branchId.toLowerCase() }]) {
      const again = await postTrpc(stack.baseUrl, 'ingest.record', resend, tenant.apiKey);
      expect(again.status, JSON.stringify(again.body)).toBe(200);
    }
    await eventually(async () =>
      (await readCounters(stack.services.redis, stack.config.QUEUE_PREFIX)).duplicates >= before.duplicates + 2 ? true : undefined,
    );
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const rows = (await db.query('select event_id, branch_id from audit_events where tenant_id = $1 order by seq', [tenant.tenantId])).rows;
      expect(rows).toEqual([
        { event_id: provision.eventId.toLowerCase(), branch_id: branchId.toLowerCase() },
        { event_id: theSale.eventId.toLowerCase(), branch_id: branchId.toLowerCase() },
      ]);
      expect((await db.query('select count(*)::int as n from quarantined_events where tenant_id = $1', [tenant.tenantId])).rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
    expect(await verifyChain(stack.services.orm, tenant.tenantId)).toMatchObject({ ok: true, checked: 2 });
  });
});
