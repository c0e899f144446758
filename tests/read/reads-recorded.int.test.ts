import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * DESIGN rule 8: the Admins' reading of the log is recorded in the tenant's log (PCI DSS 10.2.1.1).
 * Not only the list: an entry opened by its id, the timeline, suspicious sign-ins, device gaps and
 * the people the log has seen all read what the log holds. Each is recorded once per session,
 * procedure and input (as a list is once per session and filter), with the procedure named.
 */
let stack: TestStack;
let tenantId: string;
let admin: Awaited<ReturnType<typeof signedInAdmin>>;
let entryId: string;

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId } = await stack.createTenant('Reads recorded'));
  const event = makeEvent(tenantId, { context: { deviceId: 'till-7', deviceSeq: 3 } });
  await ingestStored(stack, tenantId, [event, makeEvent(tenantId, { context: { deviceId: 'till-7', deviceSeq: 1 } })]);
  admin = await signedInAdmin(stack, tenantId);
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    entryId = (await db.query('select id from audit_events where tenant_id = $1 and event_id = $2', [tenantId, event.eventId])).rows[0].id;
  } finally {
    await db.end();
  }
});
afterAll(() => stack?.close());

async function viewsOf(userId: string): Promise<{ procedure?: string; filter: Record<string, unknown> }[]> {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    const rows = await db.query(`select metadata from audit_events where tenant_id = $1 and action = 'AUDIT_LOG_VIEWED' and actor_id = $2 order by seq`, [
      tenantId,
      userId,
    ]);
    return rows.rows.map((r) => r.metadata);
  } finally {
    await db.end();
  }
}

describe("an Admin's reads besides the list", () => {
  // each read's input, and what is recorded: the input as applied, defaults included (DESIGN: more
  // than 5 failed sign-ins within an hour)
  const reads: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['insights.failedLogins', {}, { threshold: 5, windowMinutes: 60 }],
    ['events.timeline', { timeZone: 'Europe/Madrid' }, { timeZone: 'Europe/Madrid' }],
    ['devices.gaps', { deviceId: 'till-7' }, { deviceId: 'till-7' }],
    ['actors.list', { limit: 20 }, { limit: 20 }],
  ];

  it('are each recorded once per session and input, naming the procedure, before the answer', async () => {
    const get = await trpc(stack, 'query', 'events.get', { id: entryId }, { cookie: admin.cookie });
    expect(get.status, JSON.stringify(get.body)).toBe(200);
    for (const [path, input] of reads) {
      // twice each: the second is the same read, not recorded again
      for (let i = 0; i < 2; i++) expect((await trpc(stack, 'query', path, input, { cookie: admin.cookie })).status, path).toBe(200);
    }
    expect((await trpc(stack, 'query', 'events.get', { id: entryId }, { cookie: admin.cookie })).status).toBe(200);

    const expected = [{ procedure: 'events.get', filter: { id: entryId } }, ...reads.map(([procedure, , filter]) => ({ procedure, filter }))];
    const views = await eventually(async () => {
      const v = await viewsOf(admin.userId);
      return v.length >= expected.length ? v : undefined;
    });
    // give a duplicate the time to show up
    await new Promise((r) => setTimeout(r, 500));
    const again = await viewsOf(admin.userId);
    expect(again).toEqual(views);
    expect(views).toEqual(expected);
  });
});
