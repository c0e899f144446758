import { AppError, type TAppErrorCode, type TSession } from '@modula/domain';
import type { TIssue } from '@modula/contracts';
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import { recordAccessDenied } from './administration.ts';
import type { TContext } from './context.ts';
import type { TReader } from './read-access.ts';

/** An error that carries validation issues to the client (`error.data.issues`). */
export class IssuesError extends Error {
  constructor(
    message: string,
    readonly issues: TIssue[],
  ) {
    super(message);
  }
}

const APP_TO_TRPC: Record<TAppErrorCode, TRPC_ERROR_CODE_KEY> = {
  VALIDATION_FAILED: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHORIZED: 'UNAUTHORIZED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
};

/** The tRPC code of a domain error code: for a procedure that answers a domain refusal with its issues (an IssuesError cause). */
export function trpcCodeOf(code: TAppErrorCode): TRPC_ERROR_CODE_KEY {
  return APP_TO_TRPC[code];
}

function issuesOf(cause: unknown): TIssue[] | undefined {
  if (cause instanceof z.ZodError) return cause.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
  if (cause instanceof IssuesError) return cause.issues;
  return undefined;
}

const t = initTRPC.context<TContext>().create({
  errorFormatter({ shape, error }) {
    const issues = issuesOf(error.cause);
    // internal errors never leak their message (it may name tables, hosts or values)
    const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'internal error' : shape.message;
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, message, data: { ...data, ...(issues ? { issues } : {}) } };
  },
});

/** Maps the domain's AppError to tRPC codes, in this one place. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: APP_TO_TRPC[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapAppErrors);

/** Ingestion needs a principal: a tenant's API key or the system context. */
export const ingestProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'send Authorization: Bearer <apiKey>' });
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});

/** A signed-in viewer, whatever the role (auth.me). API keys are not sessions. */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  return next({ ctx: { ...ctx, session: ctx.session } });
});

/** A Manager's or Cashier's session at an Admin procedure: the refusal is recorded in the tenant's log, then FORBIDDEN. */
async function refuseNonAdmin(ctx: TContext, session: TSession, path: string): Promise<never> {
  await recordAccessDenied(ctx.services, session, path, ctx.http?.ip ?? null);
  throw new TRPCError({ code: 'FORBIDDEN', message: 'only an Admin of the tenant may read its audit log' });
}

/** Reading the log: an ADMIN's session only; every read then runs confined to that session's tenant. */
export const adminProcedure = sessionProcedure.use(async ({ ctx, next, path }) => {
  if (ctx.session.role !== 'ADMIN') await refuseNonAdmin(ctx, ctx.session, path);
  return next({ ctx: { ...ctx, tenantId: ctx.session.tenantId } });
});

/**
 * Reading the log (events.list/get, exports.*): an Admin's session as adminProcedure, or a tenant's
 * read token (issue 16). Only these procedures use it; everything that manages (tokens, users,
 * keys, streams, alerts, views…) stays on adminProcedure, which a token never passes (no session).
 * `ctx.reader` says who reads, to record it; every read runs confined to `ctx.tenantId`.
 */
export const readerProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  if (ctx.session) {
    if (ctx.session.role !== 'ADMIN') await refuseNonAdmin(ctx, ctx.session, path);
    const reader: TReader = { kind: 'session', session: ctx.session };
    return next({ ctx: { ...ctx, tenantId: ctx.session.tenantId, reader } });
  }
  if (ctx.readToken) {
    const reader: TReader = { kind: 'token', token: ctx.readToken };
    return next({ ctx: { ...ctx, tenantId: ctx.readToken.tenantId, reader } });
  }
  throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first, or send Authorization: Bearer <read token>' });
});
