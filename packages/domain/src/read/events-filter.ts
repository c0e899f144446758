import type { TEventsFilter } from '@modula/contracts';
import { sql, type RawBuilder } from '@modula/db';

/** `%`, `_` and `\` in a search are literal characters, not patterns. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The offset that ends a reader's date-time (ZReadTimestamp): `Z` or `±hh:mm`. */
const OFFSET = /(?:Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * A reader's ISO date-time (ZReadTimestamp) as the timestamptz it names. Not `::timestamptz` of the
 * text: PostgreSQL refuses offsets beyond ±15:59, which ISO-8601 and RFC 3339 allow (up to ±23:59).
 * The date and time are read as written (their year and fraction kept) and the offset subtracted.
 */
export function readInstant(iso: string): RawBuilder<unknown> {
  const m = OFFSET.exec(iso);
  const local = m ? iso.slice(0, m.index) : iso;
  const minutes = m?.[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return sql`((${local}::timestamp - make_interval(mins => ${minutes}::int)) at time zone 'UTC')`;
}

/**
 * `column = value` for one value, `= any(array)` for several: PostgreSQL 15 can walk an index in
 * (occurred_at, seq) order under an equality, not under `= any(...)`, so the common single-value
 * filter stays a scan that stops after one page.
 */
function oneOf(column: string, values: readonly string[], type: 'text' | 'uuid' = 'text'): RawBuilder<unknown> {
  const col = sql.ref(column);
  if (values.length === 1) return type === 'uuid' ? sql`${col} = ${values[0]}::uuid` : sql`${col} = ${values[0]}`;
  return type === 'uuid' ? sql`${col} = any(${values}::uuid[])` : sql`${col} = any(${values}::text[])`;
}

/** `column` is none of `values`; a row without a value (null) is kept: "not this user" keeps the system's events. */
function noneOf(column: string, values: readonly string[]): RawBuilder<unknown> {
  const col = sql.ref(column);
  return values.length === 1 ? sql`(${col} is null or ${col} <> ${values[0]})` : sql`(${col} is null or ${col} <> all(${values}::text[]))`;
}

/**
 * The conditions of the filter's dimensions that event_hour_counts keeps as columns of the same
 * names (branch, module, action, actor, outcome, reason, role, and the negations of action and
 * actor): the log and the timeline's counts are filtered by the same code.
 */
export function dimensionConditions(f: TEventsFilter): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (f.branchIds?.length) where.push(oneOf('branch_id', f.branchIds, 'uuid'));
  if (f.modules?.length) where.push(oneOf('module', f.modules));
  if (f.actions?.length) where.push(oneOf('action', f.actions));
  if (f.actorIds?.length) where.push(oneOf('actor_id', f.actorIds));
  if (f.outcomes?.length) where.push(oneOf('outcome', f.outcomes));
  if (f.reasons?.length) where.push(oneOf('reason', f.reasons));
  if (f.roles?.length) where.push(oneOf('actor_role', f.roles));
  // an action is never null; "not this action" is a plain <>
  if (f.excludeActions?.length) where.push(sql`action <> all(${f.excludeActions}::text[])`);
  if (f.excludeActorIds?.length) where.push(noneOf('actor_id', f.excludeActorIds));
  return where;
}

/** Filter fields that event_hour_counts has no column for: a timeline of them counts the log itself. */
export const LOG_ONLY_FIELDS = [
  'entityType',
  'entityId',
  'sessionId',
  'credential',
  'search',
  'ips',
  'deviceIds',
] as const satisfies readonly (keyof TEventsFilter)[];

/**
 * The WHERE conditions of a filter, all ANDed. Each has an index that leads with tenant_id and
 * ends with (occurred_at desc, seq desc), so the first page of a filter reads only its rows (role
 * and the negations are checked on the walk of another index: they keep most rows).
 * `from` and `to` are both inclusive.
 */
export function filterConditions(tenantId: string, f: TEventsFilter): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [sql`tenant_id = ${tenantId}`];
  if (f.from) where.push(sql`occurred_at >= ${readInstant(f.from)}`);
  if (f.to) where.push(sql`occurred_at <= ${readInstant(f.to)}`);
  where.push(...dimensionConditions(f));
  if (f.entityType) where.push(sql`entity_type = ${f.entityType}`);
  if (f.entityId) where.push(sql`entity_id = ${f.entityId}`);
  if (f.sessionId) where.push(sql`session_id = ${f.sessionId}`);
  if (f.credential) where.push(sql`credential = ${f.credential}`);
  if (f.ips?.length) where.push(oneOf('ip', f.ips));
  if (f.deviceIds?.length) where.push(oneOf('device_id', f.deviceIds));
  if (f.search) {
    const p = likePattern(f.search);
    where.push(sql`(description ilike ${p} or entity_label ilike ${p} or actor_name ilike ${p})`);
  }
  return where;
}
