import { Button, type ButtonProps } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { announceSessionEnded } from './session-ended.ts';
import { useTRPC } from './trpc.ts';

/**
 * Revokes the session on the service, forgets every cached answer, returns to the sign-in screen, and
 * tells the other tabs of the browser, which do the same.
 */
export function SignOutButton({ variant = 'default' }: { variant?: ButtonProps['variant'] }) {
  const { t } = useTranslation();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => {
        announceSessionEnded();
        queryClient.clear();
        void navigate('/sign-in', { replace: true });
      },
    }),
  );
  return (
    <Button variant={variant} size="xs" loading={logout.isPending} onClick={() => logout.mutate()}>
      {t('app.signOut')}
    </Button>
  );
}
