import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { TStreamView } from '@modula/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useTRPC } from '../app/trpc.ts';
import { UserSentence, userTextSlot } from '../common/user-text.tsx';
import { asTranslate } from '../i18n/english.ts';
import { streamErrorText } from './stream-text.ts';

/** Asks before deleting: the destination stops receiving the log at once, and its cursor is gone. */
export function DeleteStreamDialog({ stream, onClose }: { stream: TStreamView | null; onClose: () => void }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.streams.delete.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.streams.list.queryKey() }) }),
  );
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal opened={stream !== null} onClose={close} title={t('streams.deleteTitle')} closeButtonProps={{ 'aria-label': t('streams.close') }}>
      {stream && (
        <Stack>
          <Text size="sm">
            <UserSentence text={t('streams.deleteConfirm', { name: userTextSlot(0) })} values={[stream.name]} />
          </Text>
          {remove.isError && (
            <Text size="sm" c="red" role="alert">
              {streamErrorText(remove.error, asTranslate(t))}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('streams.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate({ id: stream.id }, { onSuccess: close })}>
              {t('streams.deleteButton')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
