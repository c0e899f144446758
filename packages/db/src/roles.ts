/** The role every runtime transaction switches to (`set local role`): no UPDATE/DELETE/TRUNCATE on the log. */
export const APP_ROLE = 'modula_audit_app';

/**
 * NOLOGIN; holds only EXECUTE on remove_tenant_rows (retention and offboarding). Granted to the owner
 * and, when an operator wants one, to a dedicated login: never to the runtime.
 */
export const MAINTENANCE_ROLE = 'modula_audit_maintenance';
