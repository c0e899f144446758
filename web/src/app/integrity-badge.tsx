import { Badge, Tooltip, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { formatClock } from '../common/format-time.ts';
import { integrityDetail, integrityText, untrustedKeysWarning } from './integrity-text.ts';
import { useTRPC } from './trpc.ts';

/**
 * The state of the tenant's hash chain, checked by the service when the viewer opens (and on
 * click) from the latest signed checkpoint: green when the checkpoint holds and every later event
 * still links to the one before, red at the first broken seq; orange, with a warning naming them,
 * when the database lists signing keys this server does not trust (`notTrustedKeys`).
 */
export function IntegrityBadge() {
  const trpc = useTRPC();
  const verify = useQuery(trpc.integrity.verify.queryOptions(undefined, { staleTime: 5 * 60_000 }));
  let label = 'Checking the chain…';
  let color = 'gray';
  let detail = 'The service is recomputing the hash chain of the log.';
  let warning: string | undefined;
  if (verify.isError) {
    label = 'Chain not checked';
    detail = 'The integrity check could not run. Click to try again.';
  } else if (verify.data) {
    const checkedAt = verify.data.checkedAt ?? new Date(verify.dataUpdatedAt).toISOString();
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
  return (
    <Tooltip label={detail} multiline w={280} withArrow>
      <UnstyledButton
        onClick={() => void verify.refetch()}
        aria-label={`${label}. ${warning ? `${warning} ` : ''}Check the chain again`}
        aria-live="polite"
        data-testid="integrity-badge"
      >
        <Badge color={color} variant={verify.data?.ok === false ? 'filled' : 'light'} size="lg" tt="none" style={{ cursor: 'pointer' }}>
          {verify.isFetching && verify.data ? 'Checking the chain…' : label}
        </Badge>
      </UnstyledButton>
    </Tooltip>
  );
}
