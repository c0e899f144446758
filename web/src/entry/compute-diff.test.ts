import { describe, expect, it } from 'vitest';
import { computeDiff, joinPath } from './compute-diff.ts';

describe('computeDiff', () => {
  it('finds nothing between equal states', () => {
    expect(computeDiff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toEqual([]);
    expect(computeDiff(null, null)).toEqual([]);
  });

  it('reports added, removed and changed top-level fields, by name', () => {
    expect(computeDiff({ name: 'Espresso', price: 2.5, old: true }, { name: 'Espresso', price: 2.8, tax: 'A' })).toEqual([
      { path: 'old', kind: 'removed', before: true },
      { path: 'price', kind: 'changed', before: 2.5, after: 2.8 },
      { path: 'tax', kind: 'added', after: 'A' },
    ]);
  });

  it('follows nested objects and arrays to the field that changed', () => {
    const before = {
      order: {
        status: 'OPEN',
        lines: [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 2 },
        ],
      },
    };
    const after = { order: { status: 'PAID', lines: [{ sku: 'A', qty: 3 }] } };
    expect(computeDiff(before, after)).toEqual([
      { path: 'order.lines[0].qty', kind: 'changed', before: 1, after: 3 },
      { path: 'order.lines[1]', kind: 'removed', before: { sku: 'B', qty: 2 } },
      { path: 'order.status', kind: 'changed', before: 'OPEN', after: 'PAID' },
    ]);
  });

  it('treats a created record as all fields added and a deleted one as all removed', () => {
    expect(computeDiff(null, { a: 1, b: { c: 2 } })).toEqual([
      { path: 'a', kind: 'added', after: 1 },
      { path: 'b', kind: 'added', after: { c: 2 } },
    ]);
    expect(computeDiff({ a: 1 }, null)).toEqual([{ path: 'a', kind: 'removed', before: 1 }]);
  });

  it('reports a change of type as one change, and null as a value', () => {
    expect(computeDiff({ a: { x: 1 }, b: null, c: [1] }, { a: 'x', b: 0, c: { 0: 1 } })).toEqual([
      { path: 'a', kind: 'changed', before: { x: 1 }, after: 'x' },
      { path: 'b', kind: 'changed', before: null, after: 0 },
      { path: 'c', kind: 'changed', before: [1], after: { 0: 1 } },
    ]);
  });
});

describe('joinPath', () => {
  it('quotes keys that are not identifiers', () => {
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a', 'b')).toBe('a.b');
    expect(joinPath('a', 2)).toBe('a[2]');
    expect(joinPath('a', 'unit price')).toBe('a["unit price"]');
    expect(joinPath('', '1st')).toBe('["1st"]');
  });
});
