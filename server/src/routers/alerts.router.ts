import {
  ZAlertAcknowledgeInput,
  ZAlertAcknowledgeOutput,
  ZAlertRulesOutput,
  ZAlertRuleUpdateInput,
  ZAlertRuleUpdateOutput,
  ZAlertsListInput,
  ZAlertsListOutput,
  ZAlertWebhookAddInput,
  ZAlertWebhookAddOutput,
  ZAlertWebhookRemoveInput,
  ZAlertWebhookRemoveOutput,
  ZAlertWebhooksOutput,
  ZNoInput,
} from '@modula/contracts';
import {
  acknowledgeAlert,
  addAlertWebhook,
  alertSummary,
  listAlertRules,
  listAlerts,
  listAlertWebhooks,
  removeAlertWebhook,
  updateAlertRule,
} from '@modula/domain';
import { resolveServerSecret } from '@modula/config';
import { recordAlertChange } from '../alert-signals.ts';
import { adminProcedure, router } from '../trpc.ts';

const settings = ({
  isDefault: _d,
  updatedAt: _u,
  rule: _r,
  ...rest
}: { isDefault: boolean; updatedAt: string | null; rule: string } & Record<string, unknown>) => rest;

/** Alerts (issue 16): Admins read the alerts and change the rules and webhooks; every change is recorded in the log. */
export const alertsRouter = router({
  list: adminProcedure
    .input(ZAlertsListInput)
    .output(ZAlertsListOutput)
    .query(async ({ ctx, input }) => ({ items: await listAlerts(ctx.services.orm, ctx.tenantId, input) })),
  acknowledge: adminProcedure
    .input(ZAlertAcknowledgeInput)
    .output(ZAlertAcknowledgeOutput)
    .mutation(async ({ ctx, input }) => {
      const { alert, changed } = await acknowledgeAlert(ctx.services.orm, ctx.tenantId, input.id, ctx.session.name ?? ctx.session.email);
      if (changed)
        await recordAlertChange(
          ctx.services,
          ctx.session,
          'ALERT_ACKNOWLEDGED',
          { type: 'ALERT', id: alert.id, label: alertSummary(alert).slice(0, 200) },
          {},
          ctx.http?.ip ?? null,
        );
      return { alert };
    }),
  rules: router({
    list: adminProcedure
      .input(ZNoInput)
      .output(ZAlertRulesOutput)
      .query(async ({ ctx }) => ({ items: await listAlertRules(ctx.services.orm, ctx.tenantId) })),
    update: adminProcedure
      .input(ZAlertRuleUpdateInput)
      .output(ZAlertRuleUpdateOutput)
      .mutation(async ({ ctx, input }) => {
        const { before, after } = await updateAlertRule(ctx.services.orm, ctx.tenantId, input);
        await recordAlertChange(
          ctx.services,
          ctx.session,
          'ALERT_RULE_UPDATED',
          { type: 'ALERT_RULE', id: input.rule, label: input.rule },
          { before: settings(before), after: settings(after) },
          ctx.http?.ip ?? null,
        );
        return { rule: after };
      }),
  }),
  webhooks: router({
    list: adminProcedure
      .input(ZNoInput)
      .output(ZAlertWebhooksOutput)
      // given the server secret, a URL stored in clear by an earlier version is sealed now (lazy reseal)
      .query(async ({ ctx }) => ({ items: await listAlertWebhooks(ctx.services.orm, ctx.tenantId, resolveServerSecret(ctx.services.config)) })),
    add: adminProcedure
      .input(ZAlertWebhookAddInput)
      .output(ZAlertWebhookAddOutput)
      .mutation(async ({ ctx, input }) => {
        const { config } = ctx.services;
        const added = await addAlertWebhook(
          ctx.services.orm,
          resolveServerSecret(config),
          { allowHttp: config.STREAM_ALLOW_HTTP, allowPrivate: config.STREAM_ALLOW_PRIVATE_ADDRESSES },
          ctx.tenantId,
          input,
        );
        await recordAlertChange(
          ctx.services,
          ctx.session,
          'ALERT_WEBHOOK_ADDED',
          { type: 'ALERT_WEBHOOK', id: added.webhook.id, label: added.webhook.url.slice(0, 200) },
          { after: { url: added.webhook.url } },
          ctx.http?.ip ?? null,
        );
        return added;
      }),
    remove: adminProcedure
      .input(ZAlertWebhookRemoveInput)
      .output(ZAlertWebhookRemoveOutput)
      .mutation(async ({ ctx, input }) => {
        const removed = await removeAlertWebhook(ctx.services.orm, ctx.tenantId, input.id);
        await recordAlertChange(
          ctx.services,
          ctx.session,
          'ALERT_WEBHOOK_REMOVED',
          { type: 'ALERT_WEBHOOK', id: removed.id, label: removed.url.slice(0, 200) },
          { before: { url: removed.url } },
          ctx.http?.ip ?? null,
        );
        return { removed: true as const };
      }),
  }),
});
