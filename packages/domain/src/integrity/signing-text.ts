import type { TCheckpoint, TExportManifest } from '@modula/contracts';
import { canonicalJson } from './canonical-json.ts';
import { verifySignature, type TKeyring } from './signing-key.ts';

/** The bytes a checkpoint's signature covers: RFC 8785 JSON of every field but `signature`, typed. */
export function checkpointSigningText(c: Omit<TCheckpoint, 'signature'>): string {
  const { v, tenantId, seq, hash, merkleRoot, createdAt, keyId } = c;
  return canonicalJson({ type: 'modula-audit/checkpoint', v, tenantId, seq, hash, merkleRoot, createdAt, keyId });
}

export function checkpointSignatureValid(keyring: TKeyring, c: TCheckpoint): boolean {
  return verifySignature(keyring, c.keyId, checkpointSigningText(c), c.signature);
}

/** The bytes a manifest's signature covers: RFC 8785 JSON of the manifest without `signature`. */
export function manifestSigningText(m: Omit<TExportManifest, 'signature'> & { signature?: string }): string {
  const { signature: _signature, ...rest } = m;
  return canonicalJson(rest);
}
