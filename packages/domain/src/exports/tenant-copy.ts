import type { Readable } from 'node:stream';
import { APP_ROLE, type Orm } from '@modula/db';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * `COPY (query) TO STDOUT` as the tenant sees it: one transaction on a connection of the ORM's
 * own pool, as the runtime role with the tenant set transaction-locally — the same context
 * `withTenant` gives (row-level security applies to the query form of COPY). PostgreSQL formats
 * the rows; the caller reads raw bytes, so no row ever becomes an object in this process.
 * COPY takes no bind parameters: `query` must already hold its values as literals (inlineParameters).
 */
export async function copyOutAsTenant(orm: Orm, tenantId: string, query: string, consume: (bytes: Readable) => Promise<void>): Promise<void> {
  const pool = await orm.driver.getConnection().getNativeClient();
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set local role ${APP_ROLE}`);
    await client.query(`select set_config('app.tenant_id', $1, true)`, [tenantId]);
    await consume(client.query(copyTo(`copy (${query}) to stdout with (format csv)`)));
    await client.query('commit');
  } catch (err) {
    broken = err as Error;
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    // a connection left mid-COPY cannot be reused: give it back as broken so the pool discards it
    client.release(broken);
  }
}

const QUOTED_OR_PARAMETER = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g;

/** A compiled query with its `$n` parameters written in as SQL literals (quoted by pg's own escapeLiteral). */
export function inlineParameters(compiled: { sql: string; parameters: readonly unknown[] }): string {
  return compiled.sql.replace(QUOTED_OR_PARAMETER, (match, n: string | undefined) => (n === undefined ? match : literal(compiled.parameters[Number(n) - 1])));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  if (Array.isArray(value)) return `array[${value.map(literal).join(', ')}]`;
  throw new Error(`cannot write ${typeof value} as an SQL literal`);
}
