import { Anchor, Stack, Table, Text } from '@mantine/core';
import type { TAuditEventView, TBranchView } from '@modula/contracts';
import { memo } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../common/format-time.ts';
import { revealHidden, UserText } from '../common/user-text.tsx';
import { ActionValue, ActorValue, BranchValue, DeviceValue, IpValue, TargetValue } from './event-values.tsx';
import { EventSentence } from './event-sentence.tsx';
import { OutcomeBadge } from './outcome-badge.tsx';
import { SyncBadges } from './sync-badges.tsx';

/**
 * One event of the log; the description links to its entry (also with the keyboard), the row opens it
 * on click. Memoised: when a page of events arrives, the rows already in the page keep their props
 * (the events are the same objects, `onOpen` takes the id) and are not rendered again.
 */
export const LogRow = memo(function LogRow({
  event,
  branch,
  entryHref,
  selected,
  onOpen,
}: {
  event: TAuditEventView;
  branch: TBranchView | undefined;
  entryHref: string;
  selected: boolean;
  onOpen: (id: string) => void;
}) {
  return (
    <Table.Tr
      onClick={() => onOpen(event.id)}
      style={{ cursor: 'pointer' }}
      bg={selected ? 'var(--mantine-color-indigo-0)' : undefined}
      data-testid="log-row"
      data-selected={selected || undefined}
    >
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatDateTime(event.occurredAt)}</Text>
      </Table.Td>
      <Table.Td>
        <ActorValue actor={event.actor} />
      </Table.Td>
      <Table.Td>
        <Stack gap={0}>
          <Anchor
            component={Link}
            to={entryHref}
            size="sm"
            onClick={(e) => {
              e.stopPropagation();
            }}
          >
            <EventSentence event={event} />
          </Anchor>
          <ActionValue action={event.action} />
        </Stack>
      </Table.Td>
      <Table.Td>
        {event.entity ? (
          <Stack gap={0}>
            <TargetValue entity={event.entity} />
            <Text size="xs" c="dimmed" truncate="end" maw={220} title={revealHidden(event.entity.id)}>
              <UserText value={event.entity.type} />
              {event.entity.label && (
                <>
                  {' · '}
                  <UserText value={event.entity.id} />
                </>
              )}
            </Text>
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <OutcomeBadge outcome={event.outcome} reason={event.reason} />
      </Table.Td>
      <Table.Td>
        <BranchValue branchId={event.branchId} branch={branch} />
      </Table.Td>
      <Table.Td>
        <IpValue ip={event.context.ip} />
      </Table.Td>
      <Table.Td>
        <DeviceValue deviceId={event.context.deviceId} />
      </Table.Td>
      <Table.Td>
        <SyncBadges event={event} />
      </Table.Td>
    </Table.Tr>
  );
});
