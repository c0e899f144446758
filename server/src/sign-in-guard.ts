import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TConfig } from '@modula/config';
import { FAILURE_MEMORY_MS, type TFailureState, type TRefusalTally, type TSignInStore } from '@modula/domain';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { TServices } from './context.ts';
import type { TRedis } from '@modula/queue';

export const DEVICE_COOKIE = 'modula_device';

/** The known-device cookie's name: `__Host-` prefixed behind HTTPS, like the session cookie. */
export function deviceCookieName(config: TConfig): string {
  return config.COOKIE_SECURE ? `__Host-${DEVICE_COOKIE}` : DEVICE_COOKIE;
}

/** A refused attempt's tally is kept this long when no later event of the account carries it. */
const TALLY_TTL_MS = 30 * 86_400_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** KEYS: tally, addresses, window mark. ARGV: reason, ip, window ms, ttl ms. */
const COUNT_REFUSAL = `
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'reason', ARGV[1])
redis.call('PFADD', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if redis.call('SET', KEYS[3], '1', 'PX', ARGV[3], 'NX') then
  local attempts = redis.call('HGET', KEYS[1], 'attempts')
  local addresses = redis.call('PFCOUNT', KEYS[2])
  redis.call('DEL', KEYS[1], KEYS[2])
  return {1, tonumber(attempts), addresses, ARGV[1]}
end
return {0, 0, 0, ARGV[1]}`;

/** KEYS: tally, addresses. */
const TAKE_REFUSALS = `
local attempts = redis.call('HGET', KEYS[1], 'attempts')
if not attempts then return {0, 0, 'LOCKED'} end
local reason = redis.call('HGET', KEYS[1], 'reason')
local addresses = redis.call('PFCOUNT', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2])
return {tonumber(attempts), addresses, reason}`;

/**
 * The sign-in store on Redis, shared by every server instance. Keys carry a hash tag per subject,
 * so the keys a script touches together live in one slot of a Redis Cluster.
 */
export class RedisSignInStore implements TSignInStore {
  constructor(
    private readonly redis: TRedis,
    private readonly prefix: string,
  ) {}

  private key(subject: string, part = ''): string {
    return `${this.prefix}:signin:{${subject}}${part}`;
  }

  async exclusive<T>(subject: string, fn: () => Promise<T>): Promise<T> {
    const lock = this.key(subject, ':lock');
    const token = randomUUID();
    const deadline = Date.now() + 15_000;
    while ((await this.redis.set(lock, token, 'PX', 15_000, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error('sign-in: timed out waiting for an attempt on the same email');
      await sleep(5 + Math.random() * 10);
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, lock, token);
    }
  }

  async readFailures(subject: string): Promise<TFailureState> {
    const h = await this.redis.hgetall(this.key(subject));
    return {
      failedAttempts: Number(h.n ?? 0),
      lastFailedAt: h.last ? new Date(Number(h.last)) : null,
      lockedUntil: h.until ? new Date(Number(h.until)) : null,
    };
  }

  async writeFailures(subject: string, state: TFailureState): Promise<void> {
    const key = this.key(subject);
    if (state.failedAttempts === 0 && !state.lockedUntil) {
      await this.redis.del(key);
      return;
    }
    const now = Date.now();
    const keepUntil = Math.max((state.lastFailedAt?.getTime() ?? now) + FAILURE_MEMORY_MS, state.lockedUntil?.getTime() ?? 0);
    const fields: Record<string, string> = { n: String(state.failedAttempts) };
    if (state.lastFailedAt) fields.last = String(state.lastFailedAt.getTime());
    if (state.lockedUntil) fields.until = String(state.lockedUntil.getTime());
    await this.redis
      .multi()
      .del(key)
      .hset(key, fields)
      .pexpire(key, Math.max(1000, keepUntil - now))
      .exec();
  }

  async countRefusal(subject: string, reason: TRefusalTally['reason'], ip: string | null, windowMs: number): Promise<TRefusalTally> {
    const [record, attempts, addresses] = (await this.redis.eval(
      COUNT_REFUSAL,
      3,
      this.key(subject, ':tally'),
      this.key(subject, ':ips'),
      this.key(subject, ':mark'),
      reason,
      ip ?? '-',
      String(windowMs),
      String(TALLY_TTL_MS),
    )) as [number, number, number, string];
    return { record: record === 1, attempts: Number(attempts), addresses: Number(addresses), reason };
  }

  async takeRefusals(subject: string): Promise<TRefusalTally> {
    const [attempts, addresses, reason] = (await this.redis.eval(TAKE_REFUSALS, 2, this.key(subject, ':tally'), this.key(subject, ':ips'))) as [
      number,
      number,
      string,
    ];
    return {
      record: Number(attempts) > 0,
      attempts: Number(attempts),
      addresses: Number(addresses),
      reason: reason === 'BACKOFF' || reason === 'ACCOUNT_DISABLED' ? reason : 'LOCKED',
    };
  }
}

export type TAdmission = { ok: true; counted: { address?: string; global: boolean } } | { ok: false; limit: 'address' | 'global'; message: string };

/**
 * The limits checked before any account is looked up, in Redis so every server instance shares
 * them: per client address (LOGIN_ADDRESS_LIMIT per LOGIN_ADDRESS_WINDOW_MINUTES) and for the
 * whole service (LOGIN_GLOBAL_LIMIT per minute). Each attempt takes a point and a sign-in that
 * gets past the password gives it back, so they count failures (and refusals). A browser that
 * signed in to the account before (known device) is not held: an attacker who exhausts them does
 * not keep the account's owner out.
 */
export class SignInGuard {
  readonly store: RedisSignInStore;
  private readonly perAddress: RateLimiterRedis;
  private readonly global: RateLimiterRedis;

  constructor(private readonly services: TServices) {
    const { config, redis } = services;
    this.store = new RedisSignInStore(redis, config.QUEUE_PREFIX);
    this.perAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.QUEUE_PREFIX}:signin:address`,
      points: config.LOGIN_ADDRESS_LIMIT,
      duration: config.LOGIN_ADDRESS_WINDOW_MINUTES * 60,
    });
    this.global = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.QUEUE_PREFIX}:signin:global`,
      points: config.LOGIN_GLOBAL_LIMIT,
      duration: 60,
    });
  }

  private refusal(limit: 'address' | 'global', res: RateLimiterRes, ip: string | null): TAdmission {
    const minutes = Math.max(1, Math.ceil(res.msBeforeNext / 60_000));
    // one line per address (or for the service) and window: the moment the limit is passed
    if (res.consumedPoints === (limit === 'address' ? this.services.config.LOGIN_ADDRESS_LIMIT : this.services.config.LOGIN_GLOBAL_LIMIT) + 1) {
      this.services.log.warn(
        { limit, ip, retryInMinutes: minutes },
        limit === 'address' ? 'sign-in limit of a client address reached' : 'global sign-in limit reached',
      );
    }
    this.services.metrics.signInThrottled.inc({ limit });
    return {
      ok: false,
      limit,
      message:
        limit === 'address'
          ? `too many sign-in attempts from this address; try again in ${minutes} min`
          : `too many sign-in attempts on the service; try again in ${minutes} min`,
    };
  }

  /** Takes the attempt's points, or says which limit refuses it. */
  async admit(ip: string | null, knownDevice: boolean): Promise<TAdmission> {
    if (knownDevice) return { ok: true, counted: { global: false } };
    if (ip) {
      try {
        await this.perAddress.consume(ip);
      } catch (err) {
        if (err instanceof RateLimiterRes) return this.refusal('address', err, ip);
        throw err;
      }
    }
    try {
      await this.global.consume('all');
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // refused for everyone's attempts: this address's own count is given back
      if (ip) await this.perAddress.reward(ip);
      return this.refusal('global', err, ip);
    }
    return { ok: true, counted: { ...(ip ? { address: ip } : {}), global: true } };
  }

  /** A sign-in that got past the password gives its points back. */
  async settle(admission: TAdmission, passed: boolean): Promise<void> {
    if (!admission.ok || !passed) return;
    if (admission.counted.address) await this.perAddress.reward(admission.counted.address);
    if (admission.counted.global) await this.global.reward('all');
  }
}

const guards = new WeakMap<TServices, SignInGuard>();

/** The services' sign-in guard (one per process and Redis connection). */
export function signInGuardOf(services: TServices): SignInGuard {
  let guard = guards.get(services);
  if (!guard) {
    guard = new SignInGuard(services);
    guards.set(services, guard);
  }
  return guard;
}
