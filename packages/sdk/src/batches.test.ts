import { describe, expect, it } from 'vitest';
import { jsonBytes, splitBatches } from './batches.ts';

describe('splitBatches', () => {
  it('keeps order and cuts at maxEvents', () => {
    const items = Array.from({ length: 2501 }, (_, i) => i);
    const batches = splitBatches(items, { maxEvents: 1000, maxBytes: 1e9 });
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 501]);
    expect(batches.flat()).toEqual(items);
  });

  it('keeps each request body {"events":[…]} within maxBytes, exactly at the limit included', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ n: i, pad: 'x'.repeat(80) }));
    const one = jsonBytes(items[0]);
    const maxBytes = jsonBytes({ events: items.slice(0, 3) }); // exactly three fit
    const batches = splitBatches(items, { maxEvents: 1000, maxBytes });
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    for (const b of batches) expect(jsonBytes({ events: b })).toBeLessThanOrEqual(maxBytes);
    expect(one).toBeGreaterThan(80);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const items = ['€€€€', '€€€€'];
    expect(splitBatches(items, { maxEvents: 10, maxBytes: jsonBytes({ events: items }) - 1 })).toEqual([['€€€€'], ['€€€€']]);
  });

  it('gives an oversized item a batch of its own instead of looping or dropping it', () => {
    expect(splitBatches(['a', 'x'.repeat(100), 'b'], { maxEvents: 10, maxBytes: 30 })).toEqual([['a'], ['x'.repeat(100)], ['b']]);
    expect(splitBatches([], { maxEvents: 10, maxBytes: 30 })).toEqual([]);
  });
});
