import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * CONTRACT: identifiers are case-insensitive, an upper-case UUID is the same id as its lower-case
 * form everywhere. So the record of a read names the id in its one (lower-case) spelling, and
 * reading one entry or export by both spellings is one read: an Admin's AUDIT_LOG_VIEWED is once
 * per session and input (README "Administration"), a read token's READ_TOKEN_USED once per token,
 * procedure and filter per hour (README "Read tokens").
 */
let stack: TestStack;
let tenantId: string;
let admin: Awaited<ReturnType<typeof signedInAdmin>>;
let entryId: string;

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Id spelling'));
  const event = makeEvent(tenantId);
  await ingestStored(stack, tenantId, [event]);
  admin = await signedInAdmin(stack, tenantId);
  const rows = await queryRows<{ id: string }>(stack.databaseSuperuserUrl, 'select id from audit_events where tenant_id = $1 and event_id = $2', [
    tenantId,
    event.eventId,
  ]);
  entryId = rows[0]!.id;
}, 120_000);
afterAll(() => stack?.close());

type TRecord = { procedure?: string; filter: Record<string, unknown> };

/** The metadata of one actor's records of an action, in log order. */
async function recordsOf(action: 'AUDIT_LOG_VIEWED' | 'READ_TOKEN_USED', actorId: string): Promise<TRecord[]> {
  const rows = await queryRows<{ metadata: TRecord }>(
    stack.databaseSuperuserUrl,
    'select metadata from audit_events where tenant_id = $1 and action = $2 and actor_id = $3 order by seq',
    [tenantId, action, actorId],
  );
  return rows.map((r) => r.metadata);
}

/**
 * Waits until the record of `sentinel` (the last read made) is stored: events of one tenant are
 * stored in the order they were queued, and every read is recorded before its answer, so every
 * record of an earlier read is then stored too.
 */
async function recordsUpTo(action: 'AUDIT_LOG_VIEWED' | 'READ_TOKEN_USED', actorId: string, sentinel: string): Promise<TRecord[]> {
  return eventually(async () => {
    const records = await recordsOf(action, actorId);
    return records.some((r) => r.procedure === sentinel) ? records : undefined;
  });
}

describe('an id read in upper case is the same id as in lower case', () => {
  it("an Admin's events.get: recorded once, with the lower-case id", async () => {
    expect(entryId).toBe(entryId.toLowerCase());
    const upper = await trpc(stack, 'query', 'events.get', { id: entryId.toUpperCase() }, { cookie: admin.cookie });
    expect(upper.status, JSON.stringify(upper.body)).toBe(200);
    expect(upper.data.id).toBe(entryId);
    const lower = await trpc(stack, 'query', 'events.get', { id: entryId }, { cookie: admin.cookie });
    expect(lower.status, JSON.stringify(lower.body)).toBe(200);
    // a later read of another kind: once its record is stored, every earlier one is
    expect((await trpc(stack, 'query', 'actors.list', { limit: 1 }, { cookie: admin.cookie })).status).toBe(200);

    const records = await recordsUpTo('AUDIT_LOG_VIEWED', admin.userId, 'actors.list');
    expect(records.filter((r) => r.procedure === 'events.get')).toEqual([{ procedure: 'events.get', filter: { id: entryId } }]);
  });

  it("a read token's events.get and exports.get: one use each, with the lower-case id", async () => {
    const made = await trpc(stack, 'mutation', 'readTokens.create', { name: 'spelling' }, { cookie: admin.cookie });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const { token, tokenId } = made.data as { token: string; tokenId: string };
    const asToken = (kind: 'query' | 'mutation', path: string, input: unknown) => trpc(stack, kind, path, input, { apiKey: token });

    for (const id of [entryId.toUpperCase(), entryId]) {
      const got = await asToken('query', 'events.get', { id });
      expect(got.status, JSON.stringify(got.body)).toBe(200);
      expect(got.data.id).toBe(entryId);
    }

    const created = await asToken('mutation', 'exports.create', { format: 'csv', filter: {} });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const exportId = created.data.exportId as string;
    expect(exportId).toBe(exportId.toLowerCase());
    for (const id of [exportId.toUpperCase(), exportId]) {
      const got = await asToken('query', 'exports.get', { exportId: id });
      expect(got.status, JSON.stringify(got.body)).toBe(200);
    }
    // a later use: once its record is stored, every earlier one is
    expect((await asToken('query', 'events.list', { limit: 1 })).status).toBe(200);

    const uses = await recordsUpTo('READ_TOKEN_USED', `read-token/${tokenId}`, 'events.list');
    expect(uses.filter((u) => u.procedure === 'events.get' || u.procedure === 'exports.get')).toEqual([
      { procedure: 'events.get', filter: { id: entryId } },
      { procedure: 'exports.get', filter: { exportId } },
    ]);
  });
});
