import type { TLoginOutput } from '@modula/contracts';
import {
  changePassword,
  confirmTotpEnrollment,
  knownDeviceOf,
  revokeSession,
  signIn,
  signInEvent,
  type TPasswordChangeOutcome,
  type TSession,
  type TSignInOutcome,
} from '@modula/domain';
import type { TAuditEventInput } from '@modula/contracts';
import { TRPCError } from '@trpc/server';
import { authSettingsOf } from './auth-settings.ts';
import type { TContext } from './context.ts';
import { ingestEvents } from './ingest-service.ts';
import { signInProvenance, userProvenance } from './provenance.ts';
import { signInGuardOf } from './sign-in-guard.ts';

/**
 * Records audit events of the viewer's own access through the ingest pipeline, before the reply;
 * each with the credential its request presented (signInProvenance).
 */
async function record(ctx: TContext, events: TAuditEventInput[]): Promise<void> {
  const bySender = new Map<string, { provenance: ReturnType<typeof signInProvenance>; events: TAuditEventInput[] }>();
  for (const event of events) {
    const provenance = signInProvenance(ctx, event);
    const group = bySender.get(provenance.credential) ?? { provenance, events: [] };
    group.events.push(event);
    bySender.set(provenance.credential, group);
  }
  for (const { provenance, events: sent } of bySender.values()) {
    const recorded = await ingestEvents(ctx.services, { kind: 'system' }, sent, provenance);
    if (recorded.rejected.length > 0) ctx.services.log.error({ rejected: recorded.rejected }, 'a sign-in audit event was refused');
  }
}

/**
 * Records a sign-in step's audit events, then answers: a session becomes the cookie (and the
 * browser becomes a known device of the account), a refusal the tRPC error. The events are queued
 * before the reply, so no attempt goes unrecorded (refusals of a locked account are recorded as
 * one event per window with their count).
 */
async function answer(ctx: TContext, outcome: TSignInOutcome): Promise<TLoginOutput | { status: 'OK'; recoveryCodes: string[] }> {
  await record(ctx, outcome.events);
  if (outcome.signal?.kind === 'UNKNOWN_ACCOUNT') {
    // no tenant to record it in: the metric and the service log, with an HMAC of the email (not the email: personal data)
    ctx.services.metrics.signInUnknownAccount.inc();
    ctx.services.log.info({ emailKey: outcome.signal.emailKey, ip: ctx.http?.ip ?? null }, 'sign-in attempt for an unknown account');
  }
  switch (outcome.kind) {
    case 'SESSION':
      ctx.http?.setSessionCookie(outcome.token);
      ctx.http?.setDeviceCookie?.(outcome.device.token, outcome.device.maxAgeSeconds);
      return outcome.recoveryCodes ? { status: 'OK', recoveryCodes: outcome.recoveryCodes } : { status: 'OK' };
    case 'TOTP_REQUIRED':
      return { status: 'TOTP_REQUIRED' };
    case 'ENROLL':
      return {
        status: 'TOTP_ENROLLMENT_REQUIRED',
        enrollmentToken: outcome.enrollmentToken,
        otpauthUrl: outcome.otpauthUrl,
        qrDataUrl: outcome.qrDataUrl,
        secret: outcome.secret,
      };
    case 'REFUSED':
      if (outcome.code === 'TOO_MANY_REQUESTS') ctx.services.metrics.signInThrottled.inc({ limit: 'account' });
      throw new TRPCError({ code: outcome.code, message: outcome.message });
  }
}

/**
 * auth.login: the per-address and global limits first (before any account is looked up, so they
 * answer alike for every email), then the account's own backoff and lock (see domain sign-in.ts).
 */
export async function login(
  ctx: TContext,
  input: { email: string; password: string; totp?: string | undefined; recoveryCode?: string | undefined },
): Promise<TLoginOutput> {
  const settings = authSettingsOf(ctx.services.config);
  const guard = signInGuardOf(ctx.services);
  const ip = ctx.http?.ip ?? null;
  const deviceToken = ctx.http?.deviceToken;
  const knownDevice = knownDeviceOf(settings.serverSecret, deviceToken, input.email, new Date()) !== null;
  const admission = await guard.admit(ip, knownDevice).catch((err: unknown) => {
    ctx.services.log.error({ err: (err as Error).message }, 'cannot check the sign-in limits: Redis unreachable');
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'sign-in is unavailable right now; retry later', cause: err });
  });
  if (!admission.ok) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: admission.message });
  const outcome = await signIn(ctx.services.orm, settings, guard.store, { ...input, ip, deviceToken });
  await guard.settle(admission, outcome.kind !== 'REFUSED');
  return (await answer(ctx, outcome)) as TLoginOutput;
}

export async function confirmTotp(ctx: TContext, input: { enrollmentToken: string; code: string }): Promise<{ status: 'OK'; recoveryCodes: string[] }> {
  const outcome = await confirmTotpEnrollment(ctx.services.orm, authSettingsOf(ctx.services.config), signInGuardOf(ctx.services).store, {
    ...input,
    ip: ctx.http?.ip ?? null,
  });
  const out = await answer(ctx, outcome);
  return { status: 'OK', recoveryCodes: 'recoveryCodes' in out ? out.recoveryCodes : [] };
}

/** auth.changePassword: the signed-in user's own; every other session of theirs is revoked. */
export async function changeOwnPassword(
  ctx: TContext & { session: TSession },
  input: { currentPassword: string; newPassword: string },
): Promise<{ status: 'OK'; sessionsRevoked: number }> {
  const { session } = ctx;
  const outcome: TPasswordChangeOutcome = await changePassword(ctx.services.orm, authSettingsOf(ctx.services.config), signInGuardOf(ctx.services).store, {
    tenantId: session.tenantId,
    userId: session.userId,
    sessionId: session.sessionId,
    ip: ctx.http?.ip ?? null,
    ...input,
  });
  await record(ctx, outcome.events);
  if (outcome.kind === 'REFUSED') throw new TRPCError({ code: outcome.code, message: outcome.message });
  return { status: 'OK', sessionsRevoked: outcome.sessionsRevoked };
}

/** Revokes the cookie's session (recorded as LOGOUT) and clears the cookie; idempotent. */
export async function logout(ctx: TContext): Promise<{ status: 'OK' }> {
  const token = ctx.http?.sessionToken;
  const session = ctx.session;
  if (token) {
    const revoked = await revokeSession(ctx.services.orm, token);
    if (revoked && session) {
      const event = signInEvent(
        'LOGOUT',
        { tenantId: session.tenantId, userId: session.userId, email: session.email, name: session.name, role: session.role },
        { ip: ctx.http?.ip ?? null, sessionId: revoked.sessionId, now: new Date() },
      );
      await ingestEvents(ctx.services, { kind: 'system' }, [event], userProvenance(session.userId, ctx.http?.ip ?? null));
    }
  }
  ctx.http?.clearSessionCookie();
  return { status: 'OK' };
}
