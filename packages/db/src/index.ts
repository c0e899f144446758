export * from './entities/index.ts';
export { createOrm, migrate, type Orm, type Em } from './orm.ts';
export {
  dbOf,
  AUDIT_EVENT_FIELDS,
  AUDIT_EVENT_COLUMNS,
  AUDIT_EVENT_COLUMN_LIST,
  AUDIT_EVENT_RECORD_SELECT,
  AUDIT_EVENT_RECORD_SELECT_LIST,
  auditEventColumnsOf,
  isoUtcText,
  type Db,
  type TDatabase,
  type TAuditEventRecord,
  type TAuditEventRecordRow,
  type TAuditEventProperty,
  type TAuditEventColumn,
  type TAuditEventField,
} from './schema.ts';
export { withTenant, withNoTenant, withTenantAsOwner, withTenantSnapshot, withTenantConnection } from './tenant-scope.ts';
export { APP_ROLE, MAINTENANCE_ROLE } from './roles.ts';
export { assertLeastPrivilegedLogin } from './runtime-login.ts';
export { NotStarting } from './not-starting.ts';
export { sql, type RawBuilder } from 'kysely';
