import { ZAlertRuleName, ZAlertRuleUpdateInput, type TAlertChainBrokenJob } from '@modula/contracts';
import { addAlertWebhook, administrationEvent, listAlertRules, listAlerts, listAlertWebhooks, removeAlertWebhook, updateAlertRule } from '@modula/domain';
import { AlertQueue, createRedis, redisReady } from '@modula/queue';
import { z } from 'zod';
import { cliConfig, installationSecret, installationSecretIfHere } from '../runtime-config.ts';
import { printJson, required, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

const tenantOf = (values: Record<string, unknown>) => z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
const ZFlag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');
const ZCount = (name: string) => z.coerce.number({ error: `--${name} must be a whole number` }).int();

export const alertRules: TCommand = {
  summary: 'Prints the tenant\'s alert rules (the defaults where nothing was changed): {"items":[{rule, enabled, threshold, windowMinutes, …}]}.',
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    printJson({ items: await withOrm((orm) => listAlertRules(orm, tenantId)) });
    return 0;
  },
};

export const alertSet: TCommand = {
  summary:
    'Changes one alert rule: --rule R [--threshold N] [--window-minutes M] [--min-accounts K] [--enabled true|false] ' +
    "[--notify-admins true|false] [--emails a@x,b@y (empty: none)]; prints the rule; recorded in the tenant's log (ALERT_RULE_UPDATED).",
  options: {
    tenant: { type: 'string' },
    rule: { type: 'string' },
    threshold: { type: 'string' },
    'window-minutes': { type: 'string' },
    'min-accounts': { type: 'string' },
    enabled: { type: 'string' },
    'notify-admins': { type: 'string' },
    emails: { type: 'string' },
  },
  async run(values) {
    const tenantId = tenantOf(values);
    const opt = <T>(v: unknown, schema: z.ZodType<T>): T | undefined => (v === undefined ? undefined : schema.parse(v));
    const input = ZAlertRuleUpdateInput.parse({
      rule: ZAlertRuleName.parse(required(values, 'rule')),
      threshold: opt(values.threshold, ZCount('threshold')),
      windowMinutes: opt(values['window-minutes'], ZCount('window-minutes')),
      minAccounts: opt(values['min-accounts'], ZCount('min-accounts')),
      enabled: opt(values.enabled, ZFlag),
      notifyAdmins: opt(values['notify-admins'], ZFlag),
      emails:
        values.emails === undefined
          ? undefined
          : String(values.emails)
              .split(',')
              .map((e) => e.trim())
              .filter((e) => e !== ''),
    });
    const { before, after } = await withOrm((orm) => updateAlertRule(orm, tenantId, input));
    const { isDefault: _b, updatedAt: _bu, rule: _br, ...was } = before;
    const { isDefault: _a, updatedAt: _au, rule: _ar, ...now } = after;
    await recordAdministration([
      administrationEvent(
        tenantId,
        'ALERT_RULE_UPDATED',
        operatorActor(),
        { type: 'ALERT_RULE', id: input.rule, label: input.rule },
        { before: was, after: now },
      ),
    ]);
    printJson(after);
    return 0;
  },
};

export const alertList: TCommand = {
  summary: "Prints the tenant's latest alerts, newest first, with what triggered each and their delivery state.",
  options: { tenant: { type: 'string' }, limit: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    const limit = z.coerce.number().int().min(1).max(200).default(20).parse(values.limit);
    printJson({ items: await withOrm((orm) => listAlerts(orm, tenantId, { limit })) });
    return 0;
  },
};

export const alertWebhookAdd: TCommand = {
  summary:
    'Adds a webhook that receives every alert of the tenant (signed POST, Modula-Signature); prints {"webhook","signingSecret"} ' +
    '(a generated secret is shown only once; --secret S to give one).',
  options: { tenant: { type: 'string' }, url: { type: 'string' }, secret: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    const config = cliConfig();
    const added = await withOrm(async (orm) =>
      addAlertWebhook(
        orm,
        await installationSecret(config, orm),
        { allowHttp: config.STREAM_ALLOW_HTTP, allowPrivate: config.STREAM_ALLOW_PRIVATE_ADDRESSES },
        tenantId,
        { url: required(values, 'url'), secret: values.secret as string | undefined },
      ),
    );
    await recordAdministration([
      administrationEvent(tenantId, 'ALERT_WEBHOOK_ADDED', operatorActor(), {
        type: 'ALERT_WEBHOOK',
        id: added.webhook.id,
        label: added.webhook.url.slice(0, 200),
      }),
    ]);
    printJson(added);
    return 0;
  },
};

export const alertWebhookList: TCommand = {
  summary:
    "Prints the tenant's alert webhooks (never their secrets; a URL that is its own credential, such as a Slack webhook's, as scheme, host and [REDACTED]).",
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    // shown redacted either way; sealed in place only with the installation's own secret
    printJson({ items: await withOrm(async (orm) => listAlertWebhooks(orm, tenantId, await installationSecretIfHere(cliConfig(), orm))) });
    return 0;
  },
};

export const alertWebhookRemove: TCommand = {
  summary: 'Removes an alert webhook by its id; prints it.',
  options: { tenant: { type: 'string' }, id: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    const id = z.uuid({ error: '--id must be a webhook id (UUID)' }).parse(required(values, 'id'));
    const removed = await withOrm((orm) => removeAlertWebhook(orm, tenantId, id));
    await recordAdministration([
      administrationEvent(tenantId, 'ALERT_WEBHOOK_REMOVED', operatorActor(), { type: 'ALERT_WEBHOOK', id: removed.id, label: removed.url.slice(0, 200) }),
    ]);
    printJson(removed);
    return 0;
  },
};

/**
 * verify-chain found the chain broken: the alert worker raises CHAIN_BROKEN. A queue that cannot be
 * reached is said on stderr; the command's answer and exit code stay what the verification found.
 */
export async function reportChainBrokenFromCli(found: Omit<TAlertChainBrokenJob, 'v'>): Promise<void> {
  const config = cliConfig();
  const redis = createRedis(config, 'producer');
  const queue = new AlertQueue(redis, config.QUEUE_PREFIX);
  try {
    await redisReady(redis);
    await queue.chainBroken(found);
  } catch (err) {
    process.stderr.write(`could not queue the chain-broken alert: ${(err as Error).message}\n`);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
