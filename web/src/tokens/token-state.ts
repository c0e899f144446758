import type { TReadToken } from '@modula/contracts';

export type TTokenState = 'active' | 'expired' | 'revoked';

/** What a token is now: revoked wins over expired (it was ended on purpose). */
export function tokenState(token: Pick<TReadToken, 'expiresAt' | 'revokedAt'>, now: Date): TTokenState {
  if (token.revokedAt) return 'revoked';
  return Date.parse(token.expiresAt) <= now.getTime() ? 'expired' : 'active';
}
