import type { TAction, TActor, TAuditEventInput, TEntity } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';

/** Who administers: an operator on the host (the CLI) or a signed-in Admin (the viewer). */
export type TAdministrator = TActor;

/**
 * DESIGN rule 8: what operators and Admins do to users, roles, keys, quarantine, jobs,
 * checkpoints and export packs, and their reading of the log, is an event of the tenant's own log,
 * sent through the same pipeline as every other event (validated, redacted, chained).
 */
export function administrationEvent(
  tenantId: string,
  action: TAction,
  actor: TAdministrator,
  target?: TEntity,
  details: Pick<TAuditEventInput, 'before' | 'after' | 'metadata' | 'context'> = {},
): TAuditEventInput {
  return {
    eventId: uuidv7(),
    tenantId,
    action,
    outcome: 'SUCCESS',
    actor,
    ...(target ? { entity: target } : {}),
    occurredAt: new Date().toISOString(),
    ...details,
  };
}

/** A session's user as the actor of what they do in the viewer. */
export function sessionActor(session: { userId: string; role: 'ADMIN' | 'MANAGER' | 'CASHIER'; name: string | null; email: string }): TAdministrator {
  return { type: 'USER', id: session.userId, role: session.role, name: session.name ?? session.email };
}
