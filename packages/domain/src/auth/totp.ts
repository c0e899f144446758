import { Secret, TOTP } from 'otpauth';

/** RFC 6238 with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s steps. */
const PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const ISSUER = 'Modula Audit';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function otpauthUrlOf(secretBase32: string, accountName: string): string {
  return new TOTP({ ...PARAMS, issuer: ISSUER, label: accountName, secret: Secret.fromBase32(secretBase32) }).toString();
}

export async function qrDataUrlOf(otpauthUrl: string): Promise<string> {
  // loaded when someone enrols: every process and CLI command that never draws a QR code starts faster
  const { default: QRCode } = await import('qrcode');
  return QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

/**
 * The time-step of a valid code (one step of clock drift either way), or why it is refused: a
 * code of the last accepted step or earlier has been spent (replay).
 */
export function checkTotp(
  secretBase32: string,
  code: string,
  lastStep: number | null,
  now = Date.now(),
): { step: number } | { refused: 'BAD_TOTP' | 'TOTP_REPLAY' } {
  const secret = Secret.fromBase32(secretBase32);
  const delta = TOTP.validate({ ...PARAMS, token: code, secret, timestamp: now, window: 1 });
  if (delta === null) return { refused: 'BAD_TOTP' };
  const step = TOTP.counter({ period: PARAMS.period, timestamp: now }) + delta;
  if (lastStep !== null && step <= lastStep) return { refused: 'TOTP_REPLAY' };
  return { step };
}

/** The code of a secret at an instant (what the authenticator app shows); for tests and tools. */
export function totpCodeAt(secretBase32: string, timestamp = Date.now()): string {
  return TOTP.generate({ ...PARAMS, secret: Secret.fromBase32(secretBase32), timestamp });
}
