import {
  ALERT_RULES,
  DEFAULT_ALERT_RULES,
  type TAlertRuleName,
  type TAlertRuleSettings,
  type TAlertRuleUpdateInput,
  type TAlertRuleView,
} from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';

interface Row {
  rule: string;
  enabled: boolean;
  threshold: number;
  window_minutes: number;
  min_accounts: number;
  notify_admins: boolean;
  emails: string[];
  updated_at: string;
}

/** Every rule of the tenant, the defaults where it changed nothing (no row). */
export async function readAlertRules(db: Db, tenantId: string): Promise<TAlertRuleView[]> {
  const rows = (
    await sql<Row>`select rule, enabled, threshold, window_minutes, min_accounts, notify_admins, emails,
      to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as updated_at
    from alert_rules where tenant_id = ${tenantId}`.execute(db)
  ).rows;
  const stored = new Map(rows.map((r) => [r.rule, r]));
  return ALERT_RULES.map((rule) => {
    const r = stored.get(rule);
    if (!r) return { rule, ...DEFAULT_ALERT_RULES[rule], emails: [...DEFAULT_ALERT_RULES[rule].emails], isDefault: true, updatedAt: null };
    return {
      rule,
      enabled: r.enabled,
      threshold: r.threshold,
      windowMinutes: r.window_minutes,
      minAccounts: r.min_accounts,
      notifyAdmins: r.notify_admins,
      emails: r.emails,
      isDefault: false,
      updatedAt: r.updated_at,
    };
  });
}

export function settingsOf(view: TAlertRuleView): TAlertRuleSettings {
  const { enabled, threshold, windowMinutes, minAccounts, notifyAdmins, emails } = view;
  return { enabled, threshold, windowMinutes, minAccounts, notifyAdmins, emails };
}

export async function rulesByName(db: Db, tenantId: string): Promise<Record<TAlertRuleName, TAlertRuleView>> {
  const views = await readAlertRules(db, tenantId);
  return Object.fromEntries(views.map((v) => [v.rule, v])) as Record<TAlertRuleName, TAlertRuleView>;
}

export function listAlertRules(orm: Orm, tenantId: string): Promise<TAlertRuleView[]> {
  return withTenant(orm, tenantId, (em) => readAlertRules(dbOf(em), tenantId));
}

/**
 * Changes the fields given of one rule (the rest stay as they are, defaults included) and answers
 * the rule before and after, for the ALERT_RULE_UPDATED event the caller records.
 */
export async function updateAlertRule(orm: Orm, tenantId: string, input: TAlertRuleUpdateInput): Promise<{ before: TAlertRuleView; after: TAlertRuleView }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const before = (await rulesByName(db, tenantId))[input.rule];
    const { rule: _rule, ...changes } = input;
    const next: TAlertRuleSettings = { ...settingsOf(before), ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) };
    const emails = [...new Set(next.emails.map((e) => e.toLowerCase()))];
    await sql`insert into alert_rules (tenant_id, rule, enabled, threshold, window_minutes, min_accounts, notify_admins, emails, updated_at)
      values (${tenantId}, ${input.rule}, ${next.enabled}, ${next.threshold}, ${next.windowMinutes}, ${next.minAccounts}, ${next.notifyAdmins}, ${emails}::text[], now())
      on conflict (tenant_id, rule) do update set enabled = excluded.enabled, threshold = excluded.threshold,
        window_minutes = excluded.window_minutes, min_accounts = excluded.min_accounts, notify_admins = excluded.notify_admins,
        emails = excluded.emails, updated_at = excluded.updated_at`.execute(db);
    const after = (await rulesByName(db, tenantId))[input.rule];
    return { before, after };
  });
}
