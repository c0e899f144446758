import {
  attemptsOf,
  describeAuditEvent,
  failureText,
  NO_TARGET,
  templateParts,
  type TAction,
  type TDenialReason,
  type TSentenceEvent,
} from '@modula/contracts';

/**
 * An event's sentence in Spanish, built as describeAuditEvent builds the English one (which stays
 * the text of exports): a SUCCESS reads as done, anything else as an attempt with what became of it.
 * Keyed by action like the catalog; a free-text failure a device sent is shown as sent.
 */

/** What each action did, in the past (`{actor}`, `{target}` as in the catalog's descriptions). */
export const DONE_ES = {
  BRANCH_PROVISIONED: '{actor} dio de alta la sucursal {target}',
  BRANCH_UPDATED: '{actor} actualizó la sucursal {target}',
  BRANCH_FROZEN: '{actor} congeló la sucursal {target}',
  BRANCH_UNFROZEN: '{actor} descongeló la sucursal {target}',
  TENANT_FROZEN: '{actor} congeló el negocio',
  TENANT_UNFROZEN: '{actor} descongeló el negocio',
  LOGIN_SUCCESS: '{actor} inició sesión',
  LOGIN_FAILED: 'Inicio de sesión fallido de {actor}',
  LOGOUT: '{actor} cerró sesión',
  ROLE_CHANGED: '{actor} cambió el rol de {target}',
  TWO_FACTOR_ENABLED: '{actor} activó la verificación en dos pasos',
  TWO_FACTOR_DISABLED: '{actor} desactivó la verificación en dos pasos',
  PASSWORD_CHANGED: '{actor} cambió su contraseña',
  USER_CREATED: '{actor} creó la cuenta {target}',
  USER_DISABLED: '{actor} desactivó la cuenta {target}',
  USER_UNLOCKED: '{actor} desbloqueó la cuenta {target}',
  TWO_FACTOR_RESET: '{actor} restableció la verificación en dos pasos de {target}',
  SALE_FINALIZED: '{actor} cerró la venta {target}',
  VOID_REQUESTED: '{actor} solicitó la anulación de {target}',
  VOID_APPROVED: '{actor} aprobó la anulación de {target}',
  VOID_REJECTED: '{actor} rechazó la anulación de {target}',
  ORDER_STATUS_CHANGED: '{actor} cambió el estado del pedido {target}',
  ORDER_CANCELLED_BY_VOID: 'El pedido {target} se canceló por una anulación ({actor})',
  CASH_SESSION_OPENED: '{actor} abrió la sesión de caja {target}',
  CASH_SESSION_CLOSED: '{actor} cerró la sesión de caja {target}',
  CASH_SESSION_FORCE_CLOSED: '{actor} forzó el cierre de la sesión de caja {target}',
  CASH_PAID_IN: '{actor} ingresó efectivo en {target}',
  CASH_PAID_OUT_REQUESTED: '{actor} solicitó una salida de efectivo de {target}',
  CASH_PAID_OUT_APPROVED: '{actor} aprobó una salida de efectivo de {target}',
  CASH_PAID_OUT_REJECTED: '{actor} rechazó una salida de efectivo de {target}',
  CASH_ADJUSTMENT_POSTED: '{actor} registró un ajuste de caja en {target}',
  CHECK_IN_CREATED: '{actor} fichó la entrada',
  CHECK_OUT_CREATED: '{actor} fichó la salida',
  CHECK_OUT_FORCED: '{actor} forzó la salida de {target}',
  POLICY_UPDATED: '{actor} actualizó la política {target}',
  MENU_ITEM_CREATED: '{actor} creó el producto de carta {target}',
  MENU_ITEM_UPDATED: '{actor} actualizó el producto de carta {target}',
  MENU_ITEM_ARCHIVED: '{actor} archivó el producto de carta {target}',
  MODIFIER_GROUP_CREATED: '{actor} creó el grupo de modificadores {target}',
  MODIFIER_GROUP_UPDATED: '{actor} actualizó el grupo de modificadores {target}',
  STOCK_ITEM_CREATED: '{actor} creó el artículo de inventario {target}',
  STOCK_ITEM_UPDATED: '{actor} actualizó el artículo de inventario {target}',
  STOCK_ITEM_ARCHIVED: '{actor} archivó el artículo de inventario {target}',
  RESTOCK_BATCH_CREATED: '{actor} creó el lote de reposición {target}',
  INVENTORY_JOURNAL_POSTED: '{actor} registró el diario de inventario {target}',
  DISCOUNT_CREATED: '{actor} creó el descuento {target}',
  DISCOUNT_UPDATED: '{actor} actualizó el descuento {target}',
  DISCOUNT_DISABLED: '{actor} desactivó el descuento {target}',
  DISCOUNT_ASSIGNMENT_CHANGED: '{actor} cambió la asignación del descuento {target}',
  AI_RECOMMENDATION_ACCEPTED: '{actor} aceptó la recomendación de IA {target}',
  AI_RECOMMENDATION_REJECTED: '{actor} rechazó la recomendación de IA {target}',
  AI_ACTION_EXECUTED: 'Acción de IA {target} ejecutada ({actor})',
  AUDIT_EXPORT_CREATED: '{actor} exportó el registro de auditoría ({target})',
  AUDIT_LOG_VIEWED: '{actor} consultó el registro de auditoría',
  AUDIT_EXPORT_DOWNLOADED: '{actor} descargó la exportación {target}',
  AUDIT_VIEW_SAVED: '{actor} guardó la vista del registro {target}',
  AUDIT_VIEW_DELETED: '{actor} eliminó la vista del registro {target}',
  API_KEY_CREATED: '{actor} creó la clave de API {target}',
  API_KEY_REVOKED: '{actor} revocó la clave de API {target}',
  QUARANTINE_REPLAYED: '{actor} reprocesó eventos en cuarentena',
  JOBS_REDRIVEN: '{actor} relanzó trabajos de ingesta fallidos',
  CHECKPOINT_CREATED: '{actor} firmó un punto de control en {target}',
  EVENTS_EXPIRED: '{actor} eliminó los eventos caducados {target} tras archivarlos',
  TENANT_OFFBOARDING_STARTED: '{actor} inició la baja del negocio',
  STREAM_CREATED: '{actor} creó el flujo de registros {target}',
  STREAM_UPDATED: '{actor} cambió el flujo de registros {target}',
  STREAM_PAUSED: '{actor} pausó el flujo de registros {target}',
  STREAM_RESUMED: '{actor} reanudó el flujo de registros {target}',
  STREAM_DELETED: '{actor} eliminó el flujo de registros {target}',
  STREAM_PAUSED_BY_FAILURES: 'El flujo de registros {target} se pausó tras entregas fallidas repetidas',
  READ_TOKEN_CREATED: '{actor} creó el token de lectura {target}',
  READ_TOKEN_REVOKED: '{actor} revocó el token de lectura {target}',
  READ_TOKEN_USED: '{actor} leyó el registro de auditoría',
  ALERT_RAISED: 'Alerta: {target}',
  ALERT_ACKNOWLEDGED: '{actor} dio por vista la alerta {target}',
  ALERT_RULE_UPDATED: '{actor} cambió la regla de alerta {target}',
  ALERT_WEBHOOK_ADDED: '{actor} añadió el webhook de alertas {target}',
  ALERT_WEBHOOK_REMOVED: '{actor} quitó el webhook de alertas {target}',
} as const satisfies { [A in TAction]: string };

/** What each action is, as the infinitive after "intentó". */
export const ATTEMPT_ES = {
  BRANCH_PROVISIONED: 'dar de alta la sucursal {target}',
  BRANCH_UPDATED: 'actualizar la sucursal {target}',
  BRANCH_FROZEN: 'congelar la sucursal {target}',
  BRANCH_UNFROZEN: 'descongelar la sucursal {target}',
  TENANT_FROZEN: 'congelar el negocio',
  TENANT_UNFROZEN: 'descongelar el negocio',
  LOGIN_SUCCESS: 'iniciar sesión',
  LOGIN_FAILED: 'iniciar sesión',
  LOGOUT: 'cerrar sesión',
  ROLE_CHANGED: 'cambiar el rol de {target}',
  TWO_FACTOR_ENABLED: 'activar la verificación en dos pasos',
  TWO_FACTOR_DISABLED: 'desactivar la verificación en dos pasos',
  PASSWORD_CHANGED: 'cambiar su contraseña',
  USER_CREATED: 'crear la cuenta {target}',
  USER_DISABLED: 'desactivar la cuenta {target}',
  USER_UNLOCKED: 'desbloquear la cuenta {target}',
  TWO_FACTOR_RESET: 'restablecer la verificación en dos pasos de {target}',
  SALE_FINALIZED: 'cerrar la venta {target}',
  VOID_REQUESTED: 'solicitar la anulación de {target}',
  VOID_APPROVED: 'aprobar la anulación de {target}',
  VOID_REJECTED: 'rechazar la anulación de {target}',
  ORDER_STATUS_CHANGED: 'cambiar el estado del pedido {target}',
  ORDER_CANCELLED_BY_VOID: 'cancelar el pedido {target} por una anulación',
  CASH_SESSION_OPENED: 'abrir la sesión de caja {target}',
  CASH_SESSION_CLOSED: 'cerrar la sesión de caja {target}',
  CASH_SESSION_FORCE_CLOSED: 'forzar el cierre de la sesión de caja {target}',
  CASH_PAID_IN: 'ingresar efectivo en {target}',
  CASH_PAID_OUT_REQUESTED: 'solicitar una salida de efectivo de {target}',
  CASH_PAID_OUT_APPROVED: 'aprobar una salida de efectivo de {target}',
  CASH_PAID_OUT_REJECTED: 'rechazar una salida de efectivo de {target}',
  CASH_ADJUSTMENT_POSTED: 'registrar un ajuste de caja en {target}',
  CHECK_IN_CREATED: 'fichar la entrada',
  CHECK_OUT_CREATED: 'fichar la salida',
  CHECK_OUT_FORCED: 'forzar la salida de {target}',
  POLICY_UPDATED: 'actualizar la política {target}',
  MENU_ITEM_CREATED: 'crear el producto de carta {target}',
  MENU_ITEM_UPDATED: 'actualizar el producto de carta {target}',
  MENU_ITEM_ARCHIVED: 'archivar el producto de carta {target}',
  MODIFIER_GROUP_CREATED: 'crear el grupo de modificadores {target}',
  MODIFIER_GROUP_UPDATED: 'actualizar el grupo de modificadores {target}',
  STOCK_ITEM_CREATED: 'crear el artículo de inventario {target}',
  STOCK_ITEM_UPDATED: 'actualizar el artículo de inventario {target}',
  STOCK_ITEM_ARCHIVED: 'archivar el artículo de inventario {target}',
  RESTOCK_BATCH_CREATED: 'crear el lote de reposición {target}',
  INVENTORY_JOURNAL_POSTED: 'registrar el diario de inventario {target}',
  DISCOUNT_CREATED: 'crear el descuento {target}',
  DISCOUNT_UPDATED: 'actualizar el descuento {target}',
  DISCOUNT_DISABLED: 'desactivar el descuento {target}',
  DISCOUNT_ASSIGNMENT_CHANGED: 'cambiar la asignación del descuento {target}',
  AI_RECOMMENDATION_ACCEPTED: 'aceptar la recomendación de IA {target}',
  AI_RECOMMENDATION_REJECTED: 'rechazar la recomendación de IA {target}',
  AI_ACTION_EXECUTED: 'ejecutar la acción de IA {target}',
  AUDIT_EXPORT_CREATED: 'exportar el registro de auditoría ({target})',
  AUDIT_LOG_VIEWED: 'consultar el registro de auditoría',
  AUDIT_EXPORT_DOWNLOADED: 'descargar la exportación {target}',
  AUDIT_VIEW_SAVED: 'guardar la vista del registro {target}',
  AUDIT_VIEW_DELETED: 'eliminar la vista del registro {target}',
  API_KEY_CREATED: 'crear la clave de API {target}',
  API_KEY_REVOKED: 'revocar la clave de API {target}',
  QUARANTINE_REPLAYED: 'reprocesar eventos en cuarentena',
  JOBS_REDRIVEN: 'relanzar trabajos de ingesta fallidos',
  CHECKPOINT_CREATED: 'firmar un punto de control en {target}',
  EVENTS_EXPIRED: 'eliminar los eventos caducados {target} tras archivarlos',
  TENANT_OFFBOARDING_STARTED: 'iniciar la baja del negocio',
  STREAM_CREATED: 'crear el flujo de registros {target}',
  STREAM_UPDATED: 'cambiar el flujo de registros {target}',
  STREAM_PAUSED: 'pausar el flujo de registros {target}',
  STREAM_RESUMED: 'reanudar el flujo de registros {target}',
  STREAM_DELETED: 'eliminar el flujo de registros {target}',
  STREAM_PAUSED_BY_FAILURES: 'pausar el flujo de registros {target} tras entregas fallidas',
  READ_TOKEN_CREATED: 'crear el token de lectura {target}',
  READ_TOKEN_REVOKED: 'revocar el token de lectura {target}',
  READ_TOKEN_USED: 'leer el registro de auditoría',
  ALERT_RAISED: 'lanzar la alerta {target}',
  ALERT_ACKNOWLEDGED: 'dar por vista la alerta {target}',
  ALERT_RULE_UPDATED: 'cambiar la regla de alerta {target}',
  ALERT_WEBHOOK_ADDED: 'añadir el webhook de alertas {target}',
  ALERT_WEBHOOK_REMOVED: 'quitar el webhook de alertas {target}',
} as const satisfies { [A in TAction]: string };

export const REASON_WORDS_ES = {
  PERMISSION_DENIED: 'permiso denegado',
  POLICY_BLOCKED: 'bloqueado por una política',
  VALIDATION_FAILED: 'datos no válidos',
  BRANCH_FROZEN: 'sucursal congelada',
  TENANT_FROZEN: 'negocio congelado',
  DEPENDENCY_MISSING: 'falta un registro del que depende',
} as const satisfies Record<TDenialReason, string>;

/** The sign-in failures the viewer records, in Spanish; other codes and free text as English words. */
const FAILURE_WORDS_ES: Readonly<Record<string, string>> = {
  BAD_PASSWORD: 'contraseña incorrecta',
  BAD_TOTP: 'código de verificación incorrecto',
  TOTP_REPLAY: 'código de verificación ya usado',
  BAD_RECOVERY_CODE: 'código de recuperación incorrecto',
  LOCKED: 'cuenta bloqueada',
  BACKOFF: 'demasiados intentos, con espera',
  ACCOUNT_DISABLED: 'cuenta desactivada',
  ENROLLMENT_EXPIRED: 'caducó el alta de la verificación en dos pasos',
};

function fill(template: string, actor: string, target: string): string {
  return templateParts(template)
    .map((part) => (part === '{actor}' ? actor : part === '{target}' ? target : part))
    .join('');
}

function actorTextEs(actor: TSentenceEvent['actor']): string {
  return actor.name ?? actor.id ?? (actor.type === 'SYSTEM' ? 'Sistema' : 'Usuario desconocido');
}

function failureTextEs(metadata: Record<string, unknown> | null): string | null {
  const failure = metadata?.failure;
  if (typeof failure === 'string' && Object.hasOwn(FAILURE_WORDS_ES, failure)) return FAILURE_WORDS_ES[failure]!;
  return failureText(metadata);
}

/** The sentence in Spanish (see the top of this file). */
export function describeAuditEventEs(e: TSentenceEvent): string {
  const actor = actorTextEs(e.actor);
  const target = e.entity ? (e.entity.label ?? e.entity.id) : NO_TARGET;
  const head = e.outcome === 'SUCCESS' ? fill(DONE_ES[e.action], actor, target) : `${actor} intentó ${fill(ATTEMPT_ES[e.action], actor, target)}`;
  const failure = failureTextEs(e.metadata);
  const clause =
    e.outcome === 'REJECTED'
      ? `rechazado: ${e.reason ? REASON_WORDS_ES[e.reason] : 'sin motivo indicado'}${failure ? ` (${failure})` : ''}`
      : e.outcome === 'FAILED'
        ? `falló${failure ? `: ${failure}` : ''}`
        : failure;
  const attempts = attemptsOf(e.metadata);
  const tail = [
    clause,
    attempts === null ? null : `${attempts} intentos`,
    e.action === 'LOGIN_FAILED' && e.context.ip ? `desde ${e.context.ip}` : null,
    e.outcome === 'REJECTED' && e.claimedOutcome === 'SUCCESS' ? 'el dispositivo lo dio por hecho' : null,
  ].filter((part): part is string => part !== null && part !== '');
  return tail.length === 0 ? head : `${head} — ${tail.join(', ')}`;
}

/** The event's sentence in the viewer's language: English is the exports' own describeAuditEvent. */
export function describeEvent(e: TSentenceEvent, language: string | undefined): string {
  return language === 'es' ? describeAuditEventEs(e) : describeAuditEvent(e);
}
