import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TCheckpoint } from '@modula/contracts';
import { checkpointSigningText, createCheckpoint, loadSigner, verifyChain } from '@modula/domain';
import { leavesOf, merkleRoot } from '../../packages/domain/src/integrity/merkle.ts';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, recordsFrom } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * verify-chain on several threads (issue 15, item 8): seq ranges walked in parallel and joined at
 * their boundaries must give exactly the answer of the one-connection walk, fault for fault —
 * above all at a boundary, where neither range alone can see a broken link.
 * 300 events in 3 threads: ranges 1–100, 101–200, 201–300.
 */
const N = 300;
let stack: TestStack;
let db: pg.Client;
let tenantId: string;
const dataDir = mkdtempSync(join(tmpdir(), 'modula-verify-parallel-'));
const signer = () => loadSigner({ DATA_DIR: dataDir });

beforeAll(async () => {
  stack = await startStack({ worker: true, env: { DATA_DIR: dataDir } });
  db = await connect(stack.databaseSuperuserUrl);
  ({ tenantId } = await stack.createTenant('Parallel'));
  for (let i = 0; i < N; i += 100)
    await ingestStored(
      stack,
      tenantId,
      Array.from({ length: 100 }, (_, k) => makeEvent(tenantId, { metadata: { n: i + k } })),
    );
}, 60_000);
afterAll(async () => {
  await db.end();
  await stack.close();
});

/**
 * Both walks, without the time of the check; also the parallel walk in nine ranges of at most 34
 * rows, two threads at a time (how a log longer than MAX_ROWS_PER_RANGE per thread is walked),
 * which must answer as the three-range walk does.
 */
async function both() {
  const strip = ({ checkedAt: _at, ...rest }: Awaited<ReturnType<typeof verifyChain>>) => rest;
  const one = strip(await verifyChain(stack.services.orm, tenantId, { threads: 1 }));
  const three = strip(await verifyChain(stack.services.orm, tenantId, { threads: 3 }));
  const nineRanges = strip(await verifyChain(stack.services.orm, tenantId, { threads: 2, maxRangeRows: 34 }));
  expect(nineRanges).toEqual(three);
  return { one, three };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the parallel walk answers as the single walk does', () => {
  it('an intact log: ok, every event checked, the same head hash', async () => {
    const { one, three } = await both();
    expect(one).toMatchObject({ ok: true, checked: N, headSeq: N });
    expect(three).toEqual(one);
  });

  for (const seq of [50, 101, 200, 201, 300]) {
    it(`an event altered in place (seq ${seq}) is named, inside a range or at its edge`, async () => {
      const r = await asAttacker(
        db,
        tenantId,
        (c) => c.query(`update audit_events set description = 'forged' where tenant_id = $1 and seq = $2`, [tenantId, seq]).then(() => {}),
        both,
      );
      expect(r.one).toMatchObject({ ok: false, firstBrokenSeq: seq });
      expect(r.three).toEqual(r.one);
    });
  }

  it('a missing first row of a range (seq 201) is named as missing', async () => {
    const r = await asAttacker(db, tenantId, (c) => c.query('delete from audit_events where tenant_id = $1 and seq = 201', [tenantId]).then(() => {}), both);
    expect(r.one).toMatchObject({ ok: false, firstBrokenSeq: 201, reason: 'event 201 is missing' });
    expect(r.three).toEqual(r.one);
  });

  it('a link broken exactly at a boundary, with every later row re-hashed to hide it, is caught by the join', async () => {
    // event 101 now claims another predecessor; 101..300 are re-hashed so that each range on its own is perfect
    const r = await asAttacker(
      db,
      tenantId,
      async (c) => {
        let prev = sha256('a predecessor that never was');
        for (const record of await recordsFrom(c, tenantId, 101)) {
          const { canonicalJson } = await import('@modula/domain');
          const hash = sha256(prev + canonicalJson(record));
          await c.query('update audit_events set prev_hash = $3, hash = $4 where tenant_id = $1 and seq = $2', [tenantId, record.seq, prev, hash]);
          prev = hash;
        }
        await c.query('update chain_heads set hash = $2 where tenant_id = $1', [tenantId, prev]);
      },
      both,
    );
    expect(r.one).toMatchObject({ ok: false, firstBrokenSeq: 101, reason: 'event 101 does not link to the hash of event 100' });
    expect(r.three).toEqual(r.one);
  });
});

describe('with signed checkpoints, whose Merkle roots the threads help recompute', () => {
  it('checkpoints at 100, 150 and 299 agree with both walks, each compared', async () => {
    for (const atSeq of [100, 150]) await createCheckpoint(stack.services.orm, signer(), tenantId, { atSeq });
    // signed from three threads' walk: the chain hash of event 299 and RFC 6962's root of events 1..299
    const { checkpoint } = await createCheckpoint(stack.services.orm, signer(), tenantId, { atSeq: 299, threads: 3 });
    const stored = (await db.query<{ hash: string }>('select hash from audit_events where tenant_id = $1 and seq <= 299 order by seq', [tenantId])).rows;
    expect(checkpoint).toMatchObject({ seq: 299, hash: stored.at(-1)!.hash, merkleRoot: merkleRoot(leavesOf(stored.map((r) => r.hash))).toString('hex') });
    const { one, three } = await both();
    expect(one).toMatchObject({ ok: true, checked: N, checkpointsChecked: 3 });
    expect(three).toEqual(one);
  });

  it('a checkpoint with the right chain hash but another Merkle root is named by both walks', async () => {
    const genuine = (await verifyChain(stack.services.orm, tenantId, { threads: 1 })).ok;
    expect(genuine).toBe(true);
    const at200 = (await createCheckpoint(stack.services.orm, signer(), tenantId, { atSeq: 200 })).checkpoint;
    // the real key, signing a root that is not the tree of events 1..200 (a signer bug, or a stolen key)
    const unsigned = { ...at200, merkleRoot: sha256('another tree'), createdAt: new Date().toISOString() };
    const forged: TCheckpoint = { ...unsigned, signature: signer().sign(checkpointSigningText(unsigned)) };
    const strip = ({ checkedAt: _at, ...rest }: Awaited<ReturnType<typeof verifyChain>>) => rest;
    const one = strip(await verifyChain(stack.services.orm, tenantId, { threads: 1, extraCheckpoints: [forged] }));
    const three = strip(await verifyChain(stack.services.orm, tenantId, { threads: 3, extraCheckpoints: [forged] }));
    expect(one).toMatchObject({ ok: false });
    expect(one.reason).toMatch(/Merkle|merkle/);
    expect(three).toEqual(one);
  });
});
