/** The role every runtime transaction switches to (`set local role`): no UPDATE/DELETE/TRUNCATE on the log. */
export const APP_ROLE = 'modula_audit_app';
