import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { TReadToken } from '@modula/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useTRPC } from '../app/trpc.ts';
import { UserSentence, userTextSlot } from '../common/user-text.tsx';

/** Asks before revoking: a machine that uses the token is refused from its very next request. */
export function RevokeTokenDialog({ token, onClose }: { token: TReadToken | null; onClose: () => void }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.readTokens.revoke.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.readTokens.list.queryKey() }) }),
  );
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <Modal opened={token !== null} onClose={close} title={t('tokens.revokeTitle')} closeButtonProps={{ 'aria-label': t('tokens.close') }}>
      {token && (
        <Stack>
          <Text size="sm">
            <UserSentence text={t('tokens.revokeConfirm', { name: userTextSlot(0) })} values={[token.name]} />
          </Text>
          {revoke.isError && (
            <Text size="sm" c="red" role="alert">
              {revoke.error.message}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('tokens.cancel')}
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate({ tokenId: token.id }, { onSuccess: close })}>
              {t('tokens.revokeButton')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
