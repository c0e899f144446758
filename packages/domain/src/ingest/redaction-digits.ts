/**
 * What stands in place of an invisible character (Unicode category Cf: zero-width space, soft hyphen,
 * word joiner, byte order mark, bidi marks) in the copy searched for numbers. A reader sees
 * `4111\u200b1111…` and `4\u200b1\u200b1…` as a plain card number, so the patterns let it stand inside
 * a group of digits without ending it. It is itself a Cf character, so no other character is mistaken for it.
 */
export const INVISIBLE = '\u200b';

/**
 * Digits that Unicode files as other numbers (\p{No}), not as decimal digits (\p{Nd}), whose value is
 * one digit 0–9, each range as its first and last code point and the value of its first: a reader
 * sees `⁴¹¹¹ ¹¹¹¹…` or `④①①①…` as a card number. Not ⑩ or ½ (no single digit), nor the numerals of
 * scripts without place value (Ethiopic `፩`, Brahmi): a run of those is no decimal number.
 */
const OTHER_DIGITS: readonly (readonly [first: number, last: number, value: number])[] = [
  [0x00b2, 0x00b3, 2], // ² ³
  [0x00b9, 0x00b9, 1], // ¹
  [0x2070, 0x2070, 0], // ⁰
  [0x2074, 0x2079, 4], // ⁴ … ⁹
  [0x2080, 0x2089, 0], // ₀ … ₉
  [0x2460, 0x2468, 1], // ① … ⑨
  [0x2474, 0x247c, 1], // ⑴ … ⑼
  [0x2488, 0x2490, 1], // ⒈ … ⒐
  [0x24ea, 0x24ea, 0], // ⓪
  [0x24f5, 0x24fd, 1], // ⓵ … ⓽
  [0x24ff, 0x24ff, 0], // ⓿
  [0x2776, 0x277e, 1], // ❶ … ❾
  [0x2780, 0x2788, 1], // ➀ … ➈
  [0x278a, 0x2792, 1], // ➊ … ➒
  [0x1f100, 0x1f100, 0], // 🄀 (zero with a full stop: the others are ⒈ … ⒐)
  [0x1f101, 0x1f10a, 0], // 🄁 … 🄊 (with a comma)
  [0x1f10b, 0x1f10b, 0], // 🄋 (the zero of ➀)
  [0x1f10c, 0x1f10c, 0], // 🄌 (the zero of ➊)
];

/** OTHER_DIGITS as the ranges of a character class: `\u{b2}-\u{b3}\u{b9}-\u{b9}…`. */
const OTHER_DIGIT_RANGES = OTHER_DIGITS.map(([first, last]) => `\\u{${first.toString(16)}}-\\u{${last.toString(16)}}`).join('');

/**
 * Dots a reader takes for the one between groups of digits, `.` in the copy: the full-width dot and
 * the middle dots (`4111·1111…`): U+00B7 and U+0387, its canonical equivalent, the hyphenation point,
 * the bullet and dot operators, the katakana middle dot and its half-width form.
 */
const DOTS = '\uff0e\u00b7\u0387\u2027\u2219\u22c5\u30fb\uff65';

/**
 * Non-ASCII characters that may stand in a number as a reader sees it: decimal digits of any script
 * (full-width `４`, Arabic-Indic `٤`, Devanagari `४`, mathematical `𝟒`), the digits of OTHER_DIGITS,
 * dashes and minus signs (`–`, `—`, `−`, `－`), invisible characters, the DOTS and the full-width
 * slash. Unicode spaces need no mapping: `\s` already matches them. A digit of OTHER_DIGITS glued to a
 * decimal digit is a footnote or an exponent (`4111…1111¹`, `10²`), not one more digit of its number:
 * it stays as it is, so it ends the number instead of making its last group too long for a card.
 */
const NUMBER_CHARS = new RegExp(`(?![\\0-\\x7f])(?:[\\p{Nd}\\p{Pd}\\p{Cf}\\u2212${DOTS}\\uff0f]|(?<!\\p{Nd})[${OTHER_DIGIT_RANGES}](?!\\p{Nd}))`, 'gu');
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
  const codePoint = char.codePointAt(0)!;
  if (IS_DIGIT.test(char)) return asciiDigitOf(codePoint).padEnd(char.length, INVISIBLE);
  const other = OTHER_DIGITS.find(([first, last]) => codePoint >= first && codePoint <= last);
  if (other) return String(other[2] + codePoint - other[0]).padEnd(char.length, INVISIBLE);
  if (IS_DASH.test(char)) return '-'.padEnd(char.length, INVISIBLE);
  if (IS_INVISIBLE.test(char)) return INVISIBLE.repeat(char.length);
  return DOTS.includes(char) ? '.' : '/';
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
