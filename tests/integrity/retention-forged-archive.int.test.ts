import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TExportManifest } from '@modula/contracts';
import { createExportRequest, verifyChain } from '@modula/domain';
import { ExportQueue } from '@modula/queue';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Review E §2: an anchor's archive must be one the retention cut wrote, a fact only the cut's code
 * path sets and the signer signs. A superuser without the signing key who rewrites an `exports` row
 * (unfiltered, no user, "retention archive") before the worker signs it gets a signed manifest that
 * looks like one — from the table alone — and could pass a deleted prefix off as expired.
 */
let stack: TestStack;
let exportWorker: TExportWorker;

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: mkdtempSync(join(tmpdir(), 'modula-forged-archive-')) } });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
});
afterAll(async () => {
  await exportWorker?.close();
  await stack?.close();
});

describe('an anchor made from an ordinary export whose row a superuser rewrote', () => {
  it('fails verify-chain, naming the anchor', async () => {
    const { tenantId } = await stack.createTenant('Forged archive');
    await ingestStored(
      stack,
      tenantId,
      Array.from({ length: 8 }, () => makeEvent(tenantId)),
    );
    const admin = await signedInAdmin(stack, tenantId);
    const su = await connect(stack.databaseSuperuserUrl);
    try {
      // the superuser's trigger: every export of the tenant becomes "the retention archive" before the worker reads its row
      await su.query(`create function public.t_forge_archive() returns trigger language plpgsql as $$ begin
        new.filter := '{}'::jsonb; new.requested_by_user_id := null; new.requested_by_name := 'retention archive';
        new.requested_by_email := null; return new; end $$`);
      await su.query(`create trigger t_forge_archive before insert or update on exports for each row
        when (new.status = 'PENDING') execute function public.t_forge_archive()`);
      let ready: { exportId: string };
      try {
        // an Admin asks for a filtered export: the row says otherwise by the time the worker reads it,
        // and the job says what was asked for, so nothing is signed (review F §3)
        const created = await trpc(stack, 'mutation', 'exports.create', { format: 'csv', filter: { actions: ['LOGIN_FAILED'] } }, { cookie: admin.cookie });
        expect(created.status).toBe(200);
        const asked = (created.data as { exportId: string }).exportId;
        const refused = await eventually(async () => {
          const r = await trpc(stack, 'query', 'exports.get', { exportId: asked }, { cookie: admin.cookie });
          return r.data?.status === 'PENDING' ? undefined : r.data;
        }, 30_000);
        expect(refused).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/nothing was signed: the export no longer says what was asked for/) });
        // nor through the operators' CLI, which builds in its own process from the row it just wrote
        const operator = runCli(stack, ['export', 'create', '--tenant', tenantId, '--format', 'csv', '--filter', '{"actions":["LOGIN_FAILED"]}']);
        expect(operator.status).not.toBe(0);
        expect(operator.stderr).toMatch(/nothing was signed: the export no longer says what was asked for/);
        // a job queued by a version before 2026-12-03 carries no such digest: the worker signs the row as it
        // reads it, and only the signed kind tells the archive apart
        const exportId = await createExportRequest(stack.services.orm, tenantId, {
          format: 'csv',
          filter: { actions: ['LOGIN_FAILED'] },
          requestedBy: { userId: null, name: 'Ada Admin', email: 'ada@example.test' },
        });
        const queue = new ExportQueue(stack.services.redis, stack.config.QUEUE_PREFIX);
        await queue.enqueue(tenantId, exportId);
        await queue.close();
        await eventually(async () => {
          const { status } = (await su.query<{ status: string }>('select status from exports where id = $1', [exportId])).rows[0]!;
          if (status === 'FAILED') throw new Error('the export without a digest failed');
          return status === 'READY' ? true : undefined;
        }, 30_000);
        ready = { exportId };
      } finally {
        await su.query('drop trigger t_forge_archive on exports');
        await su.query('drop function public.t_forge_archive()');
      }
      const manifest = JSON.parse(
        (await su.query<{ manifest: string }>('select manifest from exports where tenant_id = $1 and id = $2', [tenantId, ready.exportId])).rows[0]!.manifest,
      ) as TExportManifest;
      expect(manifest).toMatchObject({ filter: {}, generatedBy: { userId: null, name: 'retention archive' }, chainRange: { fromSeq: 1 } });
      const cut = manifest.checkpoint.seq;
      expect(manifest.chainRange.toSeq).toBe(cut);
      // then deletes the prefix and records an anchor with that checkpoint, its frontier and that manifest
      await su.query('set session_replication_role = replica');
      const { frontier } = (
        await su.query<{ frontier: string[] }>('select frontier from checkpoints where tenant_id = $1 and seq = $2 and hash = $3 limit 1', [
          tenantId,
          cut,
          manifest.checkpoint.hash,
        ])
      ).rows[0]!;
      await su.query('delete from audit_event_search where tenant_id = $1 and seq <= $2', [tenantId, cut]);
      await su.query('delete from audit_events where tenant_id = $1 and seq <= $2', [tenantId, cut]);
      await su.query(
        `insert into chain_anchors (tenant_id, seq, hash, checkpoint, frontier, archive_export_id, archive_sha256, archive_manifest, removed)
         values ($1, $2, $3, $4::jsonb, $5::text[], $6, $7, $8::jsonb, $2)`,
        [tenantId, cut, manifest.checkpoint.hash, JSON.stringify(manifest.checkpoint), frontier, manifest.exportId, manifest.sha256, JSON.stringify(manifest)],
      );
      await su.query('set session_replication_role = origin');
      const v = await verifyChain(stack.services.orm, tenantId);
      expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(new RegExp(`anchor at seq ${cut} is not the archive .* signed as kind "export"`)) });
    } finally {
      await su.end();
    }
  });
});
