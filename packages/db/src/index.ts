export * from './entities/index.ts';
export { createOrm, migrate, withTenant, withTenantAsOwner, withNoTenant, dbOf, type Orm, type Em, type Db } from './orm.ts';
export { APP_ROLE } from './roles.ts';
export { assertLeastPrivilegedLogin } from './runtime-login.ts';
export { sql, type RawBuilder } from 'kysely';
