import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_EVENT_COLUMN_LIST, AUDIT_EVENT_COLUMNS, type TAuditEventColumn } from '@modula/db';
import { chainHash, createCheckpoint, loadSigner, verifyChain, type TChainRecord } from '@modula/domain';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { asAttacker, runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

const N = 40;

/** An INSERT of a copy of the tenant's row $2, some columns replaced by SQL expressions: every column, from the one definition. */
const copyOfRow = (replaced: Partial<Record<TAuditEventColumn, string>>) => `insert into audit_events (${AUDIT_EVENT_COLUMN_LIST})
  select ${AUDIT_EVENT_COLUMNS.map((c) => replaced[c] ?? c).join(', ')} from audit_events where tenant_id = $1 and seq = $2`;
const dataDir = mkdtempSync(join(tmpdir(), 'modula-integrity-'));
let stack: TestStack;
let tenantId: string;
let db: pg.Client;
const signer = () => loadSigner({ DATA_DIR: dataDir });
const verify = () => verifyChain(stack.services.orm, tenantId);

beforeAll(async () => {
  stack = await startStack({ env: { DATA_DIR: dataDir } });
  ({ tenantId } = await stack.createTenant('Tampered'));
  const events = Array.from({ length: N }, (_, i) =>
    makeEvent(tenantId, {
      metadata: { i, ratio: i / 7, note: i % 3 === 0 ? '=cmd|" /C calc"!A0' : `line ${i}` },
      after: i % 2 ? { total: i * 1.5, items: [i, { sku: `s${i}` }] } : undefined,
    }),
  );
  await ingestStored(stack, tenantId, events.slice(0, 20));
  await ingestStored(stack, tenantId, events.slice(20));
  db = await connect(stack.databaseSuperuserUrl);
});
afterAll(async () => {
  await db?.end();
  await stack?.close();
});

/** Recomputes the hash of a row the way the writer does, so a forger's row links perfectly. */
async function forgedHash(seq: number, prevHash: string, patch: Record<string, unknown> = {}): Promise<{ hash: string; record: TChainRecord }> {
  const { rows } = await db.query(
    `select to_jsonb(e) - 'hash' - 'prev_hash' as r from (select *, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occ,
    to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as rec from audit_events where tenant_id = $1 and seq = $2) e`,
    [tenantId, seq],
  );
  const raw = rows[0].r as Record<string, unknown>;
  const record = Object.fromEntries(
    Object.entries({ ...raw, occurred_at: raw.occ, received_at: raw.rec })
      .filter(([k]) => k !== 'occ' && k !== 'rec')
      .map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  ) as unknown as TChainRecord;
  const patched = { ...record, ...patch } as TChainRecord;
  return { hash: chainHash(prevHash, patched), record: patched };
}

describe('verify-chain against a superuser who disables the triggers', () => {
  it('never flags the clean log', async () => {
    const r = await verify();
    expect(r).toMatchObject({ ok: true, checked: N, headSeq: N, firstBrokenSeq: null, reason: null });
  });

  it.each([1, 2, 17, N - 1, N])('names seq %i when one field of that row is edited', async (seq) => {
    const r = await asAttacker(
      db,
      tenantId,
      (c) => c.query("update audit_events set description = description || '.' where tenant_id = $1 and seq = $2", [tenantId, seq]).then(() => {}),
      verify,
    );
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(r.reason).toMatch(/altered/);
    expect((await verify()).ok).toBe(true);
  });

  it.each([
    ['outcome', "outcome = 'FAILED'"],
    ['jsonb member', `after = '{"total": 1}'`],
    ['timestamp by 1 ms', "occurred_at = occurred_at + interval '1 millisecond'"],
    ['prev_hash', `prev_hash = repeat('a', 64)`],
    ['hash', `hash = repeat('b', 64)`],
    ['redacted paths', `redacted_paths = '{metadata.x}'`],
  ])('names the seq when %s is edited', async (_what, set) => {
    const seq = 9;
    const r = await asAttacker(
      db,
      tenantId,
      (c) => c.query(`update audit_events set ${set} where tenant_id = $1 and seq = $2`, [tenantId, seq]).then(() => {}),
      verify,
    );
    expect(r.firstBrokenSeq).toBe(seq);
  });

  it.each([1, 12, N])('names seq %i when that row is deleted', async (seq) => {
    const r = await asAttacker(
      db,
      tenantId,
      (c) => c.query('delete from audit_events where tenant_id = $1 and seq = $2', [tenantId, seq]).then(() => {}),
      verify,
    );
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: seq });
  });

  it('names the first of two reordered rows (their seq swapped)', async () => {
    const r = await asAttacker(
      db,
      tenantId,
      async (c) => {
        await c.query('update audit_events set seq = 100005 where tenant_id = $1 and seq = 5', [tenantId]);
        await c.query('update audit_events set seq = 5 where tenant_id = $1 and seq = 30', [tenantId]);
        await c.query('update audit_events set seq = 30 where tenant_id = $1 and seq = 100005', [tenantId]);
      },
      verify,
    );
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: 5 });
  });

  it('names the inserted row: a forged event appended past the head, even perfectly linked', async () => {
    const last = (await db.query('select hash from audit_events where tenant_id = $1 and seq = $2', [tenantId, N])).rows[0].hash as string;
    const r = await asAttacker(
      db,
      tenantId,
      async (c) => {
        const { hash, record } = await forgedHash(N, last, {
          seq: N + 1,
          id: '0193a0b4-0000-7000-8000-00000000f0f0',
          eventId: '0193a0b4-0000-7000-8000-00000000f0f1',
        });
        await c.query(copyOfRow({ seq: '$3::bigint', id: '$4::uuid', event_id: '$5::uuid', prev_hash: '$6', hash: '$7' }), [
          tenantId,
          N,
          N + 1,
          record.id,
          record.eventId,
          last,
          hash,
        ]);
      },
      verify,
    );
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: N + 1 });
  });

  it('names the inserted row in the middle: later rows shifted by one', async () => {
    const r = await asAttacker(
      db,
      tenantId,
      async (c) => {
        await c.query('update audit_events set seq = seq + 1000 where tenant_id = $1 and seq >= 10', [tenantId]);
        await c.query('update audit_events set seq = seq - 999 where tenant_id = $1 and seq >= 1010', [tenantId]);
        await c.query(copyOfRow({ seq: '10', id: 'gen_random_uuid()', event_id: 'gen_random_uuid()', description: `'forged'`, prev_hash: 'hash' }), [
          tenantId,
          9,
        ]);
        await c.query('update chain_heads set seq = seq + 1 where tenant_id = $1', [tenantId]);
      },
      verify,
    );
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: 10 });
  });
});

describe('signed checkpoints', () => {
  it('catch a truncated tail whose head was rewound, which the chain alone cannot see', async () => {
    const { checkpoint } = await createCheckpoint(stack.services.orm, signer(), tenantId);
    expect(checkpoint).toMatchObject({ seq: N, tenantId });
    const cut = 31;
    const truncate = async (c: pg.Client) => {
      const prev = (await c.query('select hash from audit_events where tenant_id = $1 and seq = $2', [tenantId, cut - 1])).rows[0].hash;
      await c.query('delete from audit_events where tenant_id = $1 and seq >= $2', [tenantId, cut]);
      await c.query('update chain_heads set seq = $2, hash = $3 where tenant_id = $1', [tenantId, cut - 1, prev]);
    };
    const caught = await asAttacker(db, tenantId, truncate, verify);
    expect(caught).toMatchObject({ ok: false, firstBrokenSeq: cut, checked: cut - 1 });
    expect(caught.reason).toMatch(/tail was deleted/);

    // had the attacker also deleted the checkpoints, the chain alone would pass...
    const blind = await asAttacker(
      db,
      tenantId,
      async (c) => {
        await truncate(c);
        await c.query('delete from checkpoints where tenant_id = $1', [tenantId]);
      },
      verify,
    );
    expect(blind.ok).toBe(true);
    // ...but an auditor's saved copy of the checkpoint still catches it (CLI --checkpoints)
    const saved = join(dataDir, 'saved-checkpoint.json');
    writeFileSync(saved, JSON.stringify(checkpoint));
    const cli = await asAttacker(
      db,
      tenantId,
      async (c) => {
        await truncate(c);
        await c.query('delete from checkpoints where tenant_id = $1', [tenantId]);
      },
      async () => runCli(stack, ['verify-chain', '--tenant', tenantId, '--checkpoints', saved]),
    );
    expect(cli.status).toBe(2);
    expect(cli.json).toMatchObject({ ok: false, firstBrokenSeq: cut });
    expect(runCli(stack, ['verify-chain', '--tenant', tenantId]).json).toMatchObject({ ok: true, checked: N, lastCheckpoint: { seq: N } });
  });

  it('catch a chain rewritten consistently (every later hash recomputed) between two checkpoints', async () => {
    const r = await asAttacker(
      db,
      tenantId,
      async (c) => {
        let prev = (await c.query('select hash from audit_events where tenant_id = $1 and seq = 24', [tenantId])).rows[0].hash as string;
        for (let seq = 25; seq <= N; seq++) {
          const { hash } = await forgedHash(seq, prev, seq === 25 ? { description: 'nothing to see here' } : {});
          await c.query(
            'update audit_events set prev_hash = $3, hash = $4, description = case when seq = 25 then $5 else description end where tenant_id = $1 and seq = $2',
            [tenantId, seq, prev, hash, 'nothing to see here'],
          );
          prev = hash;
        }
        await c.query('update chain_heads set hash = $2 where tenant_id = $1', [tenantId, prev]);
      },
      verify,
    );
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/signed in the checkpoint/);
    expect(r.firstBrokenSeq).toBeLessThanOrEqual(25);
  });

  it("refuse a checkpoint forged without the private key, and a verifier that trusts only the auditor's key", async () => {
    const r = await asAttacker(
      db,
      tenantId,
      async (c) => {
        await c.query(
          `insert into checkpoints select tenant_id, gen_random_uuid(), seq, hash, merkle_root, created_at + interval '1 second', key_id,
        'AAAA' || substr(signature, 5), frontier from checkpoints where tenant_id = $1 limit 1`,
          [tenantId],
        );
      },
      verify,
    );
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/not validly signed/);
    const otherKey = join(mkdtempSync(join(tmpdir(), 'modula-other-')), 'k');
    const other = loadSigner({ DATA_DIR: otherKey });
    const pem = join(otherKey, 'other.pub.pem');
    writeFileSync(pem, other.publicKeyPem);
    const untrusted = runCli(stack, ['verify-chain', '--tenant', tenantId, '--public-key', pem]);
    expect(untrusted.status).toBe(2);
    expect(untrusted.json.reason).toMatch(/not validly signed/);
  });

  it('are signed on a schedule by the worker and published with their key', async () => {
    const { startCheckpointWorker } = await import('@modula/worker');
    const { pino } = await import('pino');
    const before = (await db.query('select count(*)::int as n from checkpoints where tenant_id = $1', [tenantId])).rows[0].n as number;
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const worker = await startCheckpointWorker({ ...stack.config, CHECKPOINT_EVERY_MINUTES: 0.01 }, stack.services.orm, pino({ level: 'silent' }));
    try {
      const { eventually } = await import('../../testing/events.ts');
      await eventually(async () => {
        const r = await db.query('select max(seq)::int as seq, count(*)::int as n from checkpoints where tenant_id = $1', [tenantId]);
        return r.rows[0].seq === N + 1 && r.rows[0].n > before ? true : undefined;
      }, 15_000);
    } finally {
      await worker.close();
    }
    const keys = (await (await fetch(`${stack.baseUrl}/.well-known/modula-audit/keys.json`)).json()) as { keys: { keyId: string; publicKey: string }[] };
    expect(keys.keys.map((k) => k.keyId)).toContain(signer().keyId);
    expect(await verify()).toMatchObject({ ok: true, checked: N + 1, lastCheckpoint: { seq: N + 1 } });
  });
});
