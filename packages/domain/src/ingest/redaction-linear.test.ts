import { LIMITS } from '@modula/contracts';
import { describe, expect, it } from 'vitest';
import { redactString } from './redaction.ts';

/**
 * Redaction runs on the HTTP server, synchronously, on every string of every accepted event: its
 * work must grow linearly with the text, whatever an API key sends. Measured against an ordinary
 * text of the same length on the same machine, never against a wall-clock figure; a quadratic
 * pattern costs hundreds of times more on these 8 KiB strings, a linear one a few times at most.
 */
const LENGTH = LIMITS.jsonMaxStringLength;

/** `unit` repeated to exactly LENGTH characters. */
const filled = (unit: string) => unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);

/** JSON text of exactly LENGTH characters: `item` repeated, comma-separated, between `open` and `close` (padded with spaces). */
function jsonFilled(open: string, item: string, close: string): string {
  let text = open + item;
  while (text.length + item.length + 1 + close.length <= LENGTH) text += `,${item}`;
  return text.padEnd(LENGTH - close.length, ' ') + close;
}

const ORDINARY = filled('Refund of 12.50 for order 1042 at till 7, approved by the manager on 2026-12-02. ');

/**
 * Milliseconds per call, the fastest of several batches: each batch runs for at least 2 ms, so
 * neither the clock's grain nor one pause (a collection, another process) decides the figure.
 */
function msPerCall(text: string): number {
  redactString(text);
  let best = Infinity;
  for (let batch = 0; batch < 7; batch++) {
    const start = performance.now();
    let calls = 0;
    let elapsed = 0;
    do {
      redactString(text);
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < 2);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

describe('redaction work is linear in the text (no input can hold the event loop)', () => {
  it.each([
    // a JWT start at every fourth character, each of which used to scan to the end for a dot
    ['eyJ- repeated', filled('eyJ-')],
    ['x-eyJ repeated', filled('x-eyJ')],
    ['eyJ. repeated', filled('eyJaaaaa.')],
    // one digit run with thousands of groups
    ['"1 " repeated', filled('1 ')],
    ['"1." repeated', filled('1.')],
    ['"1 - " repeated', filled('1 - ')],
    ['"4111 " repeated', filled('4111 ')],
    ['"1\\u00a0\\u00a0" repeated', filled('1\u00a0\u00a0')],
    // digits of other scripts, Unicode dashes and invisible characters, mapped to ASCII before the search
    ['"1\\u200b" repeated', filled('1\u200b')],
    ['"1 \\u200b\\u200b" repeated', filled('1 \u200b\u200b')],
    ['"4111\\u200b\\u200b\\u200b-" repeated', filled('4111\u200b\u200b\u200b-')],
    ['"٤١١١–" repeated', filled('٤١١١–')],
    ['"４" repeated', filled('４')],
    ['"１ " repeated', filled('１ ')],
    ['"𝟒" repeated', filled('𝟒')],
    ['"¹" repeated', filled('¹')],
    ['"1¹" repeated', filled('1¹')],
    ['"① " repeated', filled('① ')],
    ['"🄂" repeated', filled('\u{1f102}')],
    ['"1·" repeated', filled('1\u00b7')],
    ['"1 · " repeated', filled('1 \u00b7 ')],
    ['"4111・" repeated', filled('4111\u30fb')],
    ['"\\u00ad" repeated', filled('\u00ad')],
    // words that start a pattern
    ['"pin " repeated', filled('pin ')],
    ['"cvv 1" repeated', filled('cvv 1')],
    ['"security code " repeated', filled('security code ')],
    ['"PIN code " repeated', filled('PIN code ')],
    ['"pin-" repeated', filled('pin-')],
    ['"otp code: " repeated', filled('otp code: ')],
    ['"passcode no 1" repeated', filled('passcode no 1')],
    ['"pin 1" and invisible characters repeated', filled('pin 1\u200b\u200b\u200b\u200b\u200b\u200b\u200b')],
    ['"pin 1", one run of invisible characters, "1"', `pin 1${'\u200b'.repeat(LENGTH - 6)}1`],
    ['"Bearer " repeated', filled('Bearer ')],
    ['"password=" repeated', filled('password=')],
    // JSON text, read as a syntax tree and redacted token by token
    ['a JSON object of one secret key repeated', jsonFilled('{', '"pin":1', '}')],
    ['a JSON array of objects with a secret', jsonFilled('[', '{"pin":1}', ']')],
    ['a JSON array of secret name/value pairs', jsonFilled('[', '{"name":"pin","value":"1"}', ']')],
    ['a JSON array of card numbers', jsonFilled('[', '4111111111111111', ']')],
    ['JSON nested as deep as the text allows', `${'['.repeat(LENGTH / 2)}${']'.repeat(LENGTH / 2)}`],
  ])('%s costs at most 20 times an ordinary text of the same length', (_name, text) => {
    expect(text.length).toBe(LENGTH);
    const ordinary = msPerCall(ORDINARY);
    const hostile = msPerCall(text);
    expect(hostile / ordinary, `${hostile.toFixed(4)} ms against ${ordinary.toFixed(4)} ms`).toBeLessThan(20);
  });
});
