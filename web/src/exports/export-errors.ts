import { errorCodeOf } from '../app/trpc.ts';
import { englishText, type TTranslate } from '../i18n/english.ts';

const KNOWN = ['SERVICE_UNAVAILABLE', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'TOO_MANY_REQUESTS', 'BAD_REQUEST'] as const;

/** What an Admin can act on, by tRPC error code (in the viewer's language); the raw message is for the operator's logs. */
export function exportErrorText(error: unknown, t: TTranslate = englishText): string {
  const code = errorCodeOf(error);
  if (code === undefined) return t('exports.errors.unreachable');
  const known = KNOWN.find((k) => k === code);
  return t(known ? `exports.errors.${known}` : 'exports.errors.other');
}
