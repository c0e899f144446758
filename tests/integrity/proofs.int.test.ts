import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TCheckpoint, TConsistencyProof, TInclusionProof } from '@modula/contracts';
import { createCheckpoint, keyringOf, loadSigner, proveConsistency, proveInclusion, verifyProofBundle, type TKeyring } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

const SIZE = 17;
const dataDir = mkdtempSync(join(tmpdir(), 'modula-proofs-'));
let stack: TestStack;
let tenantId: string;
let keyring: TKeyring;
const checkpoints: TCheckpoint[] = [];
const signer = () => loadSigner({ DATA_DIR: dataDir });

/** Every single-byte change of every hex field of a proof (one bit of each byte). */
function* alterations<T extends TInclusionProof | TConsistencyProof>(proof: T, bytes = Array.from({ length: 32 }, (_, i) => i)): Generator<T> {
  const flipHex = (h: string, byte: number) =>
    h.slice(0, byte * 2) + (parseInt(h.slice(byte * 2, byte * 2 + 2), 16) ^ 1).toString(16).padStart(2, '0') + h.slice(byte * 2 + 2);
  const flipSig = (s: string) => {
    const b = Buffer.from(s, 'base64');
    b[7] = b[7]! ^ 1;
    return b.toString('base64');
  };
  for (const byte of bytes) {
    if (proof.type === 'inclusion') {
      yield { ...proof, eventHash: flipHex(proof.eventHash, byte) };
      yield { ...proof, checkpoint: { ...proof.checkpoint, merkleRoot: flipHex(proof.checkpoint.merkleRoot, byte) } };
      for (let j = 0; j < proof.auditPath.length; j++) yield { ...proof, auditPath: proof.auditPath.map((p, i) => (i === j ? flipHex(p, byte) : p)) };
    } else {
      yield { ...proof, first: { ...proof.first, merkleRoot: flipHex(proof.first.merkleRoot, byte) } };
      yield { ...proof, second: { ...proof.second, merkleRoot: flipHex(proof.second.merkleRoot, byte) } };
      for (let j = 0; j < proof.path.length; j++) yield { ...proof, path: proof.path.map((p, i) => (i === j ? flipHex(p, byte) : p)) };
    }
  }
  if (proof.type === 'inclusion') yield { ...proof, checkpoint: { ...proof.checkpoint, signature: flipSig(proof.checkpoint.signature) } };
  else yield { ...proof, second: { ...proof.second, signature: flipSig(proof.second.signature) } };
}

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: dataDir } });
  ({ tenantId } = await stack.createTenant('Proven'));
  for (let n = 1; n <= SIZE; n++) {
    await ingestStored(stack, tenantId, [makeEvent(tenantId, { metadata: { n } })]);
    checkpoints.push((await createCheckpoint(stack.services.orm, signer(), tenantId)).checkpoint);
  }
  keyring = keyringOf([{ keyId: signer().keyId, publicKey: signer().publicKeyPem }]);
});
afterAll(() => stack?.close());

describe('per-event proofs against signed checkpoints', () => {
  it('signs one checkpoint per size 1..17, each extending the previous frontier', () => {
    expect(checkpoints.map((c) => c.seq)).toEqual(Array.from({ length: SIZE }, (_, i) => i + 1));
  });

  it('prove every event of the log included in the latest checkpoint; any altered byte fails', async () => {
    for (let seq = 1; seq <= SIZE; seq++) {
      const proof = (await proveInclusion(stack.services.orm, tenantId, seq))!;
      expect(proof).toMatchObject({ seq, leafIndex: seq - 1, treeSize: SIZE, checkpoint: { seq: SIZE } });
      expect(verifyProofBundle(proof, keyring)).toEqual({ ok: true, reason: null });
      for (const bad of alterations(proof)) expect(verifyProofBundle(bad, keyring).ok).toBe(false);
      expect(verifyProofBundle({ ...proof, seq: seq === 1 ? 2 : 1 }, keyring).ok).toBe(false);
    }
  });

  it('prove every pair of checkpoints consistent (the log only grew); any altered byte fails', async () => {
    for (let m = 1; m <= SIZE; m++) {
      for (let n = m; n <= SIZE; n++) {
        const proof = await proveConsistency(stack.services.orm, tenantId, m, n);
        expect(verifyProofBundle(proof, keyring)).toEqual({ ok: true, reason: null });
        if (n === m) continue;
        // every byte of every hash is covered by merkle.test.ts; here a first, middle and last byte of each
        for (const bad of alterations(proof, [0, 15, 31])) expect(verifyProofBundle(bad, keyring).ok).toBe(false);
      }
    }
  });

  it('cannot prove an event a superuser altered afterwards: the signed root gives it away', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const proof = await asAttacker(
        db,
        tenantId,
        (c) => c.query(`update audit_events set hash = repeat('c', 64) where tenant_id = $1 and seq = 5`, [tenantId]).then(() => {}),
        () => proveInclusion(stack.services.orm, tenantId, 5),
      );
      expect(verifyProofBundle(proof!, keyring).ok).toBe(false);
    } finally {
      await db.end();
    }
  });

  it('events.get returns the proof with withProof, and the CLI verifies it offline (also the one `proof` prints, record included)', async () => {
    const admin = await signedInAdmin(stack, tenantId);
    const page = await trpc(stack, 'query', 'events.list', { limit: 200 }, { cookie: admin.cookie });
    const target = page.data.items.find((e: { seq: number }) => e.seq === 7);
    const plain = await trpc(stack, 'query', 'events.get', { id: target.id }, { cookie: admin.cookie });
    expect(plain.data.proof).toBeUndefined();
    const withProof = await trpc(stack, 'query', 'events.get', { id: target.id, withProof: true }, { cookie: admin.cookie });
    expect(withProof.data.proof).toMatchObject({ type: 'inclusion', seq: 7, eventHash: target.hash });
    // the tenant's latest checkpoint now covers the sign-in events too
    const answer = join(dataDir, 'event-7.json');
    writeFileSync(answer, JSON.stringify(withProof.data));
    const pem = join(dataDir, 'key.pub.pem');
    writeFileSync(pem, signer().publicKeyPem);
    expect(runCli(stack, ['verify-proof', answer, '--public-key', pem])).toMatchObject({ status: 0, json: { ok: true } });

    const printed = runCli(stack, ['proof', '--tenant', tenantId, '--seq', '3']);
    expect(printed.status).toBe(0);
    expect(printed.json.record).toMatchObject({ seq: 3, tenantId });
    const bundle = join(dataDir, 'proof-3.json');
    writeFileSync(bundle, printed.stdout);
    expect(runCli(stack, ['verify-proof', bundle, '--public-key', pem]).status).toBe(0);
    const altered = verifyProofBundle({ ...printed.json, record: { ...printed.json.record, outcome: 'FAILED' } }, keyring);
    expect(altered.ok).toBe(false);
    expect(altered.reason).toMatch(/altered/);
  });

  describe('a saved events.get answer (review C, finding 3)', () => {
    const pem = () => {
      const file = join(dataDir, 'key.pub.pem');
      writeFileSync(file, signer().publicKeyPem);
      return file;
    };
    const save = (name: string, answer: unknown) => {
      const file = join(dataDir, name);
      writeFileSync(file, JSON.stringify(answer));
      return file;
    };
    async function answerFor(seq: number) {
      const admin = await signedInAdmin(stack, tenantId);
      const page = await trpc(stack, 'query', 'events.list', { limit: 200 }, { cookie: admin.cookie });
      const target = page.data.items.find((e: { seq: number }) => e.seq === seq);
      return (await trpc(stack, 'query', 'events.get', { id: target.id, withProof: true }, { cookie: admin.cookie })).data;
    }

    it('carries the record and prevHash, so verify-proof recomputes the event hash and says the record was checked', async () => {
      const answer = await answerFor(8);
      expect(answer.proof).toMatchObject({ seq: 8, eventHash: answer.hash, prevHash: answer.prevHash, record: { seq: 8, tenantId, id: answer.id } });
      const r = runCli(stack, ['verify-proof', save('event-8.json', answer), '--public-key', pem()]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json).toMatchObject({ ok: true, recordChecked: true });
      // the record as sent is the record checked: an altered one fails
      const altered = { ...answer, proof: { ...answer.proof, record: { ...answer.proof.record, outcome: 'FAILED' } } };
      expect(runCli(stack, ['verify-proof', save('event-8-altered.json', altered), '--public-key', pem()])).toMatchObject({ status: 2, json: { ok: false } });
    });

    it('without a record, verify-proof does not answer ok unless --hash-only, and then says the record was not checked', async () => {
      const answer = await answerFor(9);
      const { record: _r, prevHash: _p, ...hashOnly } = answer.proof;
      const file = save('event-9-no-record.json', { ...answer, proof: hashOnly });
      const refused = runCli(stack, ['verify-proof', file, '--public-key', pem()]);
      expect(refused.status).not.toBe(0);
      expect(refused.json).toMatchObject({ ok: false, recordChecked: false });
      expect(refused.stderr).toMatch(/carries no record: only the hash's place in the log was checked; ask events.get with withProof for a full proof/);
      const allowed = runCli(stack, ['verify-proof', file, '--public-key', pem(), '--hash-only']);
      expect(allowed.status, allowed.stderr).toBe(0);
      expect(allowed.json).toMatchObject({ ok: true, recordChecked: false });
    });

    it('fails when the answer shows other fields (actor, after, outcome …) than the record it verifies', async () => {
      const answer = await answerFor(10);
      // the full proof the CLI prints (record included), beside a view that says something else
      const printed = runCli(stack, ['proof', '--tenant', tenantId, '--seq', '10']).json;
      for (const [name, doctored] of [
        ['actor', { ...answer, actor: { ...answer.actor, name: 'Mallory' } }],
        ['after', { ...answer, after: { price: 55 } }],
        ['outcome', { ...answer, outcome: 'REJECTED', reason: 'PERMISSION_DENIED' }],
        ['metadata', { ...answer, metadata: { n: 999 } }],
      ] as const) {
        const r = runCli(stack, ['verify-proof', save(`event-10-${name}.json`, { ...doctored, proof: printed }), '--public-key', pem()]);
        expect(r.status, `${name}: ${r.stdout}`).toBe(2);
        expect(r.json.reason).toMatch(new RegExp(`does not match the verified record.*${name}`));
      }
      // the same view, undoctored, beside that record verifies
      expect(runCli(stack, ['verify-proof', save('event-10.json', { ...answer, proof: printed }), '--public-key', pem()])).toMatchObject({
        status: 0,
        json: { ok: true, recordChecked: true },
      });
    });
  });
});
