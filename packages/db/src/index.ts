export * from './entities/index.ts';
export { createOrm, migrate, withTenant, withTenantAsOwner, type Orm, type Em } from './orm.ts';
export { APP_ROLE } from './roles.ts';
export { sql } from 'kysely';
