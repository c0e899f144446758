import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditOutbox, type TAuditOutboxOptions, type TRecordInput } from '@modula/sdk';
import { connect } from '../../testing/database.ts';
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

export const cashierSale = (n: number): TRecordInput => ({
  action: 'SALE_FINALIZED', outcome: 'SUCCESS',
  actor: { type: 'USER', id: 'cashier-7', role: 'CASHIER', name: 'Carl Cashier' },
  entity: { type: 'INVOICE', id: `inv-${n}`, label: `INV-${1000 + n}` },
  after: { total: 10 + n, currency: 'EUR' },
});

/** The stored rows of a tenant as a superuser sees them (no RLS in the way). */
export async function storedRows(stack: TestStack, tenantId: string) {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    return (await db.query(`select event_id, occurred_at, received_at, device_id, device_seq::int as device_seq, offline, metadata
      from audit_events where tenant_id = $1 order by seq`, [tenantId])).rows as {
      event_id: string; occurred_at: Date; received_at: Date; device_id: string | null; device_seq: number | null; offline: boolean | null; metadata: Record<string, unknown> | null;
    }[];
  } finally {
    await db.end();
  }
}
