import { Button, Code, CopyButton, Group, Image, Stack, Text } from '@mantine/core';
import { groupSecret, parseOtpauthUrl } from './otpauth.ts';

/**
 * The first sign-in of an Admin or Manager: the QR code and the secret, shown this once, for the
 * authenticator app. The code that follows confirms the app holds the secret.
 */
export function TotpEnrollment({ otpauthUrl, qrDataUrl, secret }: { otpauthUrl: string; qrDataUrl: string; secret: string | undefined }) {
  const parsed = parseOtpauthUrl(otpauthUrl);
  const key = secret ?? parsed.secret ?? '';
  return (
    <Stack gap="sm">
      <Text size="sm">
        Two-factor authentication is required for your account. Scan this QR code with your authenticator app, then enter the code it shows. The code and the
        key are shown <b>only this once</b>.
      </Text>
      <Image src={qrDataUrl} alt={`QR code to add ${parsed.account ?? 'your account'} to an authenticator app`} w={200} h={200} mx="auto" />
      <Text size="sm" c="dimmed">
        Cannot scan? Type this key into the app{parsed.issuer ? ` (account: ${parsed.issuer}${parsed.account ? `, ${parsed.account}` : ''})` : ''}:
      </Text>
      {/* the whole key, wrapped between its groups of four when the card is narrow (never cut off) */}
      <Group gap="xs" justify="space-between" align="flex-start">
        <Code fz="sm" data-testid="totp-secret" aria-label="Secret key" style={{ whiteSpace: 'normal', overflowWrap: 'anywhere', flex: '1 1 14rem' }}>
          {groupSecret(key)}
        </Code>
        <CopyButton value={key}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="light" onClick={copy} miw={80}>
              {copied ? 'Copied' : 'Copy key'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}
