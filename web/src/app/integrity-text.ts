import type { TIntegrityVerifyOutput } from '@modula/contracts';

/** The badge's words: "Chain verified · 1,204 events · checked at 14:03" or "Chain broken at seq 17". */
export function integrityText(result: TIntegrityVerifyOutput, clock: string): string {
  if (!result.ok) return result.firstBrokenSeq !== null ? `Chain broken at seq ${result.firstBrokenSeq}` : 'Chain broken';
  return `Chain verified · ${result.checked.toLocaleString('en')} event${result.checked === 1 ? '' : 's'} · checked at ${clock}`;
}
