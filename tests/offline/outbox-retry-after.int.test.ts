import type { TAuditEventInput } from '@modula/contracts';
import type { TSyncReport } from '@modula/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { cashierSale, openTill, tillDir, tillTenant } from './offline.ts';

/**
 * The SDK against a server whose ingest rate per key is tiny (1 event/s, burst 5): a 429 carries
 * Retry-After, and the outbox's next attempt waits at least that long — however short its own
 * backoff — and then delivers everything once.
 */
let stack: TestStack;
let removeDir: () => Promise<void>;

beforeAll(async () => {
  stack = await startStack({ env: { INGEST_RATE_PER_KEY: '1', INGEST_BURST_PER_KEY: '5' } });
});
afterAll(async () => {
  await removeDir?.();
  await stack.close();
});

describe('the outbox honours Retry-After on 429', () => {
  it('waits at least Retry-After before the next ingest.batch, then delivers every event once', async () => {
    const tenant = await tillTenant(stack, 'Rate-limited till'); // its provisioning spent 1 of the 5
    const { dir, remove } = await tillDir();
    removeDir = remove;
    const batches: { at: number; status: number; retryAfter: string | null }[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input instanceof Request ? input.url : input).includes('ingest.batch')) {
        batches.push({ at: performance.now(), status: res.status, retryAfter: res.headers.get('retry-after') });
      }
      return res;
    };
    const reports: TSyncReport[] = [];
    const outbox = await openTill({
      url: stack.baseUrl,
      apiKey: tenant.apiKey,
      tenantId: tenant.tenantId,
      dir,
      fetch: recordingFetch,
      // a backoff far shorter than the server's Retry-After: only honouring it makes the wait long enough
      backoff: { baseMs: 20, capMs: 40 },
      onSync: (r) => reports.push(r),
    });
    const recorded: TAuditEventInput[] = [];
    for (let n = 1; n <= 10; n++) recorded.push(await outbox.record(cashierSale(n, tenant.branchId)));
    const refusedAt = await eventually(async () => batches.find((b) => b.status === 429), 10_000, 10);
    const retryAfterMs = Number(refusedAt.retryAfter) * 1000;
    expect(retryAfterMs).toBeGreaterThanOrEqual(1000);
    const failed = reports.find((r) => !r.ok);
    expect(failed).toMatchObject({ ok: false });
    expect(failed!.pending).toBeGreaterThan(0);
    expect((failed as { retryInMs: number }).retryInMs).toBeGreaterThanOrEqual(retryAfterMs - 50);
    expect((failed as { error: Error }).error.message).toMatch(/events per second/);

    await eventually(async () => (outbox.pending().length === 0 ? true : undefined), 60_000, 50);
    // every attempt after a 429 came no sooner than that 429's Retry-After
    for (let i = 1; i < batches.length; i++) {
      const before = batches[i - 1]!;
      if (before.status === 429) expect(batches[i]!.at - before.at).toBeGreaterThanOrEqual(Number(before.retryAfter) * 1000 - 5);
    }
    expect(batches.filter((b) => b.status === 429).length).toBeLessThanOrEqual(3);
    const { statuses } = await eventually(async () => {
      const s = await outbox.client.ingest.status.query({ eventIds: recorded.map((e) => e.eventId) });
      return s.statuses.every((x) => x.state === 'STORED') ? s : undefined;
    });
    expect(statuses).toHaveLength(10);
    await outbox.close();
  }, 90_000);
});
