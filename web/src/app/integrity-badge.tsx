import { Badge, Button, Group, Popover, Stack, Text, UnstyledButton } from '@mantine/core';
import type { TIntegrityVerifyOutput } from '@modula/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { formatClock, formatDateTime } from '../common/format-time.ts';
import { integrityDetail, integrityText, untrustedKeysWarning } from './integrity-text.ts';
import { errorCodeOf, useTRPC, useTRPCClient } from './trpc.ts';

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
  let label = 'Checking the chain…';
  let color = 'gray';
  let detail = 'The service is checking the hash chain of the log from its latest signed checkpoint.';
  let checkedAt: string | undefined;
  let warning: string | undefined;
  if (verify.isError && !verify.data) {
    label = 'Chain not checked';
    detail = 'The integrity check could not run. Check again, or run the full check.';
  } else if (verify.data) {
    checkedAt = checkedAtOf(verify.data, verify.dataUpdatedAt);
    label = integrityText(verify.data, formatClock(checkedAt));
    color = verify.data.ok ? 'teal' : 'red';
    detail = verify.data.ok ? integrityDetail(verify.data) : (verify.data.reason ?? 'An event was altered or removed after it was stored.');
    warning = untrustedKeysWarning(verify.data);
    if (warning) {
      if (verify.data.ok) {
        label = `${label} · untrusted keys`;
        color = 'orange';
      }
      detail = `${warning} ${detail}`;
    }
  }
  const fullError =
    full.isError &&
    (errorCodeOf(full.error) === 'TOO_MANY_REQUESTS'
      ? 'A full check of this log is already running; try again once it has finished.'
      : 'The full check could not run; try again later.');
  return (
    <Popover position="bottom-end" width={320} withArrow shadow="md">
      <Popover.Target>
        <UnstyledButton
          aria-label={`${label}. ${warning ? `${warning} ` : ''}Details and checks of the chain`}
          aria-live="polite"
          data-testid="integrity-badge"
        >
          <Badge color={color} variant={verify.data?.ok === false ? 'filled' : 'light'} size="lg" tt="none" style={{ cursor: 'pointer' }} maw="100%">
            {checking && verify.data ? 'Checking the chain…' : label}
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
              Checked {verify.data?.fromCheckpointSeq == null ? 'from event 1' : 'from the latest signed checkpoint'} at{' '}
              <time dateTime={checkedAt}>{formatDateTime(checkedAt)}</time>
            </Text>
          )}
          {verify.data?.lastCheckpoint && (
            <Text size="xs" c="dimmed">
              Latest signed checkpoint: seq {verify.data.lastCheckpoint.seq}, signed {formatDateTime(verify.data.lastCheckpoint.createdAt)}
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
              Check again
            </Button>
            <Button size="xs" variant="light" loading={full.isPending} disabled={verify.isFetching} onClick={() => full.mutate()}>
              Full check from event 1
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
