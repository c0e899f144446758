import { Alert, Button, Checkbox, Code, CopyButton, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';

/**
 * Shown once, right after two-factor enrolment: the one-time recovery codes. Each signs in once
 * in place of the authenticator's code (a lost or broken phone); only their hashes are kept, so
 * they cannot be shown again.
 */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  return (
    <Stack gap="sm">
      <Alert color="yellow" title="Keep these recovery codes">
        If you lose the phone with your authenticator app, each code signs you in <b>once</b> in place of the 6-digit code. Store them somewhere safe and
        separate from your phone (a password manager or a printed copy). They are shown <b>only this once</b>.
      </Alert>
      <SimpleGrid cols={2} spacing="xs" data-testid="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <Code key={c} fz="sm" ta="center">
            {c}
          </Code>
        ))}
      </SimpleGrid>
      <Group justify="flex-end">
        <CopyButton value={codes.join('\n')}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy all'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Checkbox label="I have stored my recovery codes" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
      <Button onClick={onDone} disabled={!saved} fullWidth>
        Continue
      </Button>
      <Text size="xs" c="dimmed">
        A used code is recorded in the audit log like any sign-in.
      </Text>
    </Stack>
  );
}

/** The recovery code in place of the authenticator's code, at a later sign-in. */
export function RecoveryCodeForm({ pending, onSubmit, onCancel }: { pending: boolean; onSubmit: (code: string) => void; onCancel: () => void }) {
  const [code, setCode] = useState('');
  const valid = /^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/.test(code.trim());
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onSubmit(code.trim());
      }}
      aria-label="Sign in with a recovery code"
    >
      <Stack>
        <TextInput
          label="Recovery code"
          description="One of the codes you stored when you set up two-factor authentication; each works once."
          placeholder="abcde-12345"
          autoComplete="off"
          autoFocus
          required
          maxLength={11}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          styles={{ input: { letterSpacing: '0.2em', fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Button type="submit" loading={pending} disabled={!valid} fullWidth>
          Verify
        </Button>
        <Button variant="subtle" onClick={onCancel} disabled={pending}>
          Use the authenticator app instead
        </Button>
      </Stack>
    </form>
  );
}
