import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import type { TFailedLoginsOutput } from '@modula/contracts';
import { Link } from 'react-router';
import { formatDateTime, viewerTimeZone } from '../common/format-time.ts';
import { logHref } from '../log/log-filters.ts';

type TItem = TFailedLoginsOutput['items'][number];

/** Accounts with a burst of failed sign-ins, each linked to its LOGIN_FAILED events in the log. */
export function FailedLoginsTable({ items }: { items: TItem[] }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table highlightOnHover verticalSpacing="sm" aria-label="Accounts with repeated failed sign-ins" data-testid="failed-logins">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Account</Table.Th>
            <Table.Th>Failures in the window</Table.Th>
            <Table.Th>First ({viewerTimeZone()})</Table.Th>
            <Table.Th>Last</Table.Th>
            <Table.Th>IP addresses</Table.Th>
            <Table.Th>In the log</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.actorId}>
              <Table.Td>
                <Stack gap={0}>
                  <Text size="sm" fw={500}>
                    {item.actorName ?? item.actorId}
                  </Text>
                  {item.actorName && (
                    <Text size="xs" c="dimmed" ff="monospace">
                      {item.actorId}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                <Badge color="red" variant="light" size="lg">
                  {item.failures}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(item.firstAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(item.lastAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {item.ips.length === 0 ? (
                    <Text size="sm" c="dimmed">
                      unknown
                    </Text>
                  ) : (
                    item.ips.map((ip) => (
                      <Badge key={ip} variant="outline" color="gray" tt="none" ff="monospace">
                        {ip}
                      </Badge>
                    ))
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={logHref({ actorIds: [item.actorId], actions: ['LOGIN_FAILED'] })} size="sm">
                  Show failed sign-ins
                </Anchor>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
