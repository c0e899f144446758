import { type TReadToken, ZRole } from '@modula/contracts';
import { administrationEvent, disableUser, resetTwoFactor, setUserRole, unlockUser, type TAdministeredUser } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

const OPTIONS = { tenant: { type: 'string' }, email: { type: 'string' } } as const;

function target(values: Record<string, unknown>) {
  return {
    tenantId: z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant')),
    email: z.email({ error: '--email must be an email address' }).parse(required(values, 'email')),
  };
}

const accountOf = (u: TAdministeredUser) => ({ type: 'USER', id: u.userId, label: u.email });

/** READ_TOKEN_REVOKED for each token that ended with its maker's access, saying why. */
function tokensRevoked(tenantId: string, tokens: TReadToken[], reason: string) {
  return tokens.map((t) =>
    administrationEvent(
      tenantId,
      'READ_TOKEN_REVOKED',
      operatorActor(),
      { type: 'READ_TOKEN', id: t.id, label: t.name },
      { metadata: { revokedAt: t.revokedAt, reason } },
    ),
  );
}

export const userSetRole: TCommand = {
  summary:
    'Gives a user another role (applies at once: their sessions end, and leaving ADMIN revokes the read tokens they made); recorded as ROLE_CHANGED (and READ_TOKEN_REVOKED) in the tenant\'s log; prints {"userId","role","previousRole","sessionsEnded","readTokensRevoked"}.',
  options: { ...OPTIONS, role: { type: 'string' } },
  async run(values) {
    const { tenantId, email } = target(values);
    const role = ZRole.parse(required(values, 'role'));
    const user = await withOrm((orm) => setUserRole(orm, tenantId, email, role));
    await recordAdministration([
      administrationEvent(tenantId, 'ROLE_CHANGED', operatorActor(), accountOf(user), {
        before: { role: user.previousRole },
        after: { role },
        metadata: { sessionsEnded: user.sessionsEnded, readTokensRevoked: user.readTokensRevoked.length },
      }),
      ...tokensRevoked(tenantId, user.readTokensRevoked, `its maker ${user.email} is no longer an Admin`),
    ]);
    printJson({
      userId: user.userId,
      role,
      previousRole: user.previousRole,
      sessionsEnded: user.sessionsEnded,
      readTokensRevoked: user.readTokensRevoked.map((t) => t.id),
    });
    return 0;
  },
};

export const userDisable: TCommand = {
  summary:
    'Disables a user: no more sign-ins, open sessions and the read tokens they made end now; recorded as USER_DISABLED (and READ_TOKEN_REVOKED); prints {"userId","disabledAt","sessionsEnded","readTokensRevoked"}.',
  options: OPTIONS,
  async run(values) {
    const { tenantId, email } = target(values);
    const user = await withOrm((orm) => disableUser(orm, tenantId, email));
    await recordAdministration([
      administrationEvent(tenantId, 'USER_DISABLED', operatorActor(), accountOf(user), {
        metadata: { sessionsEnded: user.sessionsEnded, readTokensRevoked: user.readTokensRevoked.length },
      }),
      ...tokensRevoked(tenantId, user.readTokensRevoked, `its maker ${user.email} was disabled`),
    ]);
    printJson({
      userId: user.userId,
      disabledAt: user.disabledAt,
      sessionsEnded: user.sessionsEnded,
      readTokensRevoked: user.readTokensRevoked.map((t) => t.id),
    });
    return 0;
  },
};

export const userUnlock: TCommand = {
  summary: 'Lifts a user\'s sign-in lock before it expires (after failed sign-ins); recorded as USER_UNLOCKED; prints {"userId"}.',
  options: OPTIONS,
  async run(values) {
    const { tenantId, email } = target(values);
    const user = await withOrm((orm) => unlockUser(orm, tenantId, email));
    await recordAdministration([administrationEvent(tenantId, 'USER_UNLOCKED', operatorActor(), accountOf(user))]);
    printJson({ userId: user.userId });
    return 0;
  },
};

export const userResetTwoFactor: TCommand = {
  summary:
    'Forgets a user\'s second factor (the next sign-in enrols a new one), ends their sessions; recorded as TWO_FACTOR_RESET; prints {"userId","sessionsEnded"}.',
  options: OPTIONS,
  async run(values) {
    const { tenantId, email } = target(values);
    const user = await withOrm((orm) => resetTwoFactor(orm, tenantId, email));
    await recordAdministration([
      administrationEvent(tenantId, 'TWO_FACTOR_RESET', operatorActor(), accountOf(user), { metadata: { sessionsEnded: user.sessionsEnded } }),
    ]);
    printJson({ userId: user.userId, sessionsEnded: user.sessionsEnded });
    return 0;
  },
};
