import { Badge, Group, Tooltip } from '@mantine/core';
import type { TAuditEventView } from '@modula/contracts';
import { formatDateTime } from '../common/format-time.ts';
import { formatSyncedLate, syncDelayMs } from './synced-late.ts';

/** "offline" when the device recorded the event without a connection; "synced 3 days late" when it arrived late. */
export function SyncBadges({ event }: { event: Pick<TAuditEventView, 'occurredAt' | 'receivedAt' | 'context'> }) {
  const late = formatSyncedLate(syncDelayMs(event.occurredAt, event.receivedAt));
  if (!event.context.offline && !late) return null;
  return (
    <Group gap={4} wrap="wrap">
      {event.context.offline && (
        <Badge color="grape" variant="light" tt="none" style={{ flexShrink: 0 }}>
          offline
        </Badge>
      )}
      {late && (
        <Tooltip label={`Received ${formatDateTime(event.receivedAt)}`}>
          <Badge color="yellow" variant="light" tt="none" style={{ flexShrink: 0 }}>
            {late}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}
