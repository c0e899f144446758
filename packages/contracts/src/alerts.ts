import { z } from 'zod';
import { ZEventsFilter } from './read.ts';
import { safeString, ZUuid } from './safe-values.ts';

/**
 * Alerts (issue 16, item 3): rules every tenant has without configuring anything, evaluated on the
 * stored log, each alert recorded in the log (ALERT_RAISED) and mailed and posted to webhooks.
 * Shared by the server, the worker, the CLI and the viewer.
 */
export const ALERT_RULES = ['LOGIN_FAILURES_ACCOUNT', 'LOGIN_FAILURES_ADDRESS', 'BRANCH_FROZEN_REFUSALS', 'CHAIN_BROKEN', 'DEVICE_GAP'] as const;
export const ZAlertRuleName = z.enum(ALERT_RULES);
export type TAlertRuleName = z.infer<typeof ZAlertRuleName>;

/** What an alert is about: one account, one address, one branch, one device's gap, or the tenant's chain. */
export const ZAlertSubjectKind = z.enum(['ACCOUNT', 'ADDRESS', 'BRANCH', 'DEVICE', 'TENANT']);
export type TAlertSubjectKind = z.infer<typeof ZAlertSubjectKind>;
export const ALERT_SUBJECT_OF = {
  LOGIN_FAILURES_ACCOUNT: 'ACCOUNT',
  LOGIN_FAILURES_ADDRESS: 'ADDRESS',
  BRANCH_FROZEN_REFUSALS: 'BRANCH',
  CHAIN_BROKEN: 'TENANT',
  DEVICE_GAP: 'DEVICE',
} as const satisfies Record<TAlertRuleName, TAlertSubjectKind>;

const ZEmails = z.array(z.email().max(254)).max(20);

/**
 * One rule's settings. `threshold`: an alert when the count within `windowMinutes` is MORE than it
 * (LOGIN_FAILURES_ACCOUNT: failures of one account; LOGIN_FAILURES_ADDRESS: failures from one
 * address, across at least `minAccounts` accounts; BRANCH_FROZEN_REFUSALS: refusals at one branch;
 * DEVICE_GAP: missing events of a gap still open `windowMinutes` after it showed; CHAIN_BROKEN: any
 * failed verification, at most one alert per window). Recipients: the tenant's Admins unless
 * `notifyAdmins` is false, plus `emails`, plus every alert webhook of the tenant.
 */
export const ZAlertRuleSettings = z.strictObject({
  enabled: z.boolean(),
  threshold: z.number().int().min(0).max(1_000_000),
  windowMinutes: z.number().int().min(1).max(10_080),
  minAccounts: z.number().int().min(1).max(10_000),
  notifyAdmins: z.boolean(),
  emails: ZEmails,
});
export type TAlertRuleSettings = z.infer<typeof ZAlertRuleSettings>;

/** The rules of a tenant that changed nothing: the seed lesson's "more than 5 failed sign-ins within an hour" first. */
export const DEFAULT_ALERT_RULES = {
  LOGIN_FAILURES_ACCOUNT: { enabled: true, threshold: 5, windowMinutes: 60, minAccounts: 1, notifyAdmins: true, emails: [] },
  LOGIN_FAILURES_ADDRESS: { enabled: true, threshold: 9, windowMinutes: 60, minAccounts: 3, notifyAdmins: true, emails: [] },
  BRANCH_FROZEN_REFUSALS: { enabled: true, threshold: 0, windowMinutes: 60, minAccounts: 1, notifyAdmins: true, emails: [] },
  CHAIN_BROKEN: { enabled: true, threshold: 0, windowMinutes: 60, minAccounts: 1, notifyAdmins: true, emails: [] },
  DEVICE_GAP: { enabled: true, threshold: 0, windowMinutes: 60, minAccounts: 1, notifyAdmins: true, emails: [] },
} as const satisfies Record<TAlertRuleName, TAlertRuleSettings>;

/**
 * A storm across subjects (a compromised ingest key inventing accounts, one alert each) sends at most
 * `alerts` alerts of one rule within `minutes`; the ones after are stored, recorded as ALERT_RAISED
 * and shown in the viewer with `held`, but mailed and posted to nobody. The last one sent says so.
 */
export const ALERT_DELIVERY_CAP = { alerts: 10, minutes: 60 } as const;

export const ZAlertRuleView = ZAlertRuleSettings.extend({
  rule: ZAlertRuleName,
  /** True while the tenant has not changed the rule (the defaults above apply). */
  isDefault: z.boolean(),
  updatedAt: z.iso.datetime().nullable(),
});
export type TAlertRuleView = z.infer<typeof ZAlertRuleView>;
export const ZAlertRulesOutput = z.object({ items: z.array(ZAlertRuleView) });

/** A change of one rule: only the fields given change. */
export const ZAlertRuleUpdateInput = ZAlertRuleSettings.partial().extend({ rule: ZAlertRuleName });
export type TAlertRuleUpdateInput = z.infer<typeof ZAlertRuleUpdateInput>;
export const ZAlertRuleUpdateOutput = z.object({ rule: ZAlertRuleView });

export const ZAlertDeliveryState = z.enum(['PENDING', 'SENT', 'FAILED']);
export type TAlertDeliveryState = z.infer<typeof ZAlertDeliveryState>;
export const ZAlertDeliveryView = z.object({
  channel: z.enum(['EMAIL', 'WEBHOOK']),
  /** The addresses of the mail, or the webhook's URL (its display form when it may be a credential). */
  target: z.string(),
  /** The webhook's id (alerts.webhooks.list): two webhooks on one host are shown alike. Null for mail. */
  webhookId: z.uuid().nullable(),
  state: ZAlertDeliveryState,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
});
export type TAlertDeliveryView = z.infer<typeof ZAlertDeliveryView>;

export const ZAlertView = z.object({
  /** Also the eventId of the alert's ALERT_RAISED event in the log. */
  id: z.uuid(),
  rule: ZAlertRuleName,
  subjectKind: ZAlertSubjectKind,
  /** The account id, address, branch id, `deviceId` (with its gap) or `chain`. */
  subject: z.string(),
  subjectLabel: z.string().nullable(),
  /** The window the alert counts for: no other alert of the rule and subject starts inside it. */
  windowStart: z.iso.datetime(),
  windowMinutes: z.number().int(),
  /** The events counted: from the first to the last that triggered it (occurredAt). */
  firstAt: z.iso.datetime(),
  lastAt: z.iso.datetime(),
  count: z.number().int(),
  threshold: z.number().int(),
  /** The seqs of the triggering events (at most 100), oldest first. */
  seqs: z.array(z.number().int()),
  /** The log filtered to what triggered it. */
  filter: ZEventsFilter,
  details: z.record(z.string(), z.unknown()),
  raisedAt: z.iso.datetime(),
  /** Sent to nobody: its rule had already sent ALERT_DELIVERY_CAP.alerts alerts within ALERT_DELIVERY_CAP.minutes. */
  held: z.boolean(),
  /** This alert was the last its rule sent before the hold (its mail says further ones are held). */
  lastBeforeHold: z.boolean(),
  deliveries: z.array(ZAlertDeliveryView),
  acknowledgedAt: z.iso.datetime().nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type TAlertView = z.infer<typeof ZAlertView>;

export const ZAlertsListInput = z.strictObject({
  rule: ZAlertRuleName.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Older than this alert (its raisedAt and id), for the next page. */
  before: ZUuid.optional(),
});
export type TAlertsListInput = z.input<typeof ZAlertsListInput>;
export const ZAlertsListOutput = z.object({ items: z.array(ZAlertView) });
export const ZAlertAcknowledgeInput = z.strictObject({ id: ZUuid });
export const ZAlertAcknowledgeOutput = z.object({ alert: ZAlertView });

/** A webhook that receives every alert of the tenant, signed as log streams are (WEBHOOK_SIGNATURE_HEADER). */
export const ZAlertWebhookView = z.object({ id: z.uuid(), url: z.string(), createdAt: z.iso.datetime() });
export type TAlertWebhookView = z.infer<typeof ZAlertWebhookView>;
export const ZAlertWebhooksOutput = z.object({ items: z.array(ZAlertWebhookView) });
export const ZAlertWebhookAddInput = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  /** The signing secret; generated (and shown once) when absent. Kept as given or refused: one sealed otherwise would sign nothing the receiver can check. */
  secret: safeString(200).min(16).optional(),
});
export const ZAlertWebhookAddOutput = z.object({ webhook: ZAlertWebhookView, signingSecret: z.string().optional() });
export const ZAlertWebhookRemoveInput = z.strictObject({ id: ZUuid });
export const ZAlertWebhookRemoveOutput = z.object({ removed: z.literal(true) });

/** The JSON body POSTed to an alert webhook. */
export const ZAlertWebhookBody = z.object({
  type: z.literal('alert'),
  tenantId: z.uuid(),
  alert: ZAlertView.omit({ deliveries: true, acknowledgedAt: true, acknowledgedBy: true }),
});
export type TAlertWebhookBody = z.infer<typeof ZAlertWebhookBody>;

/** Evaluate one tenant's stored events past its alert cursor (the ingest worker's nudge, deduplicated per tenant). */
export const ZAlertEvaluateJob = z.strictObject({ v: z.literal(1), tenantId: z.uuid() });
/** The schedule: tenants behind their cursor, device gaps that stayed, alerts not yet recorded or delivered. */
export const ZAlertSweepJob = z.strictObject({ v: z.literal(1) });
/** Deliver one alert to its recipients (mail and webhooks), each retried until it is SENT. */
export const ZAlertDeliverJob = z.strictObject({ v: z.literal(1), tenantId: z.uuid(), alertId: z.uuid() });
/** A chain verification found the tenant's chain broken (integrity.verify, verify-chain, the checkpoint worker). */
export const ZAlertChainBrokenJob = z.strictObject({
  v: z.literal(1),
  tenantId: z.uuid(),
  /** The first broken seq, when known. */
  brokenSeq: z.number().int().nullable(),
  /** Where it was found: `integrity.verify`, `verify-chain`, `checkpoint`. */
  source: z.string().min(1).max(100),
  reason: z.string().max(500),
  detectedAt: z.iso.datetime(),
});
export type TAlertChainBrokenJob = z.infer<typeof ZAlertChainBrokenJob>;
