import { randomUUID } from 'node:crypto';
import { createRedis, redisReady } from '@modula/queue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordOnce } from '../../server/src/record-once.ts';

/**
 * DESIGN rule 8: a read is recorded before its answer goes out, and a token's (or a session's)
 * reads of one filter are recorded once per window. Two reads of the same filter at once: the
 * second must not go out on the strength of the first's record until that record is made — and
 * when it fails, the second makes it. On the test run's real Redis.
 */
let redis: ReturnType<typeof createRedis>;
beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), 'producer');
  await redisReady(redis);
});
afterAll(() => redis?.disconnect());

const newKey = () => `record-once-test:${randomUUID()}`;
const settled = <T>(p: Promise<T>) => {
  const state = { done: false };
  p.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
};
/** A record that waits until `open()`, then fails or succeeds as the test says. */
const gate = () => {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { open: resolve, passed: promise };
};
const untilKeyExists = async (key: string) => {
  while ((await redis.exists(key)) === 0) await new Promise((r) => setTimeout(r, 5));
};
/** A first read of `key` whose record waits until `open()`, then fails or notes 'first'; returned once its mark is set. */
async function heldFirstRead(key: string, recorded: string[], outcome: 'fails' | 'succeeds') {
  const record = gate();
  const first = recordOnce(redis, key, 60, async () => {
    await record.passed;
    if (outcome === 'fails') throw new Error('the queue refused the record');
    recorded.push('first');
  });
  await untilKeyExists(key);
  return { first, open: record.open };
}

describe('two reads of the same filter at once', () => {
  it('the second gives up with UNAVAILABLE (503) while the first is still recording past the wait, and records nothing', async () => {
    const key = newKey();
    const recorded: string[] = [];
    const { first, open: openFirst } = await heldFirstRead(key, recorded, 'succeeds');
    // the read is refused, not answered: its record is neither made nor known to be made
    await expect(recordOnce(redis, key, 60, async () => void recorded.push('second'), { waitMs: 300 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'the record of this read is still being made; retry later',
    });
    expect(recorded).toEqual([]);
    openFirst();
    await first;
    // once it is made, the same read goes out without a second record
    await recordOnce(redis, key, 60, async () => void recorded.push('third'), { waitMs: 300 });
    expect(recorded).toEqual(['first']);
  });

  it('the second waits for the first record, and makes it itself when the first fails', async () => {
    const key = newKey();
    const recorded: string[] = [];
    const { first, open: openFirst } = await heldFirstRead(key, recorded, 'fails');
    const second = recordOnce(redis, key, 60, async () => void recorded.push('second'));
    const secondState = settled(second);
    await new Promise((r) => setTimeout(r, 300));
    expect(secondState.done, 'the second read went out while the first record was not made').toBe(false);

    openFirst();
    await expect(first).rejects.toThrow('the queue refused the record');
    await second;
    expect(recorded).toEqual(['second']);
  });

  it('the second waits while the first records, and does not record again when it succeeded', async () => {
    const key = newKey();
    const recorded: string[] = [];
    const { first, open: openFirst } = await heldFirstRead(key, recorded, 'succeeds');
    const secondState = settled(recordOnce(redis, key, 60, async () => void recorded.push('second')));
    await new Promise((r) => setTimeout(r, 300));
    expect(secondState.done).toBe(false);
    openFirst();
    await first;
    await expect.poll(() => secondState.done).toBe(true);
    // later reads within the window record nothing more
    await recordOnce(redis, key, 60, async () => void recorded.push('third'));
    expect(recorded).toEqual(['first']);
    expect(await redis.ttl(key)).toBeGreaterThan(30);
  });

  it('a record that outlived its mark does not, on failing, remove the mark of the request that took over', async () => {
    const key = newKey();
    const recorded: string[] = [];
    const { first, open: openFirst } = await heldFirstRead(key, recorded, 'fails');
    await redis.del(key); // as if its mark expired while it was still recording
    const secondRecord = gate();
    const second = recordOnce(redis, key, 60, async () => {
      await secondRecord.passed;
      recorded.push('second');
    });
    await untilKeyExists(key);
    openFirst();
    await expect(first).rejects.toThrow('the queue refused the record');
    expect(await redis.get(key), 'the second request’s mark is still there').toMatch(/^pending:/);
    // so a third read of the filter waits for the second's record instead of making its own
    const third = recordOnce(redis, key, 60, async () => void recorded.push('third'));
    secondRecord.open();
    await Promise.all([second, third]);
    expect(recorded).toEqual(['second']);
  });
});
