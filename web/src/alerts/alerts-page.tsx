import { Anchor, Badge, Button, EmptyState, Group, Loader, NumberInput, Paper, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { ALERT_DELIVERY_CAP, type TAlertRuleView, type TAlertView } from '@modula/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useTRPC } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { formatDateTime, formatNumber } from '../common/format-time.ts';
import { UserSentence, UserText, userTextSlot } from '../common/user-text.tsx';
import { alertLogHref } from './alert-link.ts';

const STATE_COLOR = { SENT: 'green', PENDING: 'yellow', FAILED: 'red' } as const;

/**
 * Alerts (issue 16): what the service raised from the log — which rule, about whom, how many events
 * in which window, where it was delivered — with a link to the triggering events; and the rules,
 * whose thresholds, windows and switch an Admin changes here (each change is recorded in the log).
 */
export function AlertsPage() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const alerts = useQuery(trpc.alerts.list.queryOptions({ limit: 50 }, { staleTime: 10_000 }));
  const rules = useQuery(trpc.alerts.rules.list.queryOptions(undefined, { staleTime: 30_000 }));
  return (
    <Stack gap="lg">
      <Stack gap={2}>
        <Title order={2} size="h3">
          {t('alerts.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('alerts.intro')}
        </Text>
      </Stack>
      <Stack gap="xs">
        <Title order={3} size="h4">
          {t('alerts.recent')}
        </Title>
        {alerts.isPending && <Loader size="sm" aria-label={t('alerts.loading')} />}
        {alerts.isError && <ErrorState error={alerts.error} what={t('alerts.what')} onRetry={() => void alerts.refetch()} />}
        {alerts.data &&
          (alerts.data.items.length === 0 ? (
            <Paper withBorder py="xl">
              <EmptyState title={t('alerts.none')} description={t('alerts.noneHint')} />
            </Paper>
          ) : (
            <AlertsTable items={alerts.data.items} />
          ))}
      </Stack>
      <Stack gap="xs">
        <Title order={3} size="h4">
          {t('alerts.rules')}
        </Title>
        {rules.isError && <ErrorState error={rules.error} what={t('alerts.rulesWhat')} onRetry={() => void rules.refetch()} />}
        {rules.data && <RulesTable items={rules.data.items} />}
      </Stack>
    </Stack>
  );
}

function AlertsTable({ items }: { items: TAlertView[] }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const acknowledge = useMutation(
    trpc.alerts.acknowledge.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() }) }),
  );
  return (
    <Paper withBorder>
      <Table.ScrollContainer minWidth={820} type="native" tabIndex={0} role="region" aria-label={t('alerts.scrolls')}>
        <Table verticalSpacing="sm" aria-label={t('alerts.table')} data-testid="alerts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('alerts.raised')}</Table.Th>
              <Table.Th>{t('alerts.rule')}</Table.Th>
              <Table.Th>{t('alerts.subject')}</Table.Th>
              <Table.Th>{t('alerts.count')}</Table.Th>
              <Table.Th>{t('alerts.window')}</Table.Th>
              <Table.Th>{t('alerts.delivery')}</Table.Th>
              <Table.Th>{t('alerts.events')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((a) => (
              <Table.Tr key={a.id} data-rule={a.rule}>
                <Table.Td>
                  <Text size="sm">{formatDateTime(a.raisedAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {t(`alerts.ruleName.${a.rule}`)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    <UserText value={a.subjectLabel ?? a.subject} />
                  </Text>
                  {a.subjectLabel && a.subjectLabel !== a.subject && (
                    <Text size="xs" c="dimmed" ff="monospace">
                      <UserText value={a.subject} />
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color="red" variant="light" size="lg">
                    {formatNumber(a.count)}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {t('alerts.over', { threshold: formatNumber(a.threshold) })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(a.windowStart)}</Text>
                  <Text size="xs" c="dimmed">
                    {t('alerts.minutes', { count: a.windowMinutes })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    {a.held ? (
                      <Badge color="orange" variant="light" size="sm" data-testid="alert-held">
                        {t('alerts.held')}
                      </Badge>
                    ) : (
                      a.deliveries.length === 0 && (
                        <Text size="xs" c="dimmed">
                          {t('alerts.noRecipient')}
                        </Text>
                      )
                    )}
                    {a.held && (
                      <Text size="xs" c="dimmed" maw={260}>
                        {t('alerts.heldWhy', ALERT_DELIVERY_CAP)}
                      </Text>
                    )}
                    {/* two webhooks on one host are shown alike (their URLs sealed): keyed by the webhook's id */}
                    {a.deliveries.map((d, i) => (
                      <Group key={`${d.channel}${d.webhookId ?? i}`} gap={4} wrap="nowrap" title={d.lastError ?? undefined}>
                        <Badge color={STATE_COLOR[d.state]} variant="light" size="sm">
                          {t(`alerts.state.${d.state}`)}
                        </Badge>
                        <Text size="xs" truncate maw={220}>
                          {t(`alerts.channel.${d.channel}`)}: <UserText value={d.target} />
                        </Text>
                      </Group>
                    ))}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <Anchor component={Link} to={alertLogHref(a)} size="sm" data-testid="alert-events">
                      {t('alerts.showEvents')}
                    </Anchor>
                    {a.acknowledgedAt ? (
                      <Text size="xs" c="dimmed">
                        <UserSentence text={t('alerts.acknowledgedBy', { name: userTextSlot(0) })} values={[a.acknowledgedBy ?? '']} />
                      </Text>
                    ) : (
                      <Button size="compact-xs" variant="default" loading={acknowledge.isPending} onClick={() => acknowledge.mutate({ id: a.id })}>
                        {t('alerts.acknowledge')}
                      </Button>
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function RulesTable({ items }: { items: TAlertRuleView[] }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder>
      <Table.ScrollContainer minWidth={760} type="native" tabIndex={0} role="region" aria-label={t('alerts.rulesScrolls')}>
        <Table verticalSpacing="sm" aria-label={t('alerts.rules')} data-testid="alert-rules">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('alerts.rule')}</Table.Th>
              <Table.Th>{t('alerts.enabled')}</Table.Th>
              <Table.Th>{t('alerts.threshold')}</Table.Th>
              <Table.Th>{t('alerts.windowMinutes')}</Table.Th>
              <Table.Th>{t('alerts.minAccounts')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((rule) => (
              <RuleRow key={`${rule.rule}${rule.updatedAt ?? ''}`} rule={rule} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function RuleRow({ rule }: { rule: TAlertRuleView }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState({ enabled: rule.enabled, threshold: rule.threshold, windowMinutes: rule.windowMinutes, minAccounts: rule.minAccounts });
  const update = useMutation(
    trpc.alerts.rules.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.alerts.rules.list.queryKey() }) }),
  );
  const changed =
    draft.enabled !== rule.enabled ||
    draft.threshold !== rule.threshold ||
    draft.windowMinutes !== rule.windowMinutes ||
    draft.minAccounts !== rule.minAccounts;
  const name = t(`alerts.ruleName.${rule.rule}`);
  const whole = (v: string | number, min: number) => Math.max(min, Math.round(Number(v) || 0));
  return (
    <Table.Tr data-rule={rule.rule}>
      <Table.Td>
        <Text size="sm" fw={500}>
          {name}
        </Text>
        <Text size="xs" c="dimmed">
          {rule.isDefault ? t('alerts.isDefault') : t('alerts.changed')}
        </Text>
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={t('alerts.enabledOf', { rule: name })}
          checked={draft.enabled}
          onChange={(e) => setDraft({ ...draft, enabled: e.currentTarget.checked })}
        />
      </Table.Td>
      <Table.Td>
        <NumberInput
          aria-label={t('alerts.thresholdOf', { rule: name })}
          size="xs"
          w={90}
          min={0}
          value={draft.threshold}
          onChange={(v) => setDraft({ ...draft, threshold: whole(v, 0) })}
        />
      </Table.Td>
      <Table.Td>
        <NumberInput
          aria-label={t('alerts.windowOf', { rule: name })}
          size="xs"
          w={90}
          min={1}
          max={10_080}
          value={draft.windowMinutes}
          onChange={(v) => setDraft({ ...draft, windowMinutes: whole(v, 1) })}
        />
      </Table.Td>
      <Table.Td>
        {rule.rule === 'LOGIN_FAILURES_ADDRESS' ? (
          <NumberInput
            aria-label={t('alerts.minAccountsOf', { rule: name })}
            size="xs"
            w={90}
            min={1}
            value={draft.minAccounts}
            onChange={(v) => setDraft({ ...draft, minAccounts: whole(v, 1) })}
          />
        ) : (
          <Text size="xs" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Button size="xs" disabled={!changed} loading={update.isPending} onClick={() => update.mutate({ rule: rule.rule, ...draft })}>
          {t('alerts.save')}
        </Button>
        {update.isError && (
          <Text size="xs" c="red" role="alert">
            {update.error.message}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
