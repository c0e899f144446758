import type { TIntegrityVerifyOutput } from '@modula/contracts';
import { englishText, type TTranslate } from '../i18n/english.ts';

/**
 * The badge's words: "Chain verified · 1,204 events · checked at 14:03" or "Chain broken at seq 17".
 * The count is the log's length: a check from a signed checkpoint recomputed only the events after
 * it (`checked`), the checkpoint vouching for the rest (see integrityDetail).
 */
export function integrityText(result: TIntegrityVerifyOutput, clock: string, t: TTranslate = englishText, locale = 'en'): string {
  if (!result.ok) return result.firstBrokenSeq !== null ? t('chain.brokenAt', { seq: result.firstBrokenSeq }) : t('chain.broken');
  const events = result.fromCheckpointSeq != null ? result.headSeq : result.checked;
  return t('chain.verified', { count: events, n: events.toLocaleString(locale), clock });
}

/** The badge's tooltip for an intact log: what was recomputed and what a signed checkpoint vouched for. */
export function integrityDetail(result: TIntegrityVerifyOutput, t: TTranslate = englishText, locale = 'en'): string {
  if (result.fromCheckpointSeq == null) return t('chain.linksUpTo', { seq: result.headSeq });
  return t('chain.vouched', { count: result.checked, n: result.checked.toLocaleString(locale), from: result.fromCheckpointSeq, head: result.headSeq });
}

/**
 * The warning when `signing_keys` lists keys this server never pinned (`notTrustedKeys`): a key a
 * database superuser could have added. A checkpoint signed by one does not count; an operator must
 * check the keys (and pin them, or find who added them). Undefined when there are none.
 */
export function untrustedKeysWarning(result: Pick<TIntegrityVerifyOutput, 'notTrustedKeys'>, t: TTranslate = englishText): string | undefined {
  const keys = result.notTrustedKeys ?? [];
  if (keys.length === 0) return undefined;
  return t('chain.untrustedKeys', { keys: keys.join(', ') });
}
