/**
 * A delivery error as a stream keeps it (last_error) and records it (STREAM_PAUSED_BY_FAILURES): the
 * receiver's answer quoted in it may hold NUL, which PostgreSQL text refuses, or be cut inside a
 * character, a lone surrogate the log refuses. Either made the failure uncountable: never backed
 * off, never paused, never shown. Both become U+FFFD; at most `max` characters, none cut in two.
 */
export function storableErrorText(message: string, max: number): string {
  return Array.from(message.replaceAll('\u0000', '\uFFFD')).slice(0, max).join('').toWellFormed();
}
