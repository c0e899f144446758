/**
 * The words of the password change: the policy the service applies (auth/password-policy.ts and
 * password-history.ts on the server: PCI DSS 8.3.6 and 8.3.7), its refusals, and what the change did.
 */
export const PASSWORD_POLICY_HINT =
  'At least 12 characters with letters and digits, not built on your email, not a common or easily guessed password, and none of your last 4 passwords. A phrase of unrelated words with digits works well.';

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
export function passwordChangeErrorText(code: string | undefined, message: string | undefined): string {
  switch (code) {
    case 'BAD_REQUEST':
      // an input the schema refused (its message is a JSON list of issues), not a policy reason
      if (!message || message.startsWith('[')) return 'Enter your current password and a new one of at most 1024 characters.';
      return sentence(message);
    case 'UNAUTHORIZED':
      if (message?.includes('current password')) return sentence(message);
      return 'Your session has ended. Sign in again, then change your password.';
    case 'TOO_MANY_REQUESTS':
      return message ? sentence(message) : 'Too many wrong current passwords. Try again later.';
    case 'FORBIDDEN':
      return 'The service refused the request. Reload the page and try again.';
    default:
      return 'The service could not be reached. Try again in a moment.';
  }
}

/** The answer to a change that went through: the password is new, and the other sessions were signed out. */
export function passwordChangedText(sessionsRevoked: number): string {
  if (sessionsRevoked === 0) return 'Your password has been changed. You had no other session open; from now on every sign-in needs the new password.';
  const others = sessionsRevoked === 1 ? '1 other session was' : `${sessionsRevoked} other sessions were`;
  return `Your password has been changed. ${others} signed out; this one stays signed in. Elsewhere, sign in again with the new password.`;
}

/** Why the confirmation field is wrong, or undefined when it repeats the new password. */
export function confirmationProblem(newPassword: string, confirmation: string): string | undefined {
  return confirmation === newPassword ? undefined : 'The two new passwords differ. Type the same password twice.';
}
