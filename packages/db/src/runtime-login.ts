import { sql } from 'kysely';
import type { Orm } from './orm.ts';
import { NotStarting } from './not-starting.ts';
import { dbOf } from './schema.ts';

/**
 * The service refuses to run as a login that could undo the database's own protections: a
 * superuser, a role with CREATEROLE (in PostgreSQL 15 it can grant itself pg_execute_server_program),
 * one that bypasses row-level security, or the owner of the tables (who may disable their triggers
 * and replace their functions, even after RESET ROLE). Migrations run as the owner; the server, the
 * worker and the CLI as the least-privileged `modula_audit_app`.
 */
export async function assertLeastPrivilegedLogin(orm: Orm): Promise<void> {
  const row = (
    await sql<{ name: string; rolsuper: boolean; rolcreaterole: boolean; rolbypassrls: boolean; owns: boolean }>`
    select r.rolname as name, r.rolsuper, r.rolcreaterole, r.rolbypassrls,
      exists (select 1 from pg_tables t where t.schemaname = 'public' and t.tableowner = r.rolname) as owns
    from pg_roles r where r.rolname = session_user`.execute(dbOf(orm.em.fork()))
  ).rows[0];
  if (!row) throw new Error('DATABASE_URL: cannot read the login role');
  const problems = [
    row.rolsuper && 'is a superuser',
    row.rolcreaterole && 'has CREATEROLE',
    row.rolbypassrls && 'bypasses row-level security',
    row.owns && 'owns the tables',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new NotStarting(
      `DATABASE_URL logs in as ${row.name}, which ${problems.join(', ')}: the service runs only as its least-privileged login ` +
        '(modula_audit_app; `npm start` creates it). Run migrations with DATABASE_OWNER_URL and give the service the runtime login (README "Database roles").',
    );
  }
}
