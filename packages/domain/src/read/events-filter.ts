import type { TEventsFilter } from '@modula/contracts';
import { sql, type RawBuilder } from '@modula/db';

/** `%`, `_` and `\` in a search are literal characters, not patterns. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The WHERE conditions of a filter, all ANDed. Each has an index that leads with tenant_id and
 * ends with (occurred_at desc, seq desc), so the first page of a filter reads only its rows.
 * `from` and `to` are both inclusive.
 */
export function filterConditions(tenantId: string, f: TEventsFilter): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [sql`tenant_id = ${tenantId}`];
  if (f.from) where.push(sql`occurred_at >= ${f.from}::timestamptz`);
  if (f.to) where.push(sql`occurred_at <= ${f.to}::timestamptz`);
  if (f.branchIds?.length) where.push(sql`branch_id = any(${f.branchIds}::uuid[])`);
  if (f.modules?.length) where.push(sql`module = any(${f.modules}::text[])`);
  if (f.actions?.length) where.push(sql`action = any(${f.actions}::text[])`);
  if (f.actorIds?.length) where.push(sql`actor_id = any(${f.actorIds}::text[])`);
  if (f.outcomes?.length) where.push(sql`outcome = any(${f.outcomes}::text[])`);
  if (f.reasons?.length) where.push(sql`reason = any(${f.reasons}::text[])`);
  if (f.entityType) where.push(sql`entity_type = ${f.entityType}`);
  if (f.entityId) where.push(sql`entity_id = ${f.entityId}`);
  if (f.sessionId) where.push(sql`session_id = ${f.sessionId}`);
  if (f.search) {
    const p = likePattern(f.search);
    where.push(sql`(description ilike ${p} or entity_label ilike ${p} or actor_name ilike ${p})`);
  }
  return where;
}
