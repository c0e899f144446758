import { SYSTEM_PROVENANCE, type TAuditEventInput, type TIngestJob } from '@modula/contracts';
import { createOrm, withTenant, type Orm } from '@modula/db';
import { createTenant, judgeEvents } from '@modula/domain';
import type pg from 'pg';
import { storeBatch, type TStoreOutcome } from '../packages/domain/src/ingest/store-batch.ts';
import { connect, createTestDatabase } from './database.ts';

/**
 * Medium tests of the worker's rules: a real PostgreSQL database of the test file's own (the
 * migrated schema, row-level security, triggers, the runtime role), and storeBatch called directly
 * in the transaction the worker gives it — no HTTP, no queue, no worker process.
 */
export interface TRulesDatabase {
  /** The runtime's ORM, logged in as the worker logs in. */
  orm: Orm;
  /** A superuser connection, for assertions on what was written (it sees every tenant). */
  db: pg.Client;
  newTenant(name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function openRulesDatabase(): Promise<TRulesDatabase> {
  const { url, superuserUrl } = await createTestDatabase();
  const orm = await createOrm({ url, poolMax: 6 });
  const db = await connect(superuserUrl);
  return {
    orm,
    db,
    newTenant: async (name = 'Rules') => (await createTenant(orm, name)).tenantId,
    close: async () => {
      await db.end();
      await orm.close(true);
    },
  };
}

/** The job the server would queue for these events: judged as at acceptance (validated, redacted, normalised). */
export function jobOf(tenantId: string, events: TAuditEventInput[], receivedAt = new Date().toISOString()): TIngestJob {
  const { accepted, rejected } = judgeEvents(events, { kind: 'system' });
  if (rejected.length > 0) throw new Error(`not a valid event: ${JSON.stringify(rejected)}`);
  return { v: 1, tenantId, receivedAt, events: accepted.map((a) => a.event), branchWaits: 0, provenance: SYSTEM_PROVENANCE };
}

/** storeBatch as the worker runs it: one transaction as the runtime role with the tenant set. */
export function storeJob(orm: Orm, job: TIngestJob, { lastBranchWait = false } = {}): Promise<TStoreOutcome> {
  return withTenant(orm, job.tenantId, (em) => storeBatch(em, job, { lastBranchWait }));
}

/** Judges and stores events of one tenant in one batch. */
export function storeEvents(orm: Orm, tenantId: string, events: TAuditEventInput[], opts: { lastBranchWait?: boolean } = {}): Promise<TStoreOutcome> {
  return storeJob(orm, jobOf(tenantId, events), opts);
}

export interface TStoredEventRow {
  seq: number;
  event_id: string;
  outcome: string;
  reason: string | null;
  claimed_outcome: string;
  prev_hash: string;
  hash: string;
}

/** The tenant's stored events in seq order, as written. */
export async function storedRows(db: pg.Client, tenantId: string): Promise<TStoredEventRow[]> {
  const r = await db.query(
    `select seq::int as seq, event_id, outcome, reason, claimed_outcome, prev_hash, hash
    from audit_events where tenant_id = $1 order by seq`,
    [tenantId],
  );
  return r.rows;
}

/** The tenant's quarantined events, oldest first. */
export async function quarantinedRows(db: pg.Client, tenantId: string): Promise<{ event_id: string; reason: string; detail: string }[]> {
  return (await db.query('select event_id, reason, detail from quarantined_events where tenant_id = $1 order by quarantined_at, id', [tenantId])).rows;
}

export async function chainHead(db: pg.Client, tenantId: string): Promise<{ seq: number; hash: string } | undefined> {
  return (await db.query('select seq::int as seq, hash from chain_heads where tenant_id = $1', [tenantId])).rows[0];
}
