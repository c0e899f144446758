import { createHmac, randomBytes } from 'node:crypto';
import { signPayload, verifyPayload } from './server-keys.ts';

/** How long a browser stays known after its last full sign-in. */
export const KNOWN_DEVICE_DAYS = 90;

/**
 * A browser that completed a full sign-in (password, and the second factor where required) to
 * this account: the account's lock does not keep it out; it has a failure count and lock of its
 * own instead. Carried in an httpOnly cookie, signed with the server secret.
 */
export interface TKnownDevice {
  tenantId: string;
  userId: string;
  deviceId: string;
}

/**
 * The key an email is counted under, before and without any lookup: an HMAC under the server
 * secret, so the service log and Redis can name an email without keeping it in clear.
 */
export function emailKeyOf(serverSecret: Buffer, email: string): string {
  const key = createHmac('sha256', serverSecret).update('modula-audit:sign-in-email').digest();
  return createHmac('sha256', key).update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);
}

export function issueDeviceToken(
  serverSecret: Buffer,
  who: { tenantId: string; userId: string; email: string; deviceId?: string | undefined },
  now: Date,
): { token: string; deviceId: string; maxAgeSeconds: number } {
  const deviceId = who.deviceId ?? randomBytes(12).toString('base64url');
  const maxAgeSeconds = KNOWN_DEVICE_DAYS * 86_400;
  const token = signPayload(serverSecret, 'known-device', {
    t: who.tenantId,
    u: who.userId,
    d: deviceId,
    h: emailKeyOf(serverSecret, who.email),
    exp: now.getTime() + maxAgeSeconds * 1000,
  });
  return { token, deviceId, maxAgeSeconds };
}

/** The known device a cookie names, if this server signed it, it has not expired and it was issued for this email. */
export function knownDeviceOf(serverSecret: Buffer, token: string | undefined, email: string, now: Date): TKnownDevice | null {
  if (!token || token.length > 512) return null;
  const claim = verifyPayload(serverSecret, 'known-device', token) as { t?: unknown; u?: unknown; d?: unknown; h?: unknown; exp?: unknown } | undefined;
  if (!claim || typeof claim.t !== 'string' || typeof claim.u !== 'string' || typeof claim.d !== 'string' || typeof claim.exp !== 'number') return null;
  if (claim.exp <= now.getTime() || claim.h !== emailKeyOf(serverSecret, email)) return null;
  return { tenantId: claim.t, userId: claim.u, deviceId: claim.d };
}
