import { expect } from 'vitest';
import { eventually } from './events.ts';
import type { TestStack } from './stack.ts';
import { trpc } from './viewer.ts';

/** Asks for a pack as a signed-in Admin and waits until it is READY (a FAILED pack fails the wait); returns exports.get's answer. */
export async function exportWhenReady(stack: TestStack, cookie: string, format: 'csv' | 'pdf', filter: Record<string, unknown> = {}, everyMs?: number) {
  const created = await trpc(stack, 'mutation', 'exports.create', { format, filter }, { cookie });
  expect(created.status).toBe(200);
  const { exportId } = created.data as { exportId: string };
  const ready = await eventually(
    async () => {
      const r = await trpc(stack, 'query', 'exports.get', { exportId }, { cookie });
      if (r.data?.status === 'FAILED') throw new Error(r.data.error);
      return r.data?.status === 'READY' ? r.data : undefined;
    },
    30_000,
    everyMs,
  );
  return { exportId, ...ready } as { exportId: string; url: string; manifestUrl: string; sha256: string; signature: string; rows: number };
}
