import { Badge, Group, Tooltip } from '@mantine/core';
import type { TAuditEventView } from '@modula/contracts';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../common/format-time.ts';
import { syncDelayMs, syncedLate } from './synced-late.ts';

/** "offline" when the device recorded the event without a connection; "synced 3 days late" when it arrived late. */
export function SyncBadges({ event }: { event: Pick<TAuditEventView, 'occurredAt' | 'receivedAt' | 'context'> }) {
  const { t } = useTranslation();
  const delay = syncedLate(syncDelayMs(event.occurredAt, event.receivedAt));
  const late = delay && t(`sync.late_${delay.unit}`, { count: delay.n });
  if (!event.context.offline && !late) return null;
  return (
    <Group gap={4} wrap="wrap">
      {event.context.offline && (
        <Badge color="grape" variant="light" tt="none" style={{ flexShrink: 0 }}>
          {t('sync.offline')}
        </Badge>
      )}
      {late && (
        <Tooltip label={t('sync.received', { time: formatDateTime(event.receivedAt) })}>
          <Badge color="yellow" variant="light" tt="none" style={{ flexShrink: 0 }}>
            {late}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}
