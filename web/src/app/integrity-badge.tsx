import { Badge, Button, Group, Popover, Stack, Text, UnstyledButton } from '@mantine/core';
import type { TIntegrityVerifyOutput } from '@modula/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { displayLocale, formatClock, formatDateTime } from '../common/format-time.ts';
import { integrityDetail, integrityText, untrustedKeysWarning } from './integrity-text.ts';
import { errorCodeOf, useTRPC, useTRPCClient } from './trpc.ts';
import { useTranslation } from 'react-i18next';
import { asTranslate } from '../i18n/english.ts';

/** When a check ran: the service's `checkedAt`, else when its answer arrived. */
function checkedAtOf(result: TIntegrityVerifyOutput, answeredAt: number): string {
  return result.checkedAt ?? new Date(answeredAt).toISOString();
}

/**
 * The state of the tenant's hash chain in the header. It is asked for on its own request (see
 * `travelsAlone` in trpc.ts), so the log's first rows never wait for it. The quick check starts from
 * the latest signed checkpoint: its signature and chain hash, then only the events after it
 * recomputed. Green when intact, red at the first broken seq; orange, with a warning naming them,
 * when the database lists signing keys this server does not trust. A click opens what was checked
 * and when, "Check again", and a full check from event 1 on demand.
 */
export function IntegrityBadge() {
  const { t: tx } = useTranslation();
  const t = asTranslate(tx);
  const locale = displayLocale() ?? 'en';
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const verify = useQuery(trpc.integrity.verify.queryOptions(undefined, { staleTime: 5 * 60_000 }));
  // the full check's answer replaces the quick one: it is the newer and the stronger statement
  const full = useMutation({
    mutationFn: () => client.integrity.verify.query({ full: true }),
    onSuccess: (result) => queryClient.setQueryData(trpc.integrity.verify.queryKey(), result),
  });
  const checking = verify.isFetching || full.isPending;
  let label = t('chain.checking');
  let color = 'gray';
  let detail = t('chain.checkingDetail');
  let checkedAt: string | undefined;
  let warning: string | undefined;
  if (verify.isError && !verify.data) {
    label = t('chain.notChecked');
    detail = t('chain.notCheckedDetail');
  } else if (verify.data) {
    checkedAt = checkedAtOf(verify.data, verify.dataUpdatedAt);
    label = integrityText(verify.data, formatClock(checkedAt), t, locale);
    color = verify.data.ok ? 'teal' : 'red';
    detail = verify.data.ok ? integrityDetail(verify.data, t, locale) : (verify.data.reason ?? t('chain.altered'));
    warning = untrustedKeysWarning(verify.data, t);
    if (warning) {
      if (verify.data.ok) {
        label = t('chain.untrusted', { label });
        color = 'orange';
      }
      detail = `${warning} ${detail}`;
    }
  }
  const fullError = full.isError && (errorCodeOf(full.error) === 'TOO_MANY_REQUESTS' ? t('chain.fullRunning') : t('chain.fullFailed'));
  return (
    <Popover position="bottom-end" width={320} withArrow shadow="md">
      <Popover.Target>
        <UnstyledButton aria-label={t('chain.badgeLabel', { label, warning: warning ? `${warning} ` : '' })} aria-live="polite" data-testid="integrity-badge">
          <Badge color={color} variant={verify.data?.ok === false ? 'filled' : 'light'} size="lg" tt="none" style={{ cursor: 'pointer' }} maw="100%">
            {checking && verify.data ? t('chain.checking') : label}
          </Badge>
        </UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" data-testid="integrity-details">
          <Text size="sm" fw={600}>
            {label}
          </Text>
          {checkedAt && (
            <Text size="sm" data-testid="integrity-checked-at">
              {verify.data?.fromCheckpointSeq == null ? t('chain.checkedFrom1') : t('chain.checkedFromCheckpoint')}{' '}
              <time dateTime={checkedAt}>{formatDateTime(checkedAt)}</time>
            </Text>
          )}
          {verify.data?.lastCheckpoint && (
            <Text size="xs" c="dimmed">
              {t('chain.latestCheckpoint', { seq: verify.data.lastCheckpoint.seq, time: formatDateTime(verify.data.lastCheckpoint.createdAt) })}
            </Text>
          )}
          <Text size="xs">{detail}</Text>
          {fullError && (
            <Text size="xs" c="red.8" role="alert">
              {fullError}
            </Text>
          )}
          <Group gap="xs">
            <Button size="xs" variant="default" loading={verify.isFetching} disabled={full.isPending} onClick={() => void verify.refetch()}>
              {t('chain.checkAgain')}
            </Button>
            <Button size="xs" variant="light" loading={full.isPending} disabled={verify.isFetching} onClick={() => full.mutate()}>
              {t('chain.fullCheck')}
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
