import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chainHash, GENESIS_HASH, type TChainRecord } from '@modula/domain';
import type pg from 'pg';
import type { TestStack } from './stack.ts';

const ROOT = join(import.meta.dirname, '..');

/**
 * Plays a superuser who can disable the triggers: runs `attack`, then `check`, then puts the
 * tenant's rows, head and checkpoints back exactly as they were (also with triggers off).
 */
export async function asAttacker<T>(db: pg.Client, tenantId: string, attack: (db: pg.Client) => Promise<void>, check: () => Promise<T>): Promise<T> {
  await db.query('set session_replication_role = replica');
  await db.query('create temp table bak_events as select * from audit_events where tenant_id = $1', [tenantId]);
  await db.query('create temp table bak_heads as select * from chain_heads where tenant_id = $1', [tenantId]);
  await db.query('create temp table bak_checkpoints as select * from checkpoints where tenant_id = $1', [tenantId]);
  try {
    await attack(db);
    return await check();
  } finally {
    await db.query('delete from audit_events where tenant_id = $1', [tenantId]);
    await db.query('insert into audit_events select * from bak_events');
    await db.query('delete from chain_heads where tenant_id = $1', [tenantId]);
    await db.query('insert into chain_heads select * from bak_heads');
    await db.query('delete from checkpoints where tenant_id = $1', [tenantId]);
    await db.query('insert into checkpoints select * from bak_checkpoints');
    await db.query('drop table bak_events, bak_heads, bak_checkpoints');
    await db.query('set session_replication_role = origin');
  }
}

/** Runs the operator CLI as a user would (`pnpm --silent cli …`), against the test stack's servers. */
export function runCli(stack: TestStack, args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string; json: any } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'packages/cli/src/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...stack.env, ...env },
    timeout: 60_000,
  });
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Rows from `seq` on, as README "Hash chain" defines the hashed record (camelCase keys, UTC timestamps to the ms). */
export async function recordsFrom(c: pg.Client, tenantId: string, seq: number): Promise<TChainRecord[]> {
  const { rows } = await c.query(
    `select to_jsonb(e) - 'hash' - 'prev_hash' - 'occ' - 'rec' as r, occ, rec from (select *,
      to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occ,
      to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as rec
    from audit_events where tenant_id = $1 and seq >= $2) e order by seq`,
    [tenantId, seq],
  );
  return rows.map(
    ({ r, occ, rec }) =>
      Object.fromEntries(Object.entries({ ...r, occurred_at: occ, received_at: rec }).map(([k, v]) => [camel(k), v])) as unknown as TChainRecord,
  );
}

/** Edits event `seq`'s description and re-hashes it and every later row, then moves the head: a consistent rewrite. */
export async function rewriteFrom(c: pg.Client, tenantId: string, seq: number): Promise<void> {
  let prevHash =
    seq === 1 ? GENESIS_HASH : ((await c.query('select hash from audit_events where tenant_id = $1 and seq = $2', [tenantId, seq - 1])).rows[0].hash as string);
  for (const stored of await recordsFrom(c, tenantId, seq)) {
    const record = stored.seq === seq ? { ...stored, description: `${stored.description} (nothing to see here)` } : stored;
    const hash = chainHash(prevHash, record);
    await c.query('update audit_events set description = $3, prev_hash = $4, hash = $5 where tenant_id = $1 and seq = $2', [
      tenantId,
      record.seq,
      record.description,
      prevHash,
      hash,
    ]);
    prevHash = hash;
  }
  await c.query('update chain_heads set hash = $2 where tenant_id = $1', [tenantId, prevHash]);
}
