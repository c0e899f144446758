import type { Readable } from 'node:stream';
import { withTenantConnection, type Orm } from '@modula/db';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * `COPY (query) TO STDOUT` as the tenant sees it, in the context withTenantConnection gives (the
 * runtime role, the tenant set transaction-locally, one read-only snapshot). PostgreSQL formats
 * the rows; the caller reads raw bytes, so no row ever becomes an object in this process.
 * COPY takes no bind parameters: `query` must already hold its values as literals (inlineParameters).
 */
export async function copyOutAsTenant(orm: Orm, tenantId: string, query: string, consume: (bytes: Readable) => Promise<void>): Promise<void> {
  await withTenantConnection(orm, tenantId, (client) => consume(client.query(copyTo(`copy (${query}) to stdout with (format csv)`))));
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
