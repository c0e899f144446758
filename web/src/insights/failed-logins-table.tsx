import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import type { TFailedLoginsOutput } from '@modula/contracts';
import { Link } from 'react-router';
import { formatDateTime, formatNumber, zoneLabel } from '../common/format-time.ts';
import { UserText } from '../common/user-text.tsx';
import { logHref } from '../log/log-filters.ts';
import { useTranslation } from 'react-i18next';

type TItem = TFailedLoginsOutput['items'][number];

/** Accounts with a burst of failed sign-ins, each linked to its LOGIN_FAILED events in the log. */
export function FailedLoginsTable({ items }: { items: TItem[] }) {
  const { t } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table highlightOnHover verticalSpacing="sm" aria-label={t('insights.table')} data-testid="failed-logins">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('insights.account')}</Table.Th>
            <Table.Th>{t('insights.failures')}</Table.Th>
            <Table.Th>{t('insights.first', { zone: zoneLabel() })}</Table.Th>
            <Table.Th>{t('insights.last')}</Table.Th>
            <Table.Th>{t('insights.ips')}</Table.Th>
            <Table.Th>{t('insights.inLog')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.actorId}>
              <Table.Td>
                <Stack gap={0}>
                  <Text size="sm" fw={500}>
                    <UserText value={item.actorName ?? item.actorId} />
                  </Text>
                  {item.actorName && (
                    <Text size="xs" c="dimmed" ff="monospace">
                      <UserText value={item.actorId} />
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                <Badge color="red" variant="light" size="lg">
                  {formatNumber(item.failures)}
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
                      {t('insights.unknown')}
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
                  {t('insights.show')}
                </Anchor>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
