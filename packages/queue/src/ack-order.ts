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
 * server died, or Redis with it, before it could release the ticket). Dropping it early cannot break
 * the order: a job that is not in Redis yet has not been acknowledged, so whatever a later ticket's
 * job (already queued, hence acknowledged) stores first was acknowledged first. The wait only keeps
 * an add() that is still under way listed as unstored.
 */
export const ORPHAN_TICKET_MS = 5_000;

/** INCR the tenant's ticket, open it, list the job as unstored, mark its events pending: one round trip. */
const TAKE_TICKET = `
local ticket = redis.call('INCR', KEYS[1])
local jobId = ARGV[2] .. ticket .. ARGV[3]
redis.call('ZADD', KEYS[2], ticket, jobId)
redis.call('ZADD', KEYS[3], ARGV[1], jobId)
for i = 4, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
return {ticket, jobId}`;

/**
 * Close the ticket, unlist the job, unmark its events: one script rather than MULTI, because a full
 * Redis (maxmemory, noeviction) refuses to queue any command of a MULTI, and a failed add on a full
 * Redis is exactly when a ticket must be released. ZREM and SREM free memory: a script may run them.
 */
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for i = 2, #ARGV, 500 do redis.call('SREM', KEYS[3], unpack(ARGV, i, math.min(i + 499, #ARGV))) end
return 1`;

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

  /** Takes the next ticket of the tenant and the job id that goes with it; marks the events pending. */
  async take(tenantId: string, ackAtMs: number, eventIds: string[]): Promise<TTicket> {
    const salt = randomBytes(4).toString('hex');
    const [ticket, jobId] = (await this.redis.eval(
      TAKE_TICKET,
      4,
      this.counterKey(tenantId),
      this.openKey(tenantId),
      this.unstoredKey(),
      this.pendingKey(tenantId),
      ackAtMs,
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
    await this.redis.eval(RELEASE, 3, this.openKey(tenantId), this.unstoredKey(), this.pendingKey(tenantId), jobId, ...doneEventIds);
  }

  /** Closes only the ticket: later jobs of the tenant may go on, while the job stays unstored (a job failed for good). */
  async closeTicket(tenantId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.openKey(tenantId), jobId);
  }

  /** The lowest open ticket of the tenant below `ticket`, if any: the job that must be stored first. */
  async blockerOf(tenantId: string, ticket: number): Promise<TTicket | undefined> {
    const [jobId, score] = await this.redis.zrange(this.openKey(tenantId), '0', '0', 'WITHSCORES');
    if (jobId === undefined || Number(score) >= ticket) return undefined;
    return { ticket: Number(score), jobId };
  }

  /** When the job was acknowledged (ms), or undefined when it is not listed. */
  async ackedAt(jobId: string): Promise<number | undefined> {
    const score = await this.redis.zscore(this.unstoredKey(), jobId);
    return score === null ? undefined : Number(score);
  }

  /** Age in ms of the oldest acknowledged job whose events are neither stored nor quarantined (0 when none). */
  async oldestUnstoredMs(): Promise<number> {
    const [, score] = await this.redis.zrange(this.unstoredKey(), '0', '0', 'WITHSCORES');
    return score === undefined ? 0 : Math.max(0, Date.now() - Number(score));
  }

  async pendingAmong(tenantId: string, eventIds: string[]): Promise<Set<string>> {
    const flags = await this.redis.smismember(this.pendingKey(tenantId), ...eventIds);
    return new Set(eventIds.filter((_, i) => flags[i] === 1));
  }
}
