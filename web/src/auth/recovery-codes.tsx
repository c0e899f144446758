import { Alert, Button, Checkbox, Code, CopyButton, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';

/**
 * Shown once, right after two-factor enrolment: the one-time recovery codes. Each signs in once
 * in place of the authenticator's code (a lost or broken phone); only their hashes are kept, so
 * they cannot be shown again.
 */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  return (
    <Stack gap="sm">
      <Alert color="yellow" title={t('signIn.keepCodes')}>
        <Trans i18nKey="signIn.keepCodesText" components={{ b: <b /> }} />
      </Alert>
      <SimpleGrid cols={2} spacing="xs" data-testid="recovery-codes" aria-label={t('signIn.codes')}>
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
              {copied ? t('signIn.copied') : t('signIn.copyAll')}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Checkbox label={t('signIn.stored')} checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
      <Button onClick={onDone} disabled={!saved} fullWidth>
        {t('signIn.continue')}
      </Button>
      <Text size="xs" c="dimmed">
        {t('signIn.usedCodeLogged')}
      </Text>
    </Stack>
  );
}

/** The recovery code in place of the authenticator's code, at a later sign-in. */
export function RecoveryCodeForm({ pending, onSubmit, onCancel }: { pending: boolean; onSubmit: (code: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const valid = /^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/.test(code.trim());
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onSubmit(code.trim());
      }}
      aria-label={t('signIn.recoveryForm')}
    >
      <Stack>
        <TextInput
          label={t('signIn.recoveryCode')}
          description={t('signIn.recoveryHint')}
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
          {t('signIn.verify')}
        </Button>
        <Button variant="subtle" onClick={onCancel} disabled={pending}>
          {t('signIn.useApp')}
        </Button>
      </Stack>
    </form>
  );
}
