import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditOutbox, type TAuditOutboxOptions, type TRecordInput } from '@modula/sdk';
import { v7 as uuidv7 } from 'uuid';
import { connect } from '../../testing/database.ts';
import { eventually, getTrpc, postTrpc, provisionBranch } from '../../testing/events.ts';
import type { TestStack } from '../../testing/stack.ts';

/** An address where nothing listens: the service as an offline till sees it. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** A till's storage directory, removed by the returned cleanup. */
export async function tillDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'till-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** An outbox with test-friendly timings (short backoff, quick first probe). */
export function openTill(opts: Pick<TAuditOutboxOptions, 'url' | 'apiKey' | 'tenantId' | 'dir'> & Partial<TAuditOutboxOptions>): Promise<AuditOutbox> {
  return AuditOutbox.open({ deviceId: 'till-7', backoff: { baseMs: 50, capMs: 500 }, startupProbeMs: 1000, ...opts });
}

/**
 * A tenant with one provisioned branch, as a till finds it: the BRANCH_PROVISIONED event is
 * STORED before any sale is sent, so sales at `branchId` are stored (not held as UNKNOWN_BRANCH).
 * `provisionedEventId` is that event: it is the first stored row of the tenant.
 */
export async function tillTenant(stack: TestStack, name: string): Promise<{ tenantId: string; apiKey: string; branchId: string; provisionedEventId: string }> {
  const { tenantId, apiKey } = await stack.createTenant(name);
  const branchId = uuidv7();
  const provision = provisionBranch(tenantId, branchId);
  const sent = await postTrpc(stack.baseUrl, 'ingest.record', provision, apiKey);
  if (sent.status !== 200) throw new Error(`provisioning the branch was refused: ${sent.status} ${JSON.stringify(sent.body)}`);
  await eventually(async () => {
    const r = await getTrpc(stack.baseUrl, 'ingest.status', { eventIds: [provision.eventId] }, apiKey);
    return r.body?.result?.data?.statuses?.[0]?.state === 'STORED' ? true : undefined;
  });
  return { tenantId, apiKey, branchId, provisionedEventId: provision.eventId };
}

/** Sale number `n` of the cashier at the till of branch `branchId`. */
export const cashierSale = (n: number, branchId: string): TRecordInput => ({
  action: 'SALE_FINALIZED',
  outcome: 'SUCCESS',
  branchId,
  actor: { type: 'USER', id: 'cashier-7', role: 'CASHIER', name: 'Carl Cashier' },
  entity: { type: 'INVOICE', id: `inv-${n}`, label: `INV-${1000 + n}` },
  after: { total: 10 + n, currency: 'EUR' },
});

/** The stored rows of a tenant as a superuser sees them (no RLS in the way). */
export async function storedRows(stack: TestStack, tenantId: string) {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    return (
      await db.query(
        `select event_id, occurred_at, received_at, device_id, device_seq::int as device_seq, offline, metadata
      from audit_events where tenant_id = $1 order by seq`,
        [tenantId],
      )
    ).rows as {
      event_id: string;
      occurred_at: Date;
      received_at: Date;
      device_id: string | null;
      device_seq: number | null;
      offline: boolean | null;
      metadata: Record<string, unknown> | null;
    }[];
  } finally {
    await db.end();
  }
}
