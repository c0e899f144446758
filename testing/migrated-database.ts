import { randomBytes } from 'node:crypto';
import { createOrm, type Orm } from '@modula/db';
import pg from 'pg';
import { inject } from 'vitest';

export interface TMigratedDatabase {
  /** The owner's ORM: `owner.migrator.up()` runs the migrations after `before`. */
  owner: Orm;
  /** A superuser connection to it, to give it rows as an earlier version left them. */
  su: pg.Client;
  superuserUrl: string;
  drop(): Promise<void>;
}

/**
 * A database of its own, migrated up to the migration `before` and no further: the schema an
 * earlier version left, for a test of what a later migration does to its rows.
 */
export async function databaseMigratedTo(before: string): Promise<TMigratedDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const inDb = (template: string) => {
    const u = new URL(template);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const asSuperuser = async (statement: string) => {
    const admin = new pg.Client({ connectionString: inject('superuserUrl') });
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  await asSuperuser(`create database ${name} owner modula_audit`);
  await asSuperuser(`revoke temporary on database ${name} from public`);
  const owner = await createOrm({ url: inDb(inject('ownerUrlTemplate')), poolMax: 2 });
  await owner.migrator.up({ to: before });
  const superuserUrl = inDb(inject('superuserUrl'));
  const su = new pg.Client({ connectionString: superuserUrl });
  await su.connect();
  return {
    owner,
    su,
    superuserUrl,
    async drop() {
      await su.end();
      await owner.close(true);
      await asSuperuser(`drop database if exists ${name} with (force)`);
    },
  };
}
