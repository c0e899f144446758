import { Fragment } from 'react';

/**
 * Text a device or a person sent (names, labels, ids) is stored as sent, bidi controls and
 * invisible characters included. Shown as is, a right-to-left override in "abc\u202Efdp.exe"
 * reads "abcexe.pdf" and reverses the words after it. On screen, each such text is isolated
 * (`<bdi>`: nothing in it reorders what is around it) and those characters are shown as markers
 * ("⟨U+202E⟩"); copies, filters and exports keep the raw value.
 */

/**
 * Bidi embeddings, overrides, isolates and marks, and invisible characters with no use in a name.
 * The zero-width joiner and non-joiner stay: emoji and Persian or Indic names need them.
 */
const HIDDEN = /[\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** The text with each bidi control or invisible character shown as "⟨U+XXXX⟩". */
export function revealHidden(text: string): string {
  return text.replace(HIDDEN, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** A text someone sent, isolated and with its hidden characters shown. */
export function UserText({ value }: { value: string }) {
  return <bdi>{revealHidden(value)}</bdi>;
}

/** Stands for the `index`th value in a sentence built around sent texts (a private-use character). */
export function userTextSlot(index: number): string {
  return String.fromCharCode(0xe000 + index);
}

const SLOT = /([\uE000-\uE0FF])/;

/**
 * A sentence whose slots (userTextSlot) are the sent texts in `values`, each isolated; the sentence's
 * own words (a free-text failure among them) with hidden characters shown too.
 */
export function UserSentence({ text, values }: { text: string; values: readonly string[] }) {
  // keys by place: the parts of one sentence, in its order
  return text.split(SLOT).map((part, i) => {
    const value = i % 2 === 1 ? values[part.charCodeAt(0) - 0xe000] : undefined;
    return value === undefined ? <Fragment key={i}>{revealHidden(part)}</Fragment> : <UserText key={i} value={value} />;
  });
}
