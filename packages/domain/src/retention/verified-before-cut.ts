import type { Orm } from '@modula/db';
import { AppError } from '../app-error.ts';
import type { TKeyring } from '../integrity/signing-key.ts';
import { verifyChain } from '../integrity/verify-chain.ts';

/**
 * Walks the tenant's whole chain (from its last anchor) before rows are removed for good. A pack is
 * signed over what the table holds, and a checkpoint already signed is not walked again: a row a
 * superuser edited under an old checkpoint, hash kept, would be signed into the archive and its
 * evidence then deleted. Nothing is cut from a chain that does not verify.
 */
export async function assertChainVerifies(orm: Orm, tenantId: string, keyring: TKeyring, what: string): Promise<void> {
  const v = await verifyChain(orm, tenantId, { keyring });
  if (!v.ok)
    throw new AppError(
      'CONFLICT',
      `${what} refused: the chain does not verify${v.firstBrokenSeq === null ? '' : ` at event ${v.firstBrokenSeq}`} (${v.reason}); nothing was removed: investigate first`,
    );
}
