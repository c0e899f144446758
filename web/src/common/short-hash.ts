/** A long hex hash shortened for display: first and last characters, e.g. `3fa81c…9e02`. */
export function shortHash(hash: string, keep = 8): string {
  if (hash.length <= keep * 2 + 1) return hash;
  return `${hash.slice(0, keep)}…${hash.slice(-4)}`;
}
