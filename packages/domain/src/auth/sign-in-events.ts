import { ZEventContext, type TAuditEventInput, type TRole } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';

export interface TSignInActor {
  tenantId: string;
  userId: string;
  email: string;
  name: string | null;
  role: TRole;
}

/**
 * Why a sign-in failed, as recorded in the event's metadata (never the attempted password or code).
 * `ACCOUNT_DISABLED`: an attempt on an account an operator disabled (counted like LOCKED refusals).
 */
export type TSignInFailure =
  | 'BAD_PASSWORD'
  | 'BAD_TOTP'
  | 'TOTP_REPLAY'
  | 'BAD_RECOVERY_CODE'
  | 'LOCKED'
  | 'BACKOFF'
  | 'ACCOUNT_DISABLED'
  | 'ENROLLMENT_EXPIRED';

/** A sign-in audit event of the user's tenant, for the same pipeline as every other event. */
export function signInEvent(
  action: 'LOGIN_SUCCESS' | 'LOGIN_FAILED' | 'TWO_FACTOR_ENABLED' | 'LOGOUT' | 'PASSWORD_CHANGED',
  who: TSignInActor,
  at: { ip: string | null; sessionId?: string; failure?: TSignInFailure; now: Date; metadata?: Record<string, string | number | boolean> },
): TAuditEventInput {
  // an address the event schema would refuse (a proxy's odd form) is left out rather than losing the event
  const ip = at.ip && ZEventContext.shape.ip.safeParse(at.ip).success ? at.ip : undefined;
  return {
    eventId: uuidv7(),
    tenantId: who.tenantId,
    action,
    outcome: action === 'LOGIN_FAILED' ? 'FAILED' : 'SUCCESS',
    actor: { type: 'USER', id: who.userId, role: who.role, name: who.name ?? who.email },
    entity: { type: 'USER', id: who.userId, label: who.email },
    occurredAt: at.now.toISOString(),
    metadata: { ...(at.failure ? { failure: at.failure } : {}), channel: 'viewer', ...at.metadata },
    context: { ...(ip ? { ip } : {}), ...(at.sessionId ? { sessionId: at.sessionId } : {}) },
  };
}
