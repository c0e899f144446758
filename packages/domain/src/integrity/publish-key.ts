import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createOrm, dbOf, NotStarting, sql, withNoTenant, type Db, type Orm } from '@modula/db';
import { defaultKeyFile, loadSigner, type TSigner, type TSigningKeySettings } from './signing-key.ts';

/** What an operator runs to publish a key: said wherever an unpublished key stops something. */
export const PUBLISH_KEY_HINT =
  'only the database owner may publish signing keys: run `pnpm cli migrate` as the owner ' +
  '(DATABASE_OWNER_URL=postgres://modula_audit:…), with the same SIGNING_KEY_FILE (or DATA_DIR) as the server and worker: it publishes their key ' +
  '(`npm start` and `docker compose up` run it before starting them)';

/** The same Ed25519 public key, whatever the PEM's line breaks. */
export function samePublicKey(a: string, b: string): boolean {
  try {
    return createPublicKey(a)
      .export({ type: 'spki', format: 'der' })
      .equals(createPublicKey(b).export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}

/** Whether `signing_keys` lists the signer's key id with its public key ('other-key': the id is taken by another key). */
export async function signingKeyListing(db: Db, signer: TSigner): Promise<'listed' | 'missing' | 'other-key'> {
  const listed = (await sql<{ public_key: string }>`select public_key from signing_keys where key_id = ${signer.keyId}`.execute(db)).rows[0];
  if (!listed) return 'missing';
  return samePublicKey(listed.public_key, signer.publicKeyPem) ? 'listed' : 'other-key';
}

/**
 * Publishes the signer's public key in `signing_keys`, as the database owner (`ownerUrl`, the login
 * migrations use): the runtime may read the table but not write it, so SQL run by the service cannot
 * add a key of its own. Idempotent; refuses when the key id is already published with another key.
 */
export async function publishSigningKey(ownerUrl: string, signer: TSigner): Promise<{ keyId: string; newlyPublished: boolean }> {
  const orm = await createOrm({ url: ownerUrl, poolMax: 1 });
  try {
    return await orm.em.fork().transactional(async (tx) => {
      const db = dbOf(tx);
      const inserted =
        (
          await sql<{ key_id: string }>`insert into signing_keys (key_id, algorithm, public_key)
        values (${signer.keyId}, 'Ed25519', ${signer.publicKeyPem}) on conflict (key_id) do nothing returning key_id`.execute(db)
        ).rows.length > 0;
      if (!inserted && (await signingKeyListing(db, signer)) !== 'listed') {
        throw new Error(
          `signing key id ${signer.keyId} is already published with another public key: keys are never replaced; ` +
            'give this key another SIGNING_KEY_ID (or leave it unset: the id is then derived from the key)',
        );
      }
      return { keyId: signer.keyId, newlyPublished: inserted };
    });
  } finally {
    await orm.close(true);
  }
}

/**
 * For the server and the worker at start: their signing key must exist and be published, or they
 * refuse to start with what to do (NotStarting) — better than running for hours and failing every
 * checkpoint. A database that cannot be read is not a refusal: that error is thrown as it is.
 * The key is not generated here (the owner's `cli migrate` creates and publishes it).
 */
export async function assertSigningKeyPublished(orm: Orm, settings: TSigningKeySettings): Promise<TSigner> {
  const file = defaultKeyFile(settings);
  if (!existsSync(file)) {
    throw new NotStarting(
      `no signing key at ${file} (${settings.SIGNING_KEY_FILE ? 'SIGNING_KEY_FILE' : 'DATA_DIR/signing-key.pem'}): ` +
        `${PUBLISH_KEY_HINT}; it creates the key there when it is missing`,
    );
  }
  let signer: TSigner;
  try {
    signer = loadSigner(settings);
  } catch (err) {
    // a key file that is not an Ed25519 private key is the operator's to fix, as a missing one
    throw new NotStarting(`the signing key could not be loaded: ${(err as Error).message}`);
  }
  const listing = await withNoTenant(orm, (tx) => signingKeyListing(dbOf(tx), signer));
  if (listing === 'other-key') {
    throw new NotStarting(
      `signing key id ${signer.keyId} (${file}) is published with another public key: set another SIGNING_KEY_ID, or unset it, and ${PUBLISH_KEY_HINT}`,
    );
  }
  if (listing === 'missing') {
    throw new NotStarting(
      `signing key ${signer.keyId} (${file}) is not published in the database's signing_keys, so nothing it signs would verify: ${PUBLISH_KEY_HINT}; then start again`,
    );
  }
  return signer;
}
