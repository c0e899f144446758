import { ZNoInput, ZReadToken, ZReadTokenCreateInput, ZReadTokenCreateOutput, ZReadTokenRevokeInput, ZReadTokensListOutput } from '@modula/contracts';
import { administrationEvent, createReadToken, listReadTokens, revokeReadToken, sessionActor } from '@modula/domain';
import { recordAdministration } from '../administration.ts';
import { userProvenance } from '../provenance.ts';
import { adminProcedure, router } from '../trpc.ts';

/**
 * An Admin's read tokens for machines (issue 16): managed with a session only (a token never
 * manages tokens); making and revoking one is recorded in the tenant's log, after the change.
 */
export const readTokensRouter = router({
  list: adminProcedure
    .input(ZNoInput)
    .output(ZReadTokensListOutput)
    .query(async ({ ctx }) => ({ items: await listReadTokens(ctx.services.orm, ctx.tenantId) })),
  /** The token is in this answer only: the service keeps its hash. */
  create: adminProcedure
    .input(ZReadTokenCreateInput)
    .output(ZReadTokenCreateOutput)
    .mutation(async ({ ctx, input }) => {
      const { session } = ctx;
      const createdBy = { userId: session.userId, name: session.name ?? session.email };
      const created = await createReadToken(ctx.services.orm, ctx.tenantId, { name: input.name, expiresInDays: input.expiresInDays, createdBy });
      await recordAdministration(
        ctx.services,
        [
          administrationEvent(
            ctx.tenantId,
            'READ_TOKEN_CREATED',
            sessionActor(session),
            { type: 'READ_TOKEN', id: created.tokenId, label: input.name },
            { metadata: { expiresAt: created.expiresAt }, context: { sessionId: session.sessionId } },
          ),
        ],
        userProvenance(session.userId, ctx.http?.ip ?? null),
      );
      return created;
    }),
  revoke: adminProcedure
    .input(ZReadTokenRevokeInput)
    .output(ZReadToken)
    .mutation(async ({ ctx, input }) => {
      const { session } = ctx;
      const token = await revokeReadToken(ctx.services.orm, ctx.tenantId, input.tokenId);
      await recordAdministration(
        ctx.services,
        [
          administrationEvent(
            ctx.tenantId,
            'READ_TOKEN_REVOKED',
            sessionActor(session),
            { type: 'READ_TOKEN', id: token.id, label: token.name },
            { metadata: { revokedAt: token.revokedAt }, context: { sessionId: session.sessionId } },
          ),
        ],
        userProvenance(session.userId, ctx.http?.ip ?? null),
      );
      return token;
    }),
});
