import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@modula/db';
import { findFreePort, startPostgres, type LocalPostgres } from '@modula/devservers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';

/**
 * `npm start`'s local PostgreSQL gives retention a login of its own (DESIGN, Storage: only a
 * maintenance role, through one function, may remove rows): `modula_audit_maint`, which the worker
 * alone receives. It may call remove_tenant_rows — whose own checks then refuse an unsigned cut —
 * and nothing else: no reading, writing or deleting of the log, no owner's rights.
 */
let postgres: LocalPostgres;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modula-maint-'));
  chmodSync(dir, 0o755);
  postgres = await startPostgres({ dataDir: dir, port: await findFreePort(), fsync: false });
  await migrate(postgres.url);
  await postgres.grantMaintenance();
});
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

const asMaintenance = (text: string) => queryRows(postgres.maintenanceUrl, text);

describe("the local cluster's maintenance login", () => {
  it('holds the maintenance role (without inheriting it) and no attribute beyond LOGIN', async () => {
    const [role] = await queryRows<Record<string, boolean>>(
      postgres.superuserUrl,
      `select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolinherit, pg_has_role('modula_audit_maint', 'modula_audit_maintenance', 'member') as member,
        pg_has_role('modula_audit_maint', 'modula_audit', 'member') as owner from pg_roles where rolname = 'modula_audit_maint'`,
    );
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolinherit: false, member: true, owner: false });
  });

  it('reaches remove_tenant_rows once it takes the role, and the function refuses a cut with no signed checkpoint or archive', async () => {
    const call = asMaintenance(
      `set role modula_audit_maintenance; select remove_tenant_rows('00000000-0000-4000-8000-000000000001'::uuid, 10, '{}'::jsonb, '{}'::jsonb)`,
    );
    await expect(call).rejects.toThrow();
    await expect(call).rejects.not.toThrow(/permission denied/);
  });

  for (const statement of [
    `select remove_tenant_rows('00000000-0000-4000-8000-000000000001'::uuid, 10, '{}'::jsonb, '{}'::jsonb)`,
    'set role modula_audit; select 1',
    'select count(*) from audit_events',
    `delete from audit_events where tenant_id = '00000000-0000-4000-8000-000000000001'`,
    'truncate audit_events',
    'select count(*) from users',
  ]) {
    it(`may not run: ${statement}`, async () => {
      await expect(asMaintenance(statement)).rejects.toThrow(/permission denied/);
    });
  }
});
