import type { TCheckpoint } from '@modula/contracts';
import { canonicalJson } from '../integrity/canonical-json.ts';
import { verifySignature, type TKeyring, type TSigner } from '../integrity/signing-key.ts';
import { checkpointSignatureValid } from '../integrity/signing-text.ts';

/** What an offboarded tenant leaves: enough to prove what was removed, and when, and nothing else. */
export interface TTombstone {
  v: 1;
  type: 'modula-audit/tombstone';
  tenantId: string;
  tenantName: string;
  /** The chain that was removed: fromSeq..toSeq (fromSeq > 1 when retention had removed a prefix before). */
  fromSeq: number;
  toSeq: number;
  finalHash: string;
  /** The signed checkpoint at toSeq, and the final pack that holds every event removed. */
  checkpoint: TCheckpoint;
  packExportId: string;
  packSha256: string;
  packRows: number;
  offboardedAt: string;
  keyId: string;
  signature: string;
}

export function tombstoneSigningText(t: Omit<TTombstone, 'signature'>): string {
  const { signature: _s, ...rest } = t as TTombstone;
  return canonicalJson(rest);
}

export function signTombstone(signer: TSigner, t: Omit<TTombstone, 'signature' | 'keyId'>): TTombstone {
  const unsigned = { ...t, keyId: signer.keyId };
  return { ...unsigned, signature: signer.sign(tombstoneSigningText(unsigned)) };
}

/** True when the tombstone's signature verifies with a key of `keyring` (and its checkpoint's too). */
export function tombstoneValid(keyring: TKeyring, t: TTombstone): { ok: boolean; reason: string | null } {
  if (t.type !== 'modula-audit/tombstone') return { ok: false, reason: 'not a tombstone' };
  if (!verifySignature(keyring, t.keyId, tombstoneSigningText(t), t.signature))
    return { ok: false, reason: `the tombstone is not validly signed by a trusted key (${t.keyId})` };
  if (!checkpointSignatureValid(keyring, t.checkpoint))
    return { ok: false, reason: `the tombstone's checkpoint is not validly signed by a trusted key (${t.checkpoint.keyId})` };
  if (t.checkpoint.seq !== t.toSeq || t.checkpoint.hash !== t.finalHash)
    return { ok: false, reason: "the tombstone's checkpoint does not sign its final chain hash" };
  return { ok: true, reason: null };
}
