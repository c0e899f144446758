export type TDiffKind = 'added' | 'removed' | 'changed';

/** One field that differs between `before` and `after`; `path` names it, e.g. `lines[0].qty`. */
export interface TDiffEntry {
  path: string;
  kind: TDiffKind;
  before?: unknown;
  after?: unknown;
}

type TPlain = Record<string, unknown>;

function isPlainObject(value: unknown): value is TPlain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `a` + `b` → `a.b`; keys that are not identifiers are quoted: `a["unit price"]`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function walk(path: string, before: unknown, after: unknown, out: TDiffEntry[]): void {
  if (Object.is(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    // by name: the stored JSON (jsonb) keeps no key order of its own
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const child = joinPath(path, key);
      if (!(key in after)) out.push({ path: child, kind: 'removed', before: before[key] });
      else if (!(key in before)) out.push({ path: child, kind: 'added', after: after[key] });
      else walk(child, before[key], after[key], out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) {
      const child = joinPath(path, i);
      if (i >= after.length) out.push({ path: child, kind: 'removed', before: before[i] });
      else if (i >= before.length) out.push({ path: child, kind: 'added', after: after[i] });
      else walk(child, before[i], after[i], out);
    }
    return;
  }
  out.push({ path, kind: 'changed', before, after });
}

/**
 * The field-level difference of an event's `before` and `after` states, fields in name order
 * at each level: nested objects and arrays are compared member by member; a missing side (a record
 * created or deleted) makes every field of the other side added or removed.
 */
export function computeDiff(before: TPlain | null | undefined, after: TPlain | null | undefined): TDiffEntry[] {
  const out: TDiffEntry[] = [];
  walk('', before ?? {}, after ?? {}, out);
  return out;
}
