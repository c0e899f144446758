import { randomBytes } from 'node:crypto';
import type { TRedis } from './connection.ts';

/**
 * DESIGN rule 0: events of one tenant are judged in the order the service acknowledged them,
 * however many workers run. A job takes a per-tenant ticket before it is queued (so a job
 * acknowledged before another was even sent always holds the lower ticket); a worker stores a
 * ticketed job only once no lower ticket of its tenant is still open; a ticket closes once its
 * job's transaction has committed.
 *
 * Alongside, every acknowledged job is listed with its acknowledgement time until its events are
 * stored or quarantined: the age of the oldest entry is the "stuck work" metric.
 */

/**
 * A ticket with no job behind it this long after it was taken belongs to an add() that failed (the
 * server died, or Redis with it, before it could release the ticket), or to one still under way
 * (an event loop stall, a failover). A worker behind it releases it then (releaseOrphan): waiting
 * longer would hold the tenant's later jobs behind an add that may never come. The age is measured
 * with Redis' clock on both ends (TIME in the scripts), never with the producing host's and the
 * worker's clocks. The order does not depend on this guess: an add that lands after its ticket was
 * released is not acknowledged (confirm), so every job a later ticket stores first was
 * acknowledged first.
 */
export const ORPHAN_TICKET_MS = 5_000;

/**
 * How long the release of an orphan is remembered for its producer's confirm (which reads and
 * forgets it). A producer that died never reads it: entries this old are trimmed, so the list holds
 * at most a day of orphans (rare: each is a failed or stalled add). An add() under way longer than
 * this would be acknowledged though its ticket was released; nothing keeps a producer's command
 * waiting that long (producers fail fast, createRedis).
 */
const ORPHAN_MEMORY_MS = 24 * 60 * 60_000;

/** Redis' own clock in ms, for the scripts below: one clock decides, whichever hosts take part. */
const REDIS_NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * INCR the tenant's ticket, open it, list the job as unstored since now (Redis' clock), mark its
 * events pending: one round trip.
 */
const TAKE_TICKET = `${REDIS_NOW_MS}
local ticket = redis.call('INCR', KEYS[1])
local jobId = ARGV[1] .. ticket .. ARGV[2]
redis.call('ZADD', KEYS[2], ticket, jobId)
redis.call('ZADD', KEYS[3], now, jobId)
for i = 3, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
return {ticket, jobId}`;

/**
 * Close the ticket, unlist the job, unmark its events: one script rather than MULTI, because a full
 * Redis (maxmemory, noeviction) refuses to queue any command of a MULTI, and a failed add on a full
 * Redis is exactly when a ticket must be released. ZREM and SREM free memory: a script may run them.
 */
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for i = 2, #ARGV, 500 do redis.call('SREM', KEYS[3], unpack(ARGV, i, math.min(i + 499, #ARGV))) end
return 1`;

/** Close only the ticket (and forget that its job was added). */
const CLOSE_TICKET = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1`;

/**
 * The producer's add() resolved: 0 when a worker released the ticket as an orphan meanwhile (that
 * release is forgotten now: it was read), else 1, and a ticket still open is marked added, so no
 * worker takes it for an orphan. A ticket closed otherwise was closed by a worker that already
 * stored the job (it may do so before add() returns): that is a success.
 */
const CONFIRM = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('SADD', KEYS[3], ARGV[1]) end
return 1`;

/**
 * A worker found no job for the ticket. Released ('released') only when its job is still not in
 * Redis (the job's hash, KEYS[5], checked here, in the same step: else 'present') and either its
 * producer confirmed the add (the job was added and is gone since, so nothing will ever close the
 * ticket) or the ticket is ORPHAN_TICKET_MS old by Redis' clock and was never confirmed (else
 * 'young'): then the release is remembered for the producer's confirm, which refuses to
 * acknowledge an add that lands after it. 'closed': the ticket was no longer open.
 */
const RELEASE_ORPHAN = `${REDIS_NOW_MS}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 'closed' end
if redis.call('EXISTS', KEYS[5]) == 1 then return 'present' end
local added = redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1
if not added then
  local at = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if at and now - tonumber(at) < tonumber(ARGV[2]) then return 'young' end
  redis.call('ZADD', KEYS[4], now, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[3]))
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 'released'`;

/** What releaseOrphan did (RELEASE_ORPHAN). */
export type TOrphanRelease = 'released' | 'closed' | 'present' | 'young';

/**
 * Thrown by enqueue when a worker released the job's ticket as an orphan while its add() was under
 * way: the job is not acknowledged (the server answers 503, the client resends, and dedupe makes a
 * resend of anything that did get stored a no-op).
 */
export class AckTicketReleasedError extends Error {
  constructor(jobId: string) {
    super(`the ticket of job ${jobId} was released while the job was being queued; nothing was acknowledged, retry`);
    this.name = 'AckTicketReleasedError';
  }
}

export interface TTicket {
  ticket: number;
  jobId: string;
}

export class AckOrder {
  constructor(
    private readonly redis: TRedis,
    private readonly prefix: string,
  ) {}

  private counterKey(tenantId: string) {
    return `${this.prefix}:ack:${tenantId}:next`;
  }
  private openKey(tenantId: string) {
    return `${this.prefix}:ack:${tenantId}:open`;
  }
  private unstoredKey() {
    return `${this.prefix}:ack:unstored`;
  }
  private pendingKey(tenantId: string) {
    return `${this.prefix}:pending:${tenantId}`;
  }
  /** Open tickets whose producer confirmed the add. */
  private addedKey(tenantId: string) {
    return `${this.prefix}:ack:${tenantId}:added`;
  }
  /** Tickets released as orphans, by when (Redis' clock), until their producer's confirm reads them. */
  private orphanedKey() {
    return `${this.prefix}:ack:orphaned`;
  }

  /**
   * Takes the next ticket of the tenant and the job id that goes with it; marks the events pending.
   * The job is listed as unstored since now by Redis' clock.
   */
  async take(tenantId: string, eventIds: string[]): Promise<TTicket> {
    const salt = randomBytes(4).toString('hex');
    const [ticket, jobId] = (await this.redis.eval(
      TAKE_TICKET,
      4,
      this.counterKey(tenantId),
      this.openKey(tenantId),
      this.unstoredKey(),
      this.pendingKey(tenantId),
      `${tenantId}.`,
      `.${salt}`,
      ...eventIds,
    )) as [number, string];
    return { ticket: Number(ticket), jobId };
  }

  /** Lists a job without a ticket (events waiting for their branch) as unstored since `ackAtMs`. */
  async listUnstored(tenantId: string, jobId: string, ackAtMs: number, eventIds: string[]): Promise<void> {
    const multi = this.redis.multi().zadd(this.unstoredKey(), ackAtMs, jobId);
    if (eventIds.length > 0) multi.sadd(this.pendingKey(tenantId), ...eventIds);
    await multi.exec();
  }

  /**
   * The job is done with these events (stored, quarantined, or handed on to another job): its
   * ticket closes, it leaves the unstored list, and they are no longer pending.
   */
  async release(tenantId: string, jobId: string, doneEventIds: string[]): Promise<void> {
    await this.redis.eval(RELEASE, 4, this.openKey(tenantId), this.unstoredKey(), this.pendingKey(tenantId), this.addedKey(tenantId), jobId, ...doneEventIds);
  }

  /** Closes only the ticket: later jobs of the tenant may go on, while the job stays unstored (a job failed for good). */
  async closeTicket(tenantId: string, jobId: string): Promise<void> {
    await this.redis.eval(CLOSE_TICKET, 2, this.openKey(tenantId), this.addedKey(tenantId), jobId);
  }

  /**
   * After the job's add() resolved: false when a worker released its ticket as an orphan while the
   * add was under way (the job must not be acknowledged); true otherwise, and from now on no worker
   * takes the ticket for an orphan while the job is in Redis.
   */
  async confirm(tenantId: string, jobId: string): Promise<boolean> {
    return (await this.redis.eval(CONFIRM, 3, this.orphanedKey(), this.openKey(tenantId), this.addedKey(tenantId), jobId)) === 1;
  }

  /**
   * Releases the ticket of a job that is not in Redis (`jobKey`, the job's hash) when its add() was
   * confirmed, or when it is ORPHAN_TICKET_MS old by Redis' clock (then its producer's confirm
   * fails). See RELEASE_ORPHAN for the answers.
   */
  async releaseOrphan(tenantId: string, jobId: string, jobKey: string): Promise<TOrphanRelease> {
    return (await this.redis.eval(
      RELEASE_ORPHAN,
      5,
      this.openKey(tenantId),
      this.addedKey(tenantId),
      this.unstoredKey(),
      this.orphanedKey(),
      jobKey,
      jobId,
      ORPHAN_TICKET_MS,
      ORPHAN_MEMORY_MS,
    )) as TOrphanRelease;
  }

  /** The lowest open ticket of the tenant below `ticket`, if any: the job that must be stored first. */
  async blockerOf(tenantId: string, ticket: number): Promise<TTicket | undefined> {
    const [jobId, score] = await this.redis.zrange(this.openKey(tenantId), '0', '0', 'WITHSCORES');
    if (jobId === undefined || Number(score) >= ticket) return undefined;
    return { ticket: Number(score), jobId };
  }

  /** When the job was acknowledged (ms, Redis' clock), or undefined when it is not listed. */
  async ackedAt(jobId: string): Promise<number | undefined> {
    const score = await this.redis.zscore(this.unstoredKey(), jobId);
    return score === null ? undefined : Number(score);
  }

  /** Age in ms of the oldest acknowledged job whose events are neither stored nor quarantined (0 when none). */
  async oldestUnstoredMs(): Promise<number> {
    const [, score] = await this.redis.zrange(this.unstoredKey(), '0', '0', 'WITHSCORES');
    // the score is Redis' clock (TAKE_TICKET), compared with this host's: a few ms of skew between
    // the two only shifts this metric by as much; it decides nothing
    return score === undefined ? 0 : Math.max(0, Date.now() - Number(score));
  }

  async pendingAmong(tenantId: string, eventIds: string[]): Promise<Set<string>> {
    const flags = await this.redis.smismember(this.pendingKey(tenantId), ...eventIds);
    return new Set(eventIds.filter((_, i) => flags[i] === 1));
  }
}
