import { randomBytes } from 'node:crypto';
import type { TRedis } from './connection.ts';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface TLockHandle {
  release(): Promise<void>;
}

/**
 * A lock in Redis held by one caller at a time, whatever the process: SET NX with a TTL, renewed
 * while held (every third of the TTL) and released only by its holder (compare and delete). A
 * holder that died leaves it for at most `ttlMs`.
 */
export class RedisLock {
  constructor(
    private readonly redis: TRedis,
    private readonly ttlMs = 60_000,
  ) {}

  /** The lock, or null at once when someone else holds it. Throws when Redis cannot answer. */
  async acquire(key: string): Promise<TLockHandle | null> {
    const token = randomBytes(16).toString('hex');
    if ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) !== 'OK') return null;
    const renew = setInterval(
      () => {
        this.redis.eval(RENEW, 1, key, token, this.ttlMs).catch(() => {});
      },
      Math.max(1000, Math.floor(this.ttlMs / 3)),
    );
    renew.unref?.();
    return {
      release: async () => {
        clearInterval(renew);
        await this.redis.eval(RELEASE, 1, key, token).catch(() => {});
      },
    };
  }
}
