import type { TRedis } from './connection.ts';

/**
 * A token bucket per key, kept in one Redis hash and changed by one Lua call, so every server
 * instance draws from the same bucket and two requests never spend the same tokens. The bucket
 * holds at most `burst` tokens and refills at `ratePerSecond`; a request costs `cost` tokens (an
 * ingest batch: its number of events). A request is let through when the bucket holds its cost —
 * or, for a request larger than the whole bucket, when the bucket is full, which leaves it in debt
 * — and then pays in full. A refused request takes nothing, so retrying after the wait it was
 * told succeeds. Time is Redis's own (TIME), the same for every instance.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
local need = math.min(cost, burst)
if tokens < need then
  return {0, math.ceil((need - tokens) * 1000 / rate)}
end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {1, 0}
`;

export type TTake = { ok: true } | { ok: false; retryAfterMs: number };

export class TokenBucketLimiter {
  constructor(
    private readonly redis: TRedis,
    private readonly keyPrefix: string,
    private readonly policy: { ratePerSecond: number; burst: number },
  ) {
    if (!(policy.ratePerSecond > 0) || !(policy.burst >= 1)) throw new Error('a token bucket needs a positive rate and a burst of at least 1');
  }

  /** Spends `cost` tokens of `key`'s bucket, or says how long to wait before the same request would pass. */
  async take(key: string, cost: number): Promise<TTake> {
    const [ok, waitMs] = (await this.redis.eval(TAKE, 1, `${this.keyPrefix}:${key}`, this.policy.ratePerSecond, this.policy.burst, Math.max(0, cost))) as [
      number,
      number,
    ];
    return ok === 1 ? { ok: true } : { ok: false, retryAfterMs: Math.max(1, waitMs) };
  }
}
