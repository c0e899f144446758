import { createHmac, randomBytes } from 'node:crypto';

/**
 * The webhook signature, as Stripe signs its webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` under the destination's secret. The timestamp is inside the MAC, so a receiver that
 * refuses old timestamps (README: 5 minutes) and remembers seqs it has seen cannot be replayed to.
 */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** A new signing secret, shown to the Admin once (`whsec_` + 32 random bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
