import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * A fresh database cloned from the migrated template: each test file gets its own schema. `url` is
 * the runtime's own login (as server, worker and CLI use it), `ownerUrl` the owner's (migrations).
 */
export async function createTestDatabase(): Promise<{ url: string; ownerUrl: string; name: string; superuserUrl: string }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('superuserUrl') });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template modula_template owner modula_audit`);
    // a clone gets a default ACL, not its template's: take TEMP from PUBLIC as the migration did
    await admin.query(`revoke temporary on database ${name} from public`);
  } finally {
    await admin.end();
  }
  const inDatabase = (template: string) => {
    const url = new URL(template);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    url: inDatabase(inject('appUrlTemplate')),
    ownerUrl: inDatabase(inject('ownerUrlTemplate')),
    name,
    superuserUrl: inDatabase(inject('superuserUrl')),
  };
}

/** A plain client for assertions and for playing an attacker (superuser or owner). */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** One query on its own connection (opened and closed here): for assertions as the superuser, say. */
export async function queryRows<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = await connect(url);
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A login of its own granted the maintenance role (noinherit), as an operator creates one for
 * retention (README "Storage at scale"): `url` reaches the owner's database as it; `drop` removes it.
 */
export async function createMaintenanceLogin(superuserUrl: string, ownerUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const login = `t_maint_${randomBytes(4).toString('hex')}`;
  await queryRows(superuserUrl, `create role ${login} login password 'maint' noinherit`);
  await queryRows(superuserUrl, `grant modula_audit_maintenance to ${login}`);
  const url = new URL(ownerUrl);
  url.username = login;
  url.password = 'maint';
  return { url: url.toString(), drop: async () => void (await queryRows(superuserUrl, `drop role if exists ${login}`).catch(() => {})) };
}
