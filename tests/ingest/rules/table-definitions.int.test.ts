import { AUDIT_EVENT_FIELDS, createOrm, type Orm } from '@modula/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../testing/database.ts';

/**
 * The entities of @modula/db are the one definition of the tables the ingest path writes: every
 * query's column list and row type derives from them, so they must name exactly the migrated columns.
 */
describe('the table definitions', () => {
  let orm: Orm;
  let db: pg.Client;
  const columnsOf = async (table: string) =>
    (
      await db.query<{ column_name: string; data_type: string }>(
        'select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1',
        [table],
      )
    ).rows;

  beforeAll(async () => {
    const { url } = await createTestDatabase();
    orm = await createOrm({ url, poolMax: 2 });
    db = new pg.Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await orm?.close(true);
  });

  it('name every column of each table the worker writes, and nothing else', async () => {
    const written = ['audit_events', 'quarantined_events', 'freeze_transitions', 'branches', 'chain_heads'];
    const metas = [...orm.getMetadata().getAll().values()].filter((m) => written.includes(m.tableName));
    expect(metas.map((m) => m.tableName).sort()).toEqual([...written].sort());
    for (const meta of metas) {
      const defined = meta.props.flatMap((p) => p.fieldNames).sort();
      expect({ table: meta.tableName, columns: defined }).toEqual({
        table: meta.tableName,
        columns: (await columnsOf(meta.tableName)).map((c) => c.column_name).sort(),
      });
    }
  });

  it('give audit_events its columns, and its timestamps as the timestamptz columns', async () => {
    const columns = await columnsOf('audit_events');
    expect([...AUDIT_EVENT_FIELDS.map((f) => f.column)].sort()).toEqual(columns.map((c) => c.column_name).sort());
    expect(
      AUDIT_EVENT_FIELDS.filter((f) => f.timestamp)
        .map((f) => f.column)
        .sort(),
    ).toEqual(
      columns
        .filter((c) => c.data_type === 'timestamp with time zone')
        .map((c) => c.column_name)
        .sort(),
    );
  });
});
