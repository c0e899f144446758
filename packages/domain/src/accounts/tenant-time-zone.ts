import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { AppError } from '../app-error.ts';

/** The zone a tenant has not chosen one: UTC, which every reader can convert from. */
export const DEFAULT_TIME_ZONE = 'UTC';

/**
 * An IANA zone name in its canonical spelling (`europe/madrid` → `Europe/Madrid`), or null when
 * JavaScript's time zone database does not know it. PostgreSQL must know it too (setTenantTimeZone
 * asks): the CSV's local times are computed there, the PDF's here.
 */
export function canonicalTimeZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export async function tenantTimeZone(db: Db, tenantId: string): Promise<string> {
  const row = (await sql<{ time_zone: string }>`select time_zone from tenants where id = ${tenantId}`.execute(db)).rows[0];
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}

/** Sets the tenant's time zone; answers the previous and the new one (canonical spelling). */
export async function setTenantTimeZone(orm: Orm, tenantId: string, zone: string): Promise<{ previous: string; timeZone: string }> {
  const timeZone = canonicalTimeZone(zone.trim());
  if (timeZone === null)
    throw new AppError('VALIDATION_FAILED', `unknown time zone ${JSON.stringify(zone)}: give an IANA name such as Europe/Madrid or America/Mexico_City`);
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const known = (await sql<{ ok: boolean }>`select exists (select 1 from pg_timezone_names where name = ${timeZone}) as ok`.execute(db)).rows[0]!.ok;
    if (!known) throw new AppError('VALIDATION_FAILED', `PostgreSQL does not know the time zone ${timeZone}`);
    const previous = (await sql<{ time_zone: string }>`select time_zone from tenants where id = ${tenantId} for update`.execute(db)).rows[0]?.time_zone;
    if (previous === undefined) throw new AppError('NOT_FOUND', `no tenant ${tenantId}`);
    await sql`update tenants set time_zone = ${timeZone} where id = ${tenantId}`.execute(db);
    return { previous, timeZone };
  });
}
