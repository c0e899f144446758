import { Button, Code, CopyButton, Group, Image, Stack, Text } from '@mantine/core';
import { Trans, useTranslation } from 'react-i18next';
import { groupSecret, parseOtpauthUrl } from './otpauth.ts';

/**
 * The first sign-in of an Admin or Manager: the QR code and the secret, shown this once, for the
 * authenticator app. The code that follows confirms the app holds the secret.
 */
export function TotpEnrollment({ otpauthUrl, qrDataUrl, secret }: { otpauthUrl: string; qrDataUrl: string; secret: string | undefined }) {
  const { t } = useTranslation();
  const parsed = parseOtpauthUrl(otpauthUrl);
  const key = secret ?? parsed.secret ?? '';
  return (
    <Stack gap="sm">
      <Text size="sm">
        <Trans i18nKey="signIn.enrollIntro" components={{ b: <b /> }} />
      </Text>
      <Image src={qrDataUrl} alt={t('signIn.qrAlt', { account: parsed.account ?? t('signIn.yourAccount') })} w={200} h={200} mx="auto" />
      <Text size="sm" c="dimmed">
        {parsed.issuer ? t('signIn.cannotScanAccount', { account: `${parsed.issuer}${parsed.account ? `, ${parsed.account}` : ''}` }) : t('signIn.cannotScan')}
      </Text>
      {/* the whole key, wrapped between its groups of four when the card is narrow (never cut off) */}
      <Group gap="xs" justify="space-between" align="flex-start">
        <Code
          fz="sm"
          data-testid="totp-secret"
          aria-label={t('signIn.secretKey')}
          style={{ whiteSpace: 'normal', overflowWrap: 'anywhere', flex: '1 1 14rem' }}
        >
          {groupSecret(key)}
        </Code>
        <CopyButton value={key}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="light" onClick={copy} miw={80}>
              {copied ? t('signIn.copied') : t('signIn.copyKey')}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}
