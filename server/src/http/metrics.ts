import { dbOf, sql, type Orm } from '@modula/db';
import { readCounters, type IngestQueue, type TRedis } from '@modula/queue';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics: what an operator alerts on (queue depth, failed jobs, quarantine, lag). */
export class IngestMetrics {
  readonly registry = new Registry();
  private readonly accepted = new Counter({
    name: 'audit_ingest_accepted_total',
    help: 'Events accepted and queued by this server',
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: 'audit_ingest_rejected_total',
    help: 'Events refused at ingestion (invalid input)',
    registers: [this.registry],
  });
  /** Sign-in attempts for an email no account has: no tenant's log can hold them, so they are counted here (and in the service log, by an HMAC of the email). */
  readonly signInUnknownAccount = new Counter({
    name: 'audit_signin_unknown_account_total',
    help: 'Sign-in attempts for an email no account has',
    registers: [this.registry],
  });
  /** Sign-in attempts refused by a limit: `address` and `global` before any lookup, `account` by an account's (or known device's) backoff or lock. */
  readonly signInThrottled = new Counter({
    name: 'audit_signin_throttled_total',
    help: 'Sign-in attempts refused by a limit, by limit',
    labelNames: ['limit'],
    registers: [this.registry],
  });

  constructor(orm: Orm, redis: TRedis, queue: IngestQueue, prefix: string) {
    collectDefaultMetrics({ register: this.registry, prefix: 'audit_server_' });
    const registers = [this.registry];
    new Gauge({
      name: 'audit_queue_jobs',
      help: 'Jobs of the ingest queue by state (failed > 0 needs an operator)',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await queue.counts();
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'audit_queue_lag_seconds',
      help: 'Age of the oldest waiting ingest job',
      registers,
      async collect() {
        this.set((await queue.lagMs()) / 1000);
      },
    });
    new Gauge({
      name: 'audit_oldest_unstored_seconds',
      help: 'Age of the oldest acknowledged event that is neither stored nor quarantined (alert when it passes a few minutes: work is stuck)',
      registers,
      async collect() {
        this.set((await queue.order.oldestUnstoredMs()) / 1000);
      },
    });
    new Gauge({
      name: 'audit_quarantine_open',
      help: 'Quarantined events not yet replayed',
      registers,
      async collect() {
        const r = await sql<{ n: string }>`select quarantine_open_total() as n`.execute(dbOf(orm.em.fork()));
        this.set(Number(r.rows[0]?.n ?? 0));
      },
    });
    new Gauge({
      name: 'audit_worker_events_total',
      help: 'Events handled by the workers, by result',
      labelNames: ['result'],
      registers,
      async collect() {
        const counters = await readCounters(redis, prefix);
        for (const [result, n] of Object.entries(counters)) this.set({ result }, n);
      },
    });
  }

  recordIngest(accepted: number, rejected: number): void {
    this.accepted.inc(accepted);
    this.rejected.inc(rejected);
  }
}
