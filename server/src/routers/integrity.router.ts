import {
  ZCheckpoint,
  ZConsistencyProof,
  ZIntegrityCheckpointsInput,
  ZIntegrityCheckpointsOutput,
  ZIntegrityConsistencyInput,
  ZIntegrityVerifyInput,
  ZIntegrityVerifyOutput,
  ZNoInput,
} from '@modula/contracts';
import { administrationEvent, createCheckpoint, listCheckpoints, loadSigner, pinnedKeys, proveConsistency, sessionActor } from '@modula/domain';
import { recordAdministration } from '../administration.ts';
import { verifyForViewer } from '../integrity-verify.ts';
import { reportChainBroken } from '../alert-signals.ts';
import { userProvenance } from '../provenance.ts';
import { adminProcedure, router } from '../trpc.ts';

export const integrityRouter = router({
  /** From the latest signed checkpoint; `{ full: true }` from event 1, one at a time per tenant (TOO_MANY_REQUESTS otherwise). */
  verify: adminProcedure
    .input(ZIntegrityVerifyInput)
    .output(ZIntegrityVerifyOutput)
    .query(async ({ ctx, input }) => {
      const result = await verifyForViewer(ctx.services, ctx.tenantId, { full: input?.full === true });
      // a broken chain raises CHAIN_BROKEN (issue 16): the alert worker keeps it to one per window
      await reportChainBroken(ctx.services, ctx.tenantId, result);
      return result;
    }),
  /** The tenant's signed checkpoints, newest first. */
  checkpoints: adminProcedure
    .input(ZIntegrityCheckpointsInput)
    .output(ZIntegrityCheckpointsOutput)
    .query(async ({ ctx, input }) => ({ items: await listCheckpoints(ctx.services.orm, ctx.tenantId, input?.limit ?? 20) })),
  /** Signs the current chain head now (on demand; the worker also does it on a schedule). */
  checkpoint: adminProcedure
    .input(ZNoInput)
    .output(ZCheckpoint)
    .mutation(async ({ ctx }) => {
      const signer = loadSigner(ctx.services.config);
      // built only on a previous checkpoint signed by a key this server trusts (pinned), as the badge checks it
      const { keyring } = await pinnedKeys(ctx.services.orm, ctx.services.config.DATA_DIR, signer);
      const { checkpoint, created } = await createCheckpoint(ctx.services.orm, signer, ctx.tenantId, { keyring });
      if (created) {
        await recordAdministration(
          ctx.services,
          [
            administrationEvent(
              ctx.tenantId,
              'CHECKPOINT_CREATED',
              sessionActor(ctx.session),
              { type: 'CHECKPOINT', id: String(checkpoint.seq), label: `seq ${checkpoint.seq}` },
              { metadata: { seq: checkpoint.seq, hash: checkpoint.hash, keyId: checkpoint.keyId } },
            ),
          ],
          userProvenance(ctx.session.userId, ctx.http?.ip ?? null),
        );
      }
      return checkpoint;
    }),
  /** Proof that the checkpoint at `toSeq` (default: the latest) extends the one at `fromSeq`. */
  consistency: adminProcedure
    .input(ZIntegrityConsistencyInput)
    .output(ZConsistencyProof)
    .query(({ ctx, input }) => proveConsistency(ctx.services.orm, ctx.tenantId, input.fromSeq, input.toSeq)),
});
