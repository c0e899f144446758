import type { TIntegrityVerifyOutput } from '@modula/contracts';

/**
 * The badge's words: "Chain verified · 1,204 events · checked at 14:03" or "Chain broken at seq 17".
 * The count is the log's length: a check from a signed checkpoint recomputed only the events after
 * it (`checked`), the checkpoint vouching for the rest (see integrityDetail).
 */
export function integrityText(result: TIntegrityVerifyOutput, clock: string): string {
  if (!result.ok) return result.firstBrokenSeq !== null ? `Chain broken at seq ${result.firstBrokenSeq}` : 'Chain broken';
  const events = result.fromCheckpointSeq != null ? result.headSeq : result.checked;
  return `Chain verified · ${events.toLocaleString('en')} event${events === 1 ? '' : 's'} · checked at ${clock}`;
}

/** The badge's tooltip for an intact log: what was recomputed and what a signed checkpoint vouched for. */
export function integrityDetail(result: TIntegrityVerifyOutput): string {
  if (result.fromCheckpointSeq == null) return `Every event links to the one before it, up to seq ${result.headSeq}.`;
  const after = result.checked === 1 ? '1 event' : `${result.checked.toLocaleString('en')} events`;
  return `Events up to seq ${result.fromCheckpointSeq} are vouched for by the latest signed checkpoint (its signature and chain hash hold); the ${after} after it were recomputed and link, up to seq ${result.headSeq}.`;
}

/**
 * The warning when `signing_keys` lists keys this server never pinned (`notTrustedKeys`): a key a
 * database superuser could have added. A checkpoint signed by one does not count; an operator must
 * check the keys (and pin them, or find who added them). Undefined when there are none.
 */
export function untrustedKeysWarning(result: Pick<TIntegrityVerifyOutput, 'notTrustedKeys'>): string | undefined {
  const keys = result.notTrustedKeys ?? [];
  if (keys.length === 0) return undefined;
  return `Signed with keys this server does not trust: ${keys.join(', ')}; an operator must check them.`;
}
