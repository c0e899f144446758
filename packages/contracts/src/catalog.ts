/**
 * The event catalog: the single source of truth for which actions exist, which module each
 * belongs to, how it reads to a person, and whether a frozen branch (or tenant) blocks it.
 *
 * `blockedWhenFrozen`:
 * - `always`: a state-changing action of a branch; blocked when its branch or tenant is frozen.
 * - `branchScoped`: blocked only when the event names a branch ("yes when branch-scoped").
 * - `never`: the lifecycle itself, sign-ins, tenant-level policy and the audit module.
 *
 * Description templates use `{actor}` (actor name, else id) and `{target}` (entity label, else id).
 */
export const MODULES = [
  'BRANCH',
  'TENANT',
  'AUTH',
  'SALE',
  'CASH_SESSION',
  'ATTENDANCE',
  'POLICY',
  'MENU',
  'INVENTORY',
  'DISCOUNT',
  'AI',
  'AUDIT',
  'ADMIN',
] as const;
export type TModule = (typeof MODULES)[number];

export type TFreezeRule = 'always' | 'branchScoped' | 'never';

/**
 * Whether an event of the action happens at a branch: `required` ones (sales, cash, attendance,
 * stock, the branch lifecycle) are refused without a `branchId` (spec R4, R10: a sale without its
 * branch would escape the freeze rule); `optional` ones may be tenant-wide.
 */
export type TBranchScope = 'required' | 'optional';

export interface CatalogEntry {
  module: TModule;
  description: string;
  blockedWhenFrozen: TFreezeRule;
  branch: TBranchScope;
}

/** A state-changing action of a branch (`always`) cannot happen without its branch. */
const entry = (
  module: TModule,
  blockedWhenFrozen: TFreezeRule,
  description: string,
  branch: TBranchScope = blockedWhenFrozen === 'always' ? 'required' : 'optional',
): CatalogEntry => ({ module, blockedWhenFrozen, description, branch });

export const CATALOG = {
  BRANCH_PROVISIONED: entry('BRANCH', 'never', '{actor} provisioned branch {target}', 'required'),
  BRANCH_UPDATED: entry('BRANCH', 'never', '{actor} updated branch {target}', 'required'),
  BRANCH_FROZEN: entry('BRANCH', 'never', '{actor} froze branch {target}', 'required'),
  BRANCH_UNFROZEN: entry('BRANCH', 'never', '{actor} unfroze branch {target}', 'required'),

  // Not in the module spec's list: how a tenant becomes frozen, so that TENANT_FROZEN denials
  // follow from the log itself exactly as BRANCH_FROZEN ones do.
  TENANT_FROZEN: entry('TENANT', 'never', '{actor} froze the tenant'),
  TENANT_UNFROZEN: entry('TENANT', 'never', '{actor} unfroze the tenant'),

  LOGIN_SUCCESS: entry('AUTH', 'never', '{actor} signed in'),
  LOGIN_FAILED: entry('AUTH', 'never', 'Failed sign-in for {actor}'),
  LOGOUT: entry('AUTH', 'never', '{actor} signed out'),
  ROLE_CHANGED: entry('AUTH', 'never', '{actor} changed the role of {target}'),
  TWO_FACTOR_ENABLED: entry('AUTH', 'never', '{actor} enabled two-factor authentication'),
  TWO_FACTOR_DISABLED: entry('AUTH', 'never', '{actor} disabled two-factor authentication'),
  PASSWORD_CHANGED: entry('AUTH', 'never', '{actor} changed their password'),
  // The administration of accounts, by an operator or an Admin (PCI DSS 10.2.1.5, 10.2.1.2).
  USER_CREATED: entry('AUTH', 'never', '{actor} created the account {target}'),
  USER_DISABLED: entry('AUTH', 'never', '{actor} disabled the account {target}'),
  USER_UNLOCKED: entry('AUTH', 'never', '{actor} unlocked the account {target}'),
  TWO_FACTOR_RESET: entry('AUTH', 'never', '{actor} reset the two-factor authentication of {target}'),

  SALE_FINALIZED: entry('SALE', 'always', '{actor} finalized sale {target}'),
  VOID_REQUESTED: entry('SALE', 'always', '{actor} requested a void of {target}'),
  VOID_APPROVED: entry('SALE', 'always', '{actor} approved the void of {target}'),
  VOID_REJECTED: entry('SALE', 'always', '{actor} rejected the void of {target}'),
  ORDER_STATUS_CHANGED: entry('SALE', 'always', '{actor} changed the status of order {target}'),
  ORDER_CANCELLED_BY_VOID: entry('SALE', 'always', 'Order {target} was cancelled by a void ({actor})'),

  CASH_SESSION_OPENED: entry('CASH_SESSION', 'always', '{actor} opened cash session {target}'),
  CASH_SESSION_CLOSED: entry('CASH_SESSION', 'always', '{actor} closed cash session {target}'),
  CASH_SESSION_FORCE_CLOSED: entry('CASH_SESSION', 'always', '{actor} force-closed cash session {target}'),
  CASH_PAID_IN: entry('CASH_SESSION', 'always', '{actor} paid cash in to {target}'),
  CASH_PAID_OUT_REQUESTED: entry('CASH_SESSION', 'always', '{actor} requested a cash paid-out from {target}'),
  CASH_PAID_OUT_APPROVED: entry('CASH_SESSION', 'always', '{actor} approved a cash paid-out from {target}'),
  CASH_PAID_OUT_REJECTED: entry('CASH_SESSION', 'always', '{actor} rejected a cash paid-out from {target}'),
  CASH_ADJUSTMENT_POSTED: entry('CASH_SESSION', 'always', '{actor} posted a cash adjustment to {target}'),

  CHECK_IN_CREATED: entry('ATTENDANCE', 'always', '{actor} checked in'),
  CHECK_OUT_CREATED: entry('ATTENDANCE', 'always', '{actor} checked out'),
  CHECK_OUT_FORCED: entry('ATTENDANCE', 'always', '{actor} forced the check-out of {target}'),

  POLICY_UPDATED: entry('POLICY', 'never', '{actor} updated policy {target}'),

  MENU_ITEM_CREATED: entry('MENU', 'branchScoped', '{actor} created menu item {target}'),
  MENU_ITEM_UPDATED: entry('MENU', 'branchScoped', '{actor} updated menu item {target}'),
  MENU_ITEM_ARCHIVED: entry('MENU', 'branchScoped', '{actor} archived menu item {target}'),
  MODIFIER_GROUP_CREATED: entry('MENU', 'branchScoped', '{actor} created modifier group {target}'),
  MODIFIER_GROUP_UPDATED: entry('MENU', 'branchScoped', '{actor} updated modifier group {target}'),

  STOCK_ITEM_CREATED: entry('INVENTORY', 'always', '{actor} created stock item {target}'),
  STOCK_ITEM_UPDATED: entry('INVENTORY', 'always', '{actor} updated stock item {target}'),
  STOCK_ITEM_ARCHIVED: entry('INVENTORY', 'always', '{actor} archived stock item {target}'),
  RESTOCK_BATCH_CREATED: entry('INVENTORY', 'always', '{actor} created restock batch {target}'),
  INVENTORY_JOURNAL_POSTED: entry('INVENTORY', 'always', '{actor} posted inventory journal {target}'),

  DISCOUNT_CREATED: entry('DISCOUNT', 'branchScoped', '{actor} created discount {target}'),
  DISCOUNT_UPDATED: entry('DISCOUNT', 'branchScoped', '{actor} updated discount {target}'),
  DISCOUNT_DISABLED: entry('DISCOUNT', 'branchScoped', '{actor} disabled discount {target}'),
  DISCOUNT_ASSIGNMENT_CHANGED: entry('DISCOUNT', 'branchScoped', '{actor} changed the assignment of discount {target}'),

  AI_RECOMMENDATION_ACCEPTED: entry('AI', 'branchScoped', '{actor} accepted AI recommendation {target}'),
  AI_RECOMMENDATION_REJECTED: entry('AI', 'branchScoped', '{actor} rejected AI recommendation {target}'),
  AI_ACTION_EXECUTED: entry('AI', 'branchScoped', 'AI action {target} executed ({actor})'),

  AUDIT_EXPORT_CREATED: entry('AUDIT', 'never', '{actor} exported the audit log ({target})'),
  // Reading the log is itself audited (PCI DSS 10.2.1.1, 10.2.1.3): once per session and filter.
  AUDIT_LOG_VIEWED: entry('AUDIT', 'never', '{actor} viewed the audit log'),
  AUDIT_EXPORT_DOWNLOADED: entry('AUDIT', 'never', '{actor} downloaded export {target}'),
  // An Admin's saved views of the log (issue 13): saving and deleting one are recorded like the reading.
  AUDIT_VIEW_SAVED: entry('AUDIT', 'never', '{actor} saved the log view {target}'),
  AUDIT_VIEW_DELETED: entry('AUDIT', 'never', '{actor} deleted the log view {target}'),

  // What operators do to a tenant's ingestion and integrity (PCI DSS 10.2.1.2).
  API_KEY_CREATED: entry('ADMIN', 'never', '{actor} created API key {target}'),
  API_KEY_REVOKED: entry('ADMIN', 'never', '{actor} revoked API key {target}'),
  QUARANTINE_REPLAYED: entry('ADMIN', 'never', '{actor} replayed quarantined events'),
  JOBS_REDRIVEN: entry('ADMIN', 'never', '{actor} re-drove failed ingest jobs'),
  CHECKPOINT_CREATED: entry('ADMIN', 'never', '{actor} signed a checkpoint at {target}'),
  // Retention and offboarding (issue 14): a prefix of the log removed after its signed archive, and a tenant leaving.
  EVENTS_EXPIRED: entry('ADMIN', 'never', '{actor} removed expired events {target} after archiving them'),
  TENANT_OFFBOARDING_STARTED: entry('ADMIN', 'never', '{actor} started offboarding the tenant'),
  // Log streams (issue 16): where the tenant's events are delivered; a stream that keeps failing pauses itself.
  STREAM_CREATED: entry('ADMIN', 'never', '{actor} created the log stream {target}'),
  STREAM_UPDATED: entry('ADMIN', 'never', '{actor} changed the log stream {target}'),
  STREAM_PAUSED: entry('ADMIN', 'never', '{actor} paused the log stream {target}'),
  STREAM_RESUMED: entry('ADMIN', 'never', '{actor} resumed the log stream {target}'),
  STREAM_DELETED: entry('ADMIN', 'never', '{actor} deleted the log stream {target}'),
  STREAM_PAUSED_BY_FAILURES: entry('ADMIN', 'never', 'The log stream {target} paused itself after repeated failed deliveries'),
  // Read tokens for machines (issue 16, item 1): made and revoked by an Admin or operator; each use
  // (token, procedure and filter) is recorded once an hour, as a session's reading is once per filter.
  READ_TOKEN_CREATED: entry('ADMIN', 'never', '{actor} created read token {target}'),
  READ_TOKEN_REVOKED: entry('ADMIN', 'never', '{actor} revoked read token {target}'),
  READ_TOKEN_USED: entry('AUDIT', 'never', '{actor} read the audit log'),
  // Alerts (issue 16, item 3): raised by the system from the log itself, and the rules and webhooks an Admin or operator changes.
  ALERT_RAISED: entry('AUDIT', 'never', 'Alert raised: {target}'),
  ALERT_ACKNOWLEDGED: entry('AUDIT', 'never', '{actor} acknowledged the alert {target}'),
  ALERT_RULE_UPDATED: entry('ADMIN', 'never', '{actor} changed the alert rule {target}'),
  ALERT_WEBHOOK_ADDED: entry('ADMIN', 'never', '{actor} added the alert webhook {target}'),
  ALERT_WEBHOOK_REMOVED: entry('ADMIN', 'never', '{actor} removed the alert webhook {target}'),
} as const satisfies Record<string, CatalogEntry>;

export type TAction = keyof typeof CATALOG;
export const ACTIONS = Object.keys(CATALOG) as [TAction, ...TAction[]];

/** Actions whose stored SUCCESS changes the freeze state of a branch or the tenant. */
export const FREEZE_TRANSITIONS: Partial<Record<TAction, { scope: 'branch' | 'tenant'; frozen: boolean }>> = {
  BRANCH_FROZEN: { scope: 'branch', frozen: true },
  BRANCH_UNFROZEN: { scope: 'branch', frozen: false },
  TENANT_FROZEN: { scope: 'tenant', frozen: true },
  TENANT_UNFROZEN: { scope: 'tenant', frozen: false },
};

export function actionsOfModule(module: TModule): TAction[] {
  return ACTIONS.filter((a) => CATALOG[a].module === module);
}

/**
 * Whether only the audit service itself writes this action: what Admins and operators do to the
 * log and its administration (the AUDIT and ADMIN modules, DESIGN rule 8). A device's API key that
 * sends one is refused, or a stolen till key could write "Ada Admin revoked read token x" or
 * "removed expired events" into the log; modules of the monolith (the system caller) may.
 */
export function isWrittenByTheService(action: TAction): boolean {
  const module = CATALOG[action].module;
  return module === 'AUDIT' || module === 'ADMIN';
}

/**
 * The branch and tenant lifecycle: it decides how the freeze rule judges every later event (DESIGN
 * rule 3), so only the platform sends it (a platform key or the system caller), never a till.
 */
export function isBranchOrTenantLifecycle(action: TAction): boolean {
  const module = CATALOG[action].module;
  return module === 'BRANCH' || module === 'TENANT';
}

export function requiresBranch(action: TAction): boolean {
  return CATALOG[action].branch === 'required';
}

/** Whether a frozen branch or tenant blocks this action for an event with (or without) a branch. */
export function isBlockedWhenFrozen(action: TAction, hasBranch: boolean): boolean {
  const rule = CATALOG[action].blockedWhenFrozen;
  return rule === 'always' || (rule === 'branchScoped' && hasBranch);
}

export function describeEvent(action: TAction, actor: { id?: string; name?: string; type: string }, entity?: { id: string; label?: string } | null): string {
  const actorText = actor.name ?? actor.id ?? (actor.type === 'SYSTEM' ? 'System' : 'Unknown user');
  const targetText = entity ? (entity.label ?? entity.id) : '';
  return CATALOG[action].description
    .replace('{actor}', actorText)
    .replace('{target}', targetText)
    .replace(/\s+\(\)$/, '')
    .trim();
}
