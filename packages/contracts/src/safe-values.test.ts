import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits.ts';
import { ZJsonObject } from './safe-values.ts';

const issuesOf = (value: unknown) => {
  const parsed = ZJsonObject.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path, message: i.message }));
};

/** Nested `depth` levels deep: { d: { d: … { leaf } } }. */
const nested = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { d: nested(depth - 1, leaf) });

describe('ZJsonObject: what storage cannot keep as sent, named by its path', () => {
  it('accepts JSON that storage keeps, nested and in arrays', () => {
    expect(issuesOf({ price: 12.5, items: [{ sku: 'A-1', qty: 2, tags: ['x', null, true] }], note: 'ok' })).toEqual([]);
  });

  it('names each problem where it lies: a member of an object in an array in an object', () => {
    expect(issuesOf({ items: [{ sku: 'A-1' }, { sku: 'B\u0000' }], lines: [1, 2, 2 ** 60] })).toEqual([
      { path: ['items', 1, 'sku'], message: 'string must not contain NUL (\\u0000) characters' },
      { path: ['lines', 2], message: 'integer outside ±(2^53−1) cannot be kept exactly; send it as a string' },
    ]);
  });

  it('names a bad key by the key, and a string too long by its member', () => {
    const longKey = 'k'.repeat(LIMITS.jsonMaxKeyLength + 1);
    expect(issuesOf({ a: { [longKey]: 1, 'x\ud800': 2, text: 'y'.repeat(LIMITS.jsonMaxStringLength + 1) } })).toEqual([
      { path: ['a', longKey], message: `key longer than ${LIMITS.jsonMaxKeyLength} characters` },
      { path: ['a', 'x\ud800'], message: 'key must be well-formed Unicode (no lone surrogates)' },
      { path: ['a', 'text'], message: `string longer than ${LIMITS.jsonMaxStringLength} characters` },
    ]);
  });

  it('names the object nested too deep, the array too long and the object with too many keys', () => {
    const wide = Object.fromEntries(Array.from({ length: LIMITS.jsonMaxKeys + 1 }, (_, i) => [`k${i}`, i]));
    expect(issuesOf({ deep: nested(LIMITS.jsonMaxDepth, 1), list: { all: Array(LIMITS.jsonMaxArrayItems + 1).fill(0) }, wide })).toEqual([
      { path: ['deep', 'd', 'd', 'd', 'd', 'd', 'd', 'd'], message: `nested deeper than ${LIMITS.jsonMaxDepth} levels` },
      { path: ['list', 'all'], message: `array longer than ${LIMITS.jsonMaxArrayItems} items` },
      { path: ['wide'], message: `object with more than ${LIMITS.jsonMaxKeys} keys` },
    ]);
  });

  it('refuses what is no JSON value, at its path', () => {
    expect(issuesOf({ at: [{ when: new Date(0) }] })).toEqual([
      { path: ['at', 0, 'when'], message: 'must be a JSON value (string, number, boolean, null, array or object), got Date' },
    ]);
  });
});
