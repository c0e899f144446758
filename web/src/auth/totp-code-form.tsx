import { Button, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

/** The 6-digit code of the authenticator app: one field, digits only, filled by password managers too. */
export function TotpCodeForm({
  pending,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  pending: boolean;
  submitLabel: string;
  onSubmit: (code: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const valid = /^\d{6}$/.test(code);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid) onSubmit(code);
  };
  return (
    <form onSubmit={submit} aria-label={t('signIn.codeForm')}>
      <Stack>
        <TextInput
          label={t('signIn.code')}
          description={t('signIn.codeHint')}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          maxLength={6}
          required
          autoFocus
          value={code}
          onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
          styles={{ input: { letterSpacing: '0.4em', fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <Button type="submit" loading={pending} disabled={!valid} fullWidth>
          {submitLabel}
        </Button>
        <Button variant="subtle" onClick={onCancel} disabled={pending}>
          {t('signIn.otherAccount')}
        </Button>
      </Stack>
    </form>
  );
}
