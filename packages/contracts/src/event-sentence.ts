import type { TDenialReason, TOutcome } from './audit-event.ts';
import { CATALOG, type TAction } from './catalog.ts';

/**
 * How an event reads to a person, telling the truth about its outcome: a SUCCESS reads as done
 * (the catalog's description), anything else as an attempt with what became of it —
 * "Sofia Reyes tried to approve the void of INV-23428 — refused: branch frozen". One function for
 * the viewer's list and drawer, the CSV's `summary` column and the PDF; the CSV's SQL rendering
 * (`eventSentenceSql` in the domain) is built from the same tables below and tested against it.
 *
 * The stored `description` (part of the hashed record) keeps the text written at acceptance.
 */

/** What each action is, as the verb phrase after "tried to" (`{target}`: the entity's label, else its id). */
export const ATTEMPT_PHRASES = {
  BRANCH_PROVISIONED: 'provision branch {target}',
  BRANCH_UPDATED: 'update branch {target}',
  BRANCH_FROZEN: 'freeze branch {target}',
  BRANCH_UNFROZEN: 'unfreeze branch {target}',
  TENANT_FROZEN: 'freeze the tenant',
  TENANT_UNFROZEN: 'unfreeze the tenant',
  LOGIN_SUCCESS: 'sign in',
  LOGIN_FAILED: 'sign in',
  LOGOUT: 'sign out',
  ROLE_CHANGED: 'change the role of {target}',
  TWO_FACTOR_ENABLED: 'enable two-factor authentication',
  TWO_FACTOR_DISABLED: 'disable two-factor authentication',
  PASSWORD_CHANGED: 'change their password',
  USER_CREATED: 'create the account {target}',
  USER_DISABLED: 'disable the account {target}',
  USER_UNLOCKED: 'unlock the account {target}',
  TWO_FACTOR_RESET: 'reset the two-factor authentication of {target}',
  SALE_FINALIZED: 'finalize sale {target}',
  VOID_REQUESTED: 'request a void of {target}',
  VOID_APPROVED: 'approve the void of {target}',
  VOID_REJECTED: 'reject the void of {target}',
  ORDER_STATUS_CHANGED: 'change the status of order {target}',
  ORDER_CANCELLED_BY_VOID: 'cancel order {target} by a void',
  CASH_SESSION_OPENED: 'open cash session {target}',
  CASH_SESSION_CLOSED: 'close cash session {target}',
  CASH_SESSION_FORCE_CLOSED: 'force-close cash session {target}',
  CASH_PAID_IN: 'pay cash in to {target}',
  CASH_PAID_OUT_REQUESTED: 'request a cash paid-out from {target}',
  CASH_PAID_OUT_APPROVED: 'approve a cash paid-out from {target}',
  CASH_PAID_OUT_REJECTED: 'reject a cash paid-out from {target}',
  CASH_ADJUSTMENT_POSTED: 'post a cash adjustment to {target}',
  CHECK_IN_CREATED: 'check in',
  CHECK_OUT_CREATED: 'check out',
  CHECK_OUT_FORCED: 'force the check-out of {target}',
  POLICY_UPDATED: 'update policy {target}',
  MENU_ITEM_CREATED: 'create menu item {target}',
  MENU_ITEM_UPDATED: 'update menu item {target}',
  MENU_ITEM_ARCHIVED: 'archive menu item {target}',
  MODIFIER_GROUP_CREATED: 'create modifier group {target}',
  MODIFIER_GROUP_UPDATED: 'update modifier group {target}',
  STOCK_ITEM_CREATED: 'create stock item {target}',
  STOCK_ITEM_UPDATED: 'update stock item {target}',
  STOCK_ITEM_ARCHIVED: 'archive stock item {target}',
  RESTOCK_BATCH_CREATED: 'create restock batch {target}',
  INVENTORY_JOURNAL_POSTED: 'post inventory journal {target}',
  DISCOUNT_CREATED: 'create discount {target}',
  DISCOUNT_UPDATED: 'update discount {target}',
  DISCOUNT_DISABLED: 'disable discount {target}',
  DISCOUNT_ASSIGNMENT_CHANGED: 'change the assignment of discount {target}',
  AI_RECOMMENDATION_ACCEPTED: 'accept AI recommendation {target}',
  AI_RECOMMENDATION_REJECTED: 'reject AI recommendation {target}',
  AI_ACTION_EXECUTED: 'execute AI action {target}',
  AUDIT_EXPORT_CREATED: 'export the audit log ({target})',
  AUDIT_LOG_VIEWED: 'view the audit log',
  AUDIT_EXPORT_DOWNLOADED: 'download export {target}',
  API_KEY_CREATED: 'create API key {target}',
  API_KEY_REVOKED: 'revoke API key {target}',
  QUARANTINE_REPLAYED: 'replay quarantined events',
  JOBS_REDRIVEN: 're-drive failed ingest jobs',
  CHECKPOINT_CREATED: 'sign a checkpoint at {target}',
  EVENTS_EXPIRED: 'remove expired events {target} after archiving them',
  TENANT_OFFBOARDING_STARTED: 'start offboarding the tenant',
  STREAM_CREATED: 'create the log stream {target}',
  STREAM_UPDATED: 'change the log stream {target}',
  STREAM_PAUSED: 'pause the log stream {target}',
  STREAM_RESUMED: 'resume the log stream {target}',
  STREAM_DELETED: 'delete the log stream {target}',
  STREAM_PAUSED_BY_FAILURES: 'pause the log stream {target} after failed deliveries',
  AUDIT_VIEW_SAVED: 'save the log view {target}',
  AUDIT_VIEW_DELETED: 'delete the log view {target}',
  READ_TOKEN_CREATED: 'create read token {target}',
  READ_TOKEN_REVOKED: 'revoke read token {target}',
  READ_TOKEN_USED: 'read the audit log',
  ALERT_RAISED: 'raise the alert {target}',
  ALERT_ACKNOWLEDGED: 'acknowledge the alert {target}',
  ALERT_RULE_UPDATED: 'change the alert rule {target}',
  ALERT_WEBHOOK_ADDED: 'add the alert webhook {target}',
  ALERT_WEBHOOK_REMOVED: 'remove the alert webhook {target}',
  // every action of the catalog must be here (a missing one is a compile error); the index signature
  // lets a phrase land before its catalog entry does
} as const satisfies { [A in TAction]: string } & Record<string, string>;

/** Why the service or the device refused an action, as words. */
export const REASON_WORDS = {
  PERMISSION_DENIED: 'permission denied',
  POLICY_BLOCKED: 'blocked by policy',
  VALIDATION_FAILED: 'invalid data',
  BRANCH_FROZEN: 'branch frozen',
  TENANT_FROZEN: 'tenant frozen',
  DEPENDENCY_MISSING: 'a record it depends on is missing',
} as const satisfies Record<TDenialReason, string>;

/**
 * `metadata.failure` as words: the sign-in failures the viewer records (TSignInFailure), and any
 * other upper-case code written as lower-case words (`PAYMENT_DECLINED` → "payment declined");
 * free text a device sent is shown as sent, cut at FAILURE_MAX_CHARS.
 */
export const FAILURE_WORDS: Readonly<Record<string, string>> = {
  BAD_PASSWORD: 'wrong password',
  BAD_TOTP: 'wrong two-factor code',
  TOTP_REPLAY: 'two-factor code already used',
  BAD_RECOVERY_CODE: 'wrong recovery code',
  LOCKED: 'account locked',
  BACKOFF: 'too many attempts, made to wait',
  ACCOUNT_DISABLED: 'account disabled',
  ENROLLMENT_EXPIRED: 'two-factor enrolment expired',
};
export const FAILURE_MAX_CHARS = 120;
/** An upper-case code (rather than free text) in `metadata.failure`. */
export const FAILURE_CODE = /^[A-Z0-9_]+$/;
/** What stands for a missing entity in a template that names one. */
export const NO_TARGET = '—';
/** "reported as done by the device": a SUCCESS the service stored as REJECTED (the freeze rule). */
export const CLAIMED_DONE = 'reported as done by the device';

/** What the sentence needs of an event: an AuditEventView has it all. */
export interface TSentenceEvent {
  action: TAction;
  outcome: TOutcome;
  reason: TDenialReason | null;
  claimedOutcome: TOutcome;
  actor: { type: string; id: string | null; name: string | null };
  entity: { id: string; label: string | null } | null;
  context: { ip: string | null };
  metadata: Record<string, unknown> | null;
}

/** The parts of a template, placeholders kept apart: a name holding "{target}" is never substituted into. */
export function templateParts(template: string): string[] {
  return template.split(/(\{actor\}|\{target\})/);
}

function fill(template: string, actor: string, target: string): string {
  return templateParts(template)
    .map((part) => (part === '{actor}' ? actor : part === '{target}' ? target : part))
    .join('');
}

export function actorText(actor: TSentenceEvent['actor']): string {
  return actor.name ?? actor.id ?? (actor.type === 'SYSTEM' ? 'System' : 'Unknown user');
}

/** `metadata.failure` as words, or null when there is none (not a string, or empty). */
export function failureText(metadata: Record<string, unknown> | null): string | null {
  const failure = metadata?.failure;
  if (typeof failure !== 'string' || failure === '') return null;
  // own keys only: a failure sent as "toString" or "constructor" is free text, not Object.prototype's
  const known = Object.hasOwn(FAILURE_WORDS, failure) ? FAILURE_WORDS[failure] : undefined;
  const words = known ?? (FAILURE_CODE.test(failure) ? failure.replaceAll('_', ' ').toLowerCase() : failure);
  const chars = Array.from(words);
  return chars.length > FAILURE_MAX_CHARS ? `${chars.slice(0, FAILURE_MAX_CHARS - 1).join('')}…` : words;
}

/** `metadata.attempts` when it counts more than one (a tally of refused sign-ins), else null. */
export function attemptsOf(metadata: Record<string, unknown> | null): number | null {
  const n = metadata?.attempts;
  return typeof n === 'number' && Number.isInteger(n) && n > 1 && n < 1e15 ? n : null;
}

/** The one human-readable sentence of an event (see the top of this file). */
export function describeAuditEvent(e: TSentenceEvent): string {
  const actor = actorText(e.actor);
  const target = e.entity ? (e.entity.label ?? e.entity.id) : NO_TARGET;
  const head =
    e.outcome === 'SUCCESS' ? fill(CATALOG[e.action].description, actor, target) : `${actor} tried to ${fill(ATTEMPT_PHRASES[e.action], actor, target)}`;
  const failure = failureText(e.metadata);
  const clause =
    e.outcome === 'REJECTED'
      ? `refused: ${e.reason ? REASON_WORDS[e.reason] : 'no reason given'}${failure ? ` (${failure})` : ''}`
      : e.outcome === 'FAILED'
        ? `failed${failure ? `: ${failure}` : ''}`
        : failure;
  const attempts = attemptsOf(e.metadata);
  const tail = [
    clause,
    attempts === null ? null : `${attempts} attempts`,
    e.action === 'LOGIN_FAILED' && e.context.ip ? `from ${e.context.ip}` : null,
    e.outcome === 'REJECTED' && e.claimedOutcome === 'SUCCESS' ? CLAIMED_DONE : null,
  ].filter((part): part is string => part !== null && part !== '');
  return tail.length === 0 ? head : `${head} — ${tail.join(', ')}`;
}
