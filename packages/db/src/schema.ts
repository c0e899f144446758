import { DateTimeType, UnderscoreNamingStrategy, type InferEntity } from '@mikro-orm/core';
import type { InferKyselyDB } from '@mikro-orm/sql';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { AuditEvent } from './entities/audit-event.entity.ts';
import type { ENTITIES } from './entities/index.ts';
import type { Em } from './orm.ts';

/**
 * The tables as Kysely types them, inferred from the MikroORM entities: the one definition of
 * each table that queries, row types and mappers share (tables without an entity stay raw SQL).
 */
export type TDatabase = InferKyselyDB<(typeof ENTITIES)[number]>;

/**
 * The Kysely of an entity manager (bound to its transaction), typed by TDatabase. Its query builder
 * converts values as the entities type them (bigint as number, timestamptz as Date), so a row is
 * what its type says; raw `sql` keeps the driver's values (bigint and timestamps as text).
 */
export type Db = Kysely<TDatabase>;
export function dbOf(em: Em): Db {
  return em.getKysely<TDatabase>({ convertValues: true });
}

type TAuditEventEntity = InferEntity<typeof AuditEvent>;
/** A property of AuditEvent: the camelCase key the chain's record gives its column. */
export type TAuditEventProperty = Exclude<keyof TAuditEventEntity, symbol>;
export type TAuditEventColumn = keyof TDatabase['audit_events'] & string;

/** A stored event with every column under its property name, timestamps as ISO text (the record the chain hashes, plus prevHash and hash). */
export type TAuditEventRecord = { [K in TAuditEventProperty]-?: RecordValue<Exclude<TAuditEventEntity[K], undefined>> };
type RecordValue<V> = V extends Date ? string : V;

/** A row selected with AUDIT_EVENT_RECORD_SELECT, as the driver hands it back: bigint columns arrive as decimal text. */
export type TAuditEventRecordRow = { [K in TAuditEventProperty]-?: SelectedValue<TAuditEventRecord[K]> };
type SelectedValue<V> = V extends number ? number | string : V;

export interface TAuditEventField {
  property: TAuditEventProperty;
  column: TAuditEventColumn;
  /** timestamptz: selected as `YYYY-MM-DDTHH:mm:ss.sssZ`, the form the record hashes. */
  timestamp: boolean;
}

const naming = new UnderscoreNamingStrategy();

/** Every column of audit_events, in the entity's order, derived from the entity: written nowhere else. */
export const AUDIT_EVENT_FIELDS: readonly TAuditEventField[] = Object.entries(AuditEvent.meta.properties).map(([property, prop]) => ({
  property: property as TAuditEventProperty,
  column: naming.propertyToColumnName(property) as TAuditEventColumn,
  // p.datetime() records its type class (typed as a name here, before discovery resolves it)
  timestamp: (prop.type as unknown) === DateTimeType,
}));

export const AUDIT_EVENT_COLUMNS: readonly TAuditEventColumn[] = AUDIT_EVENT_FIELDS.map((f) => f.column);

/** `tenant_id, seq, …`: the column list of an INSERT or COPY into audit_events. */
export const AUDIT_EVENT_COLUMN_LIST = AUDIT_EVENT_COLUMNS.join(', ');

/** A timestamp column as `YYYY-MM-DDTHH:mm:ss.sssZ` (the driver hands timestamps back as text in its own format). */
export function isoUtcText(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The select list that gives a TAuditEventRecordRow: each column under its property name, timestamps as the record writes them. */
export const AUDIT_EVENT_RECORD_SELECT_LIST = AUDIT_EVENT_FIELDS.map((f) => `${f.timestamp ? isoUtcText(f.column) : f.column} as "${f.property}"`).join(', ');
export const AUDIT_EVENT_RECORD_SELECT: RawBuilder<unknown> = sql.raw(AUDIT_EVENT_RECORD_SELECT_LIST);

/** A record keyed by column, for a JSON row that json_populate_recordset(null::audit_events, …) reads. */
export function auditEventColumnsOf(record: TAuditEventRecord): Record<TAuditEventColumn, unknown> {
  const row: Partial<Record<TAuditEventColumn, unknown>> = {};
  for (const f of AUDIT_EVENT_FIELDS) row[f.column] = record[f.property];
  return row as Record<TAuditEventColumn, unknown>;
}
