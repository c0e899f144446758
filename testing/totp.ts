import { totpCodeAt } from '@modula/domain';

/**
 * The previous time step's TOTP code (so the current one stays unspent for a later sign-in). The
 * server accepts it only until its clock leaves the current step: sent in a step's last moments, on
 * a loaded machine, it arrives a step late and is refused. So with fewer than 10 s left in the step,
 * this waits for the next one first. Take it just before it is sent.
 */
export async function previousStepCode(secret: string): Promise<string> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
  return totpCodeAt(secret, Date.now() - 30_000);
}
