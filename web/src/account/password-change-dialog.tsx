import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { errorCodeOf, useTRPC } from '../app/trpc.ts';
import { confirmationProblem, PASSWORD_POLICY_HINT, passwordChangedText, passwordChangeErrorText } from './password-change-text.ts';

/**
 * The signed-in user's own password change (`auth.changePassword`), for every role: the current
 * password, the new one with the policy it must meet, and the new one again. The service's refusal
 * is shown in its words (a password it finds too easy, one of the last four, a wrong current
 * password); once changed, the dialog says the user's other sessions were signed out.
 */
export function PasswordChangeDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
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
    const problem = confirmationProblem(next, again);
    setMismatch(problem);
    if (!problem) change.mutate({ currentPassword: current, newPassword: next });
  };
  return (
    <Modal opened={opened} onClose={close} title="Change your password" centered closeButtonProps={{ 'aria-label': 'Close the password dialog' }}>
      {change.isSuccess ? (
        <Stack>
          <Alert color="teal" title="Password changed" role="status">
            <Text size="sm">{passwordChangedText(change.data.sessionsRevoked)}</Text>
          </Alert>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} aria-label="Change your password">
          <Stack>
            <PasswordInput
              label="Current password"
              autoComplete="current-password"
              required
              data-autofocus
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
            />
            <PasswordInput
              label="New password"
              description={PASSWORD_POLICY_HINT}
              autoComplete="new-password"
              required
              maxLength={1024}
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
            />
            <PasswordInput
              label="Confirm new password"
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
              <Alert color="red" title="The password was not changed" role="alert">
                <Text size="sm">{passwordChangeErrorText(errorCodeOf(change.error), change.error.message)}</Text>
              </Alert>
            )}
            <Text size="xs" c="dimmed">
              Your other sessions will be signed out; this one stays signed in.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={change.isPending}>
                Cancel
              </Button>
              <Button type="submit" loading={change.isPending}>
                Change password
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
