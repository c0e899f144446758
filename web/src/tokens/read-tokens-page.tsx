import { Badge, Button, EmptyState, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { TReadToken } from '@modula/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTRPC } from '../app/trpc.ts';
import { ErrorState } from '../common/error-state.tsx';
import { formatDateTime } from '../common/format-time.ts';
import { UserText } from '../common/user-text.tsx';
import { CreateTokenDialog } from './create-token-dialog.tsx';
import { RevokeTokenDialog } from './revoke-token-dialog.tsx';
import { tokenState } from './token-state.ts';

const STATE_COLOR = { active: 'teal', expired: 'gray', revoked: 'red' } as const;

/**
 * Read tokens for machines (issue 16): the tenant's tokens with who made them, when they expire and
 * were last used; make one (shown once) and revoke one. Each change is recorded in the log.
 */
export function ReadTokensPage() {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const list = useQuery(trpc.readTokens.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TReadToken | null>(null);
  const tokens = list.data?.items ?? [];
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2} size="h3">
            {t('tokens.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('tokens.intro')}
          </Text>
        </Stack>
        <Button onClick={() => setCreating(true)}>{t('tokens.create')}</Button>
      </Group>
      {list.isPending && (
        <Group justify="center" py="xl" role="status">
          <Loader size="sm" />
        </Group>
      )}
      {list.isError && <ErrorState error={list.error} what={t('tokens.what')} onRetry={() => void list.refetch()} />}
      {list.data &&
        (tokens.length === 0 ? (
          <Paper withBorder py="xl">
            <EmptyState title={t('tokens.none')} description={t('tokens.noneHint')} />
          </Paper>
        ) : (
          <Paper withBorder>
            <Table.ScrollContainer minWidth={760} type="native" tabIndex={0} role="region" aria-label={t('tokens.scrolls')}>
              <Table verticalSpacing="sm" aria-label={t('tokens.table')} data-testid="read-tokens">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('tokens.name')}</Table.Th>
                    <Table.Th>{t('tokens.createdBy')}</Table.Th>
                    <Table.Th>{t('tokens.createdAt')}</Table.Th>
                    <Table.Th>{t('tokens.expiresAt')}</Table.Th>
                    <Table.Th>{t('tokens.lastUsedAt')}</Table.Th>
                    <Table.Th>{t('tokens.state')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tokens.map((token) => {
                    const state = tokenState(token, new Date());
                    return (
                      <Table.Tr key={token.id} data-token-id={token.id}>
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            <UserText value={token.name} />
                          </Text>
                        </Table.Td>
                        <Table.Td>{token.createdBy === null ? '—' : <UserText value={token.createdBy} />}</Table.Td>
                        <Table.Td>{formatDateTime(token.createdAt)}</Table.Td>
                        <Table.Td>{formatDateTime(token.expiresAt)}</Table.Td>
                        <Table.Td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : t('tokens.neverUsed')}</Table.Td>
                        <Table.Td>
                          <Badge color={STATE_COLOR[state]} variant="light">
                            {state === 'revoked' && token.revokedAt
                              ? t('tokens.revokedAt', { at: formatDateTime(token.revokedAt) })
                              : t(`tokens.states.${state}`)}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          {state !== 'revoked' && (
                            <Button
                              size="xs"
                              variant="subtle"
                              color="red"
                              onClick={() => setRevoking(token)}
                              aria-label={t('tokens.revokeNamed', { name: token.name })}
                            >
                              {t('tokens.revoke')}
                            </Button>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        ))}
      <CreateTokenDialog opened={creating} onClose={() => setCreating(false)} />
      <RevokeTokenDialog token={revoking} onClose={() => setRevoking(null)} />
    </Stack>
  );
}
