import type { TLoginOutput } from '@modula/contracts';
import { confirmTotpEnrollment, revokeSession, signIn, signInEvent, type TSignInOutcome } from '@modula/domain';
import { TRPCError } from '@trpc/server';
import { authSettingsOf } from './auth-settings.ts';
import type { TContext } from './context.ts';
import { ingestEvents } from './ingest-service.ts';

/**
 * Records a sign-in step's audit events through the ingest pipeline (as the system), then answers:
 * a session becomes the cookie, a refusal the tRPC error. The events are queued before the reply,
 * so no attempt goes unrecorded.
 */
async function answer(ctx: TContext, outcome: TSignInOutcome): Promise<TLoginOutput> {
  if (outcome.events.length > 0) {
    const recorded = await ingestEvents(ctx.services, { kind: 'system' }, outcome.events);
    if (recorded.rejected.length > 0) ctx.services.log.error({ rejected: recorded.rejected }, 'a sign-in audit event was refused');
  }
  switch (outcome.kind) {
    case 'SESSION':
      ctx.http?.setSessionCookie(outcome.token);
      return { status: 'OK' };
    case 'TOTP_REQUIRED':
      return { status: 'TOTP_REQUIRED' };
    case 'ENROLL':
      return { status: 'TOTP_ENROLLMENT_REQUIRED', enrollmentToken: outcome.enrollmentToken, otpauthUrl: outcome.otpauthUrl, qrDataUrl: outcome.qrDataUrl, secret: outcome.secret };
    case 'REFUSED':
      throw new TRPCError({ code: outcome.code, message: outcome.message });
  }
}

export async function login(ctx: TContext, input: { email: string; password: string; totp?: string | undefined }): Promise<TLoginOutput> {
  const outcome = await signIn(ctx.services.orm, authSettingsOf(ctx.services.config), { ...input, ip: ctx.http?.ip ?? null });
  return answer(ctx, outcome);
}

export async function confirmTotp(ctx: TContext, input: { enrollmentToken: string; code: string }): Promise<{ status: 'OK' }> {
  const outcome = await confirmTotpEnrollment(ctx.services.orm, authSettingsOf(ctx.services.config), { ...input, ip: ctx.http?.ip ?? null });
  return (await answer(ctx, outcome)) as { status: 'OK' };
}

/** Revokes the cookie's session (recorded as LOGOUT) and clears the cookie; idempotent. */
export async function logout(ctx: TContext): Promise<{ status: 'OK' }> {
  const token = ctx.http?.sessionToken;
  const session = ctx.session;
  if (token) {
    const revoked = await revokeSession(ctx.services.orm, token);
    if (revoked && session) {
      const event = signInEvent('LOGOUT', { tenantId: session.tenantId, userId: session.userId, email: session.email, name: session.name, role: session.role },
        { ip: ctx.http?.ip ?? null, sessionId: revoked.sessionId, now: new Date() });
      await ingestEvents(ctx.services, { kind: 'system' }, [event]);
    }
  }
  ctx.http?.clearSessionCookie();
  return { status: 'OK' };
}
