/**
 * What stands in place of an invisible character (Unicode category Cf: zero-width space, soft hyphen,
 * word joiner, byte order mark, bidi marks) in the copy searched for numbers. A reader sees
 * `4111\u200b1111…` and `4\u200b1\u200b1…` as a plain card number, so the patterns let it stand inside
 * a group of digits without ending it. It is itself a Cf character, so no other character is mistaken for it.
 */
export const INVISIBLE = '\u200b';

/**
 * Non-ASCII characters that may stand in a number as a reader sees it: decimal digits of any script
 * (full-width `４`, Arabic-Indic `٤`, Devanagari `४`, mathematical `𝟒`), dashes and minus signs (`–`,
 * `—`, `−`, `－`), invisible characters, and the full-width dot and slash. Unicode spaces need no
 * mapping: `\s` already matches them.
 */
const NUMBER_CHARS = /(?![\0-\x7f])[\p{Nd}\p{Pd}\p{Cf}\u2212\uff0e\uff0f]/gu;
const NON_ASCII = /[^\0-\x7f]/;
const IS_DIGIT = /^\p{Nd}$/u;
const IS_DASH = /^[\p{Pd}\u2212]$/u;
const IS_INVISIBLE = /^\p{Cf}$/u;

/**
 * The value of a decimal digit of any script, as an ASCII digit. Unicode encodes every script's digits
 * as a contiguous 0–9 (its stability policy for Nd), and adjacent sets start with their zero (the
 * mathematical digits are five sets in a row), so the value is the count of digits just before it, mod 10.
 */
function asciiDigitOf(codePoint: number): string {
  let before = 0;
  while (IS_DIGIT.test(String.fromCodePoint(codePoint - before - 1))) before++;
  return String(before % 10);
}

/** A character of NUMBER_CHARS in ASCII, as many UTF-16 units long as it is (`𝟒` → `4` and INVISIBLE). */
function asciiOf(char: string): string {
  if (IS_DIGIT.test(char)) return asciiDigitOf(char.codePointAt(0)!).padEnd(char.length, INVISIBLE);
  if (IS_DASH.test(char)) return '-'.padEnd(char.length, INVISIBLE);
  if (IS_INVISIBLE.test(char)) return INVISIBLE.repeat(char.length);
  return char === '\uff0e' ? '.' : '/';
}

/**
 * Characters already mapped, at most the thousand or so NUMBER_CHARS can match: the server maps every
 * string it accepts, and a text repeats few distinct ones.
 */
const asciiForms = new Map<string, string>();

/**
 * `text` with the characters of NUMBER_CHARS written as the ASCII the patterns know (a digit, `-`,
 * `.`, `/`, or INVISIBLE), one UTF-16 unit for one, so that an offset in the copy is the same offset in
 * `text`: the patterns search the copy, and what they find is redacted in `text`. ASCII text is
 * returned as it is.
 */
export function asciiNumberCopy(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text.replace(NUMBER_CHARS, (char) => {
    let ascii = asciiForms.get(char);
    if (ascii === undefined) {
      ascii = asciiOf(char);
      asciiForms.set(char, ascii);
    }
    return ascii;
  });
}
