import { ActionIcon, Alert, Button, Code, CopyButton, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { READ_TOKEN_DEFAULT_DAYS, READ_TOKEN_MAX_DAYS, type TReadTokenCreateOutput } from '@modula/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTRPC } from '../app/trpc.ts';
import { CopyIcon } from '../common/copy-icon.tsx';
import { formatDateTime } from '../common/format-time.ts';

/**
 * Makes a read token: a name and its lifetime, then the token itself, shown this once with a copy
 * button (the service keeps only its hash). Closing forgets it.
 */
export function CreateTokenDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.readTokens.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.readTokens.list.queryKey() }) }),
  );
  const [name, setName] = useState('');
  const [days, setDays] = useState<number>(READ_TOKEN_DEFAULT_DAYS);
  const [made, setMade] = useState<TReadTokenCreateOutput | null>(null);
  const close = () => {
    setMade(null);
    setName('');
    setDays(READ_TOKEN_DEFAULT_DAYS);
    create.reset();
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={made ? t('tokens.madeTitle') : t('tokens.createTitle')}
      closeButtonProps={{ 'aria-label': t('tokens.close') }}
    >
      {made ? (
        <Stack>
          <Alert color="yellow" title={t('tokens.onceTitle')}>
            {t('tokens.once')}
          </Alert>
          <Group gap={6} wrap="nowrap" align="flex-start">
            <Code block fz="xs" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap', flex: 1 }} data-testid="new-read-token">
              {made.token}
            </Code>
            <CopyButton value={made.token}>
              {({ copied, copy }) => (
                <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={copied ? t('tokens.copied') : t('tokens.copy')}>
                  <CopyIcon copied={copied} />
                </ActionIcon>
              )}
            </CopyButton>
          </Group>
          <Text size="sm" c="dimmed">
            {t('tokens.expiresOn', { at: formatDateTime(made.expiresAt) })}
          </Text>
          <Group justify="flex-end">
            <Button onClick={close}>{t('tokens.done')}</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name: name.trim(), expiresInDays: days }, { onSuccess: (data) => setMade(data) });
          }}
        >
          <Stack>
            <TextInput
              label={t('tokens.name')}
              description={t('tokens.nameHint')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={80}
              required
              data-autofocus
            />
            <NumberInput
              label={t('tokens.days')}
              description={t('tokens.daysHint', { max: READ_TOKEN_MAX_DAYS })}
              value={days}
              onChange={(v) => setDays(typeof v === 'number' ? v : Number(v) || READ_TOKEN_DEFAULT_DAYS)}
              min={1}
              max={READ_TOKEN_MAX_DAYS}
              allowDecimal={false}
              required
            />
            {create.isError && (
              <Text size="sm" c="red" role="alert">
                {create.error.message}
              </Text>
            )}
            <Group justify="flex-end">
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
                {t('tokens.createButton')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
