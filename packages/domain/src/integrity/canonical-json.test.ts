import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

const jsonValue = fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('canonicalJson (RFC 8785)', () => {
  it('matches the reference implementation byte for byte on random JSON', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts keys by UTF-16 code units and writes numbers in ECMAScript form', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], '\u{1F600}': 0, é: -0, '\uFB01': 1e21, E: 0.1 })).toBe(
      '{"E":0.1,"a":[true,null,"x"],"b":1,"é":0,"\u{1F600}":0,"\uFB01":1e+21}',
    );
  });

  it('drops undefined members like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});
