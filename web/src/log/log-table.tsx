import { Table, VisuallyHidden } from '@mantine/core';
import type { TAuditEventView, TBranchView } from '@modula/contracts';
import { viewerTimeZone } from '../common/format-time.ts';
import { LogRow } from './log-row.tsx';

/** The log's rows, newest first, with times in the viewer's time zone. */
export function LogTable({
  events,
  branches,
  selectedId,
  entryHref,
  onOpen,
}: {
  events: TAuditEventView[];
  branches: Map<string, TBranchView>;
  selectedId: string | null;
  entryHref: (id: string) => string;
  onOpen: (id: string) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table stickyHeader highlightOnHover verticalSpacing="xs" aria-label="Audit log, newest first">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time ({viewerTimeZone()})</Table.Th>
            <Table.Th>Actor (role then)</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Branch</Table.Th>
            <Table.Th>IP</Table.Th>
            <Table.Th>Device</Table.Th>
            <Table.Th>
              <VisuallyHidden>Sync</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event) => (
            <LogRow
              key={event.id}
              event={event}
              branch={event.branchId ? branches.get(event.branchId) : undefined}
              entryHref={entryHref(event.id)}
              selected={event.id === selectedId}
              onOpen={() => onOpen(event.id)}
            />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
