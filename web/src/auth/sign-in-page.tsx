import { Alert, Button, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { TLoginOutput } from '@modula/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { errorCodeOf, useTRPC } from '../app/trpc.ts';
import { LanguageSwitch } from '../i18n/display-menu.tsx';
import { CredentialsForm } from './credentials-form.tsx';
import { RecoveryCodeForm, RecoveryCodes } from './recovery-codes.tsx';
import { signInErrorKey, type TSignInErrorKey, type TSignInStep } from './sign-in-error.ts';
import { TotpCodeForm } from './totp-code-form.tsx';
import { TotpEnrollment } from './totp-enrollment.tsx';

type TEnrollment = Extract<TLoginOutput, { status: 'TOTP_ENROLLMENT_REQUIRED' }>;
type TStage =
  | { step: 'credentials' }
  | { step: 'code'; email: string; password: string }
  | { step: 'recovery'; email: string; password: string }
  | { step: 'enroll'; enrollment: TEnrollment }
  | { step: 'codes'; recoveryCodes: string[] };

/** Only paths of this app, so a crafted `?next=` cannot send the viewer elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Sign-in: password, then the authenticator code, or on the first sign-in the enrolment of the app. */
export function SignInPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const { t } = useTranslation();
  const [stage, setStage] = useState<TStage>({ step: 'credentials' });
  const [error, setError] = useState<TSignInErrorKey | null>(null);
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { retry: false }));

  const signedIn = async () => {
    await queryClient.resetQueries();
    await navigate(next, { replace: true });
  };
  const fail = (step: TSignInStep) => (err: unknown) => setError(signInErrorKey(errorCodeOf(err), step));

  const login = useMutation(trpc.auth.login.mutationOptions());
  const confirm = useMutation(trpc.auth.confirmTotp.mutationOptions());

  const submitPassword = (email: string, password: string) => {
    setError(null);
    login.mutate(
      { email, password },
      {
        onError: fail('password'),
        onSuccess: (out) => {
          if (out.status === 'OK') void signedIn();
          else if (out.status === 'TOTP_REQUIRED') setStage({ step: 'code', email, password });
          else setStage({ step: 'enroll', enrollment: out });
        },
      },
    );
  };
  const submitCode = (code: string) => {
    setError(null);
    if (stage.step === 'code') {
      login.mutate(
        { email: stage.email, password: stage.password, totp: code },
        {
          onError: fail('code'),
          onSuccess: (out) => {
            if (out.status === 'OK') void signedIn();
            else setError(signInErrorKey('UNAUTHORIZED', 'code'));
          },
        },
      );
    } else if (stage.step === 'enroll') {
      // the session is open; the recovery codes are shown this once before going on
      confirm.mutate(
        { enrollmentToken: stage.enrollment.enrollmentToken, code },
        {
          onError: fail('code'),
          onSuccess: (out) => {
            if (out.recoveryCodes.length > 0) setStage({ step: 'codes', recoveryCodes: out.recoveryCodes });
            else void signedIn();
          },
        },
      );
    }
  };
  const submitRecoveryCode = (recoveryCode: string) => {
    setError(null);
    if (stage.step !== 'recovery') return;
    login.mutate(
      { email: stage.email, password: stage.password, recoveryCode },
      {
        onError: fail('recovery'),
        onSuccess: (out) => {
          if (out.status === 'OK') void signedIn();
          else setError(signInErrorKey('UNAUTHORIZED', 'recovery'));
        },
      },
    );
  };
  const restart = () => {
    setError(null);
    setStage({ step: 'credentials' });
  };

  // the recovery codes stay on screen until the person says they are stored, though the session is open
  if (me.isSuccess && stage.step !== 'codes') return <Navigate to={next} replace />;
  const pending = login.isPending || confirm.isPending;
  return (
    <Center mih="100vh" bg="gray.0" component="main">
      <Paper withBorder shadow="sm" p="xl" w={440} maw="95vw">
        <Stack>
          <div>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Title order={1} size="h3">
                {t('app.name')}
              </Title>
              {/* only before the first step: a new language renders the screen afresh */}
              {stage.step === 'credentials' && <LanguageSwitch />}
            </Group>
            <Text c="dimmed" size="sm">
              {stage.step === 'credentials' && t('signIn.intro')}
              {stage.step === 'code' && t('signIn.introCode')}
              {stage.step === 'enroll' && t('signIn.introEnroll')}
              {stage.step === 'recovery' && t('signIn.introRecovery')}
              {stage.step === 'codes' && t('signIn.introCodes')}
            </Text>
          </div>
          {error && (
            <Alert color="red" role="alert" title={t('signIn.refused')}>
              {t(`signIn.errors.${error}`)}
            </Alert>
          )}
          {stage.step === 'credentials' && <CredentialsForm pending={pending} onSubmit={submitPassword} />}
          {stage.step === 'enroll' && (
            <TotpEnrollment otpauthUrl={stage.enrollment.otpauthUrl} qrDataUrl={stage.enrollment.qrDataUrl} secret={stage.enrollment.secret} />
          )}
          {stage.step === 'codes' && <RecoveryCodes codes={stage.recoveryCodes} onDone={() => void signedIn()} />}
          {stage.step === 'recovery' && (
            <RecoveryCodeForm
              pending={pending}
              onSubmit={submitRecoveryCode}
              onCancel={() => setStage({ step: 'code', email: stage.email, password: stage.password })}
            />
          )}
          {(stage.step === 'code' || stage.step === 'enroll') && (
            <TotpCodeForm
              key={stage.step}
              pending={pending}
              submitLabel={stage.step === 'enroll' ? t('signIn.confirm') : t('signIn.verify')}
              onSubmit={submitCode}
              onCancel={restart}
            />
          )}
          {stage.step === 'code' && (
            <Button
              variant="subtle"
              size="compact-sm"
              onClick={() => {
                setError(null);
                setStage({ step: 'recovery', email: stage.email, password: stage.password });
              }}
              disabled={pending}
            >
              {t('signIn.lostPhone')}
            </Button>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
