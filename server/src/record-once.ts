import { randomUUID } from 'node:crypto';
import { AppError } from '@modula/domain';
import type { TRedis } from '@modula/queue';

/** How long a request waits for another one's record of the same read before it gives up (503). */
const PENDING_WAIT_MS = 10_000;
/** A record under way that long is taken for dead (its server stopped mid-way): the next read records it. */
const PENDING_TTL_SECONDS = 30;
const PENDING = 'pending';
const DELETE_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * Records a read once per `key` within `ttlSeconds` (DESIGN rule 8: before its answer goes out).
 * The first request marks the key pending, records, then marks it done; a request that finds it
 * pending waits until it is done — or gone, when that record failed, and then records it itself —
 * so a read never goes out on the strength of a record that was never made. Worst case a record is
 * made twice (a server stopped after recording, before marking), never not at all.
 */
export async function recordOnce(redis: TRedis, key: string, ttlSeconds: number, record: () => Promise<void>, opts: { waitMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.waitMs ?? PENDING_WAIT_MS);
  // this request's own mark: a record that outlived its mark must not remove the next one's
  const mine = `${PENDING}:${randomUUID()}`;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    if ((await redis.set(key, mine, 'EX', PENDING_TTL_SECONDS, 'NX')) === 'OK') break;
    const state = await redis.get(key);
    if (state !== null && !state.startsWith(PENDING)) return;
    if (Date.now() >= deadline) throw new AppError('UNAVAILABLE', 'the record of this read is still being made; retry later');
    // null: the other record failed, and this request makes it at once
    if (state !== null) await new Promise((r) => setTimeout(r, pause));
  }
  try {
    await record();
  } catch (err) {
    await redis.eval(DELETE_IF_MINE, 1, key, mine).catch(() => {});
    throw err;
  }
  // the record is made: a failure to mark it only lets it be made again once the mark expires
  await redis.set(key, 'done', 'EX', ttlSeconds).catch(() => {});
}
