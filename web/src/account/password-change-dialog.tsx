import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorCodeOf, useTRPC } from '../app/trpc.ts';
import { asTranslate } from '../i18n/english.ts';
import { confirmationProblem, passwordChangedText, passwordChangeErrorText } from './password-change-text.ts';

/**
 * The signed-in user's own password change (`auth.changePassword`), for every role: the current
 * password, the new one with the policy it must meet, and the new one again. The service's refusal
 * is shown in its words (a password it finds too easy, one of the last four, a wrong current
 * password); once changed, the dialog says the user's other sessions were signed out.
 */
export function PasswordChangeDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t: tx } = useTranslation();
  const t = asTranslate(tx);
  const trpc = useTRPC();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState<string | undefined>();
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent('');
        setNext('');
        setAgain('');
      },
    }),
  );
  const close = () => {
    setCurrent('');
    setNext('');
    setAgain('');
    setMismatch(undefined);
    change.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = confirmationProblem(next, again, t);
    setMismatch(problem);
    if (!problem) change.mutate({ currentPassword: current, newPassword: next });
  };
  return (
    <Modal opened={opened} onClose={close} title={t('password.title')} centered closeButtonProps={{ 'aria-label': t('password.close') }}>
      {change.isSuccess ? (
        <Stack>
          <Alert color="teal" title={t('password.changed')} role="status">
            <Text size="sm">{passwordChangedText(change.data.sessionsRevoked, t)}</Text>
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>{t('password.done')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} aria-label={t('password.form')}>
          <Stack>
            <PasswordInput
              label={t('password.current')}
              autoComplete="current-password"
              required
              data-autofocus
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
            />
            <PasswordInput
              label={t('password.new')}
              description={t('password.policy')}
              autoComplete="new-password"
              required
              maxLength={1024}
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
            />
            <PasswordInput
              label={t('password.confirm')}
              autoComplete="new-password"
              required
              maxLength={1024}
              value={again}
              error={mismatch}
              onChange={(e) => {
                setAgain(e.currentTarget.value);
                setMismatch(undefined);
              }}
            />
            {change.isError && (
              <Alert color="red" title={t('password.notChanged')} role="alert">
                <Text size="sm">{passwordChangeErrorText(errorCodeOf(change.error), change.error.message, t)}</Text>
              </Alert>
            )}
            <Text size="xs" c="dimmed">
              {t('password.othersSignedOut')}
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={change.isPending}>
                {t('password.cancel')}
              </Button>
              <Button type="submit" loading={change.isPending}>
                {t('password.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
