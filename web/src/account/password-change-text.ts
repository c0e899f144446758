import { englishText, type TTranslate } from '../i18n/english.ts';

/**
 * The words of the password change: the policy the service applies (auth/password-policy.ts and
 * password-history.ts on the server: PCI DSS 8.3.6 and 8.3.7), its refusals, and what the change did.
 */
export const PASSWORD_POLICY_HINT = englishText('password.policy');

/** The service's own sentence ("the current password is wrong") as the dialog shows it. */
function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * What a refused change tells the person: the service's reason (the policy, the history, a wrong
 * current password, the wait after repeated wrong ones), in its words; a session that ended or a
 * service out of reach in ours.
 */
export function passwordChangeErrorText(code: string | undefined, message: string | undefined, t: TTranslate = englishText): string {
  switch (code) {
    case 'BAD_REQUEST':
      // an input the schema refused (its message is a JSON list of issues), not a policy reason
      if (!message || message.startsWith('[')) return t('password.badInput');
      return sentence(message);
    case 'UNAUTHORIZED':
      if (message?.includes('current password')) return sentence(message);
      return t('password.sessionEnded');
    case 'TOO_MANY_REQUESTS':
      return message ? sentence(message) : t('password.tooMany');
    case 'FORBIDDEN':
      return t('password.refused');
    default:
      return t('password.unreachable');
  }
}

/** The answer to a change that went through: the password is new, and the other sessions were signed out. */
export function passwordChangedText(sessionsRevoked: number, t: TTranslate = englishText): string {
  if (sessionsRevoked === 0) return t('password.changedNoOther');
  return t('password.changedOthers', { count: sessionsRevoked, n: sessionsRevoked });
}

/** Why the confirmation field is wrong, or undefined when it repeats the new password. */
export function confirmationProblem(newPassword: string, confirmation: string, t: TTranslate = englishText): string | undefined {
  return confirmation === newPassword ? undefined : t('password.differ');
}
