import { canonicalJson } from './canonical-json.ts';

/**
 * RFC 8785 text straight from PostgreSQL's jsonb text (what binary COPY sends after its version
 * byte), without building the value: the verifying threads' hot path. Equal, byte for byte, to
 * canonicalJson(JSON.parse(text)), which stays the definition and is used here whenever a shortcut
 * would need care (tests/integrity/record-bytes.int.test.ts compares the two on values PostgreSQL printed).
 *
 * Why the bytes mostly carry over: jsonb prints strings escaped exactly as JSON.stringify escapes
 * them (`"`, `\`, \b \f \n \r \t, other control characters as lower-case \u00xx; nothing else), and
 * true, false and null as JSON does. What changes: the separators lose their spaces, object
 * members are reordered (jsonb orders keys by length first, JCS by UTF-16 code units) and numbers
 * take ECMAScript's shortest form (jsonb keeps numeric's scale: 12.50).
 *
 * The shortcut stays byte-wise, so it hands over to the definition where bytes and UTF-16 differ:
 * an object key that is not plain ASCII (an escape or a multi-byte character) sends the whole
 * value to canonicalJson(JSON.parse(text)).
 */
export function jsonbCanonical(src: Uint8Array, start: number, end: number, out: TOut): void {
  const mark = out.o;
  const e = new Transformer(src, end, out).value(start);
  if (e !== FALLBACK && skipSpaces(src, e) === end) return;
  // a key outside the shortcut (or anything unexpected): the definition, from the start
  out.o = mark;
  out.text(canonicalJson(JSON.parse(Buffer.from(src.buffer, src.byteOffset + start, end - start).toString('utf8'))));
}

/** Where jsonbCanonical writes: the caller's growing buffer. */
export interface TOut {
  o: number;
  /** Room for n more bytes; returns the buffer (it may have grown). */
  room(n: number): Uint8Array;
  text(t: string): void;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;

/** Returned inside to hand the value to the definition. */
const FALLBACK = -1;

function skipSpaces(src: Uint8Array, p: number): number {
  while (src[p] === SPACE) p++;
  return p;
}

class Transformer {
  private readonly src: Uint8Array;
  /** Where the jsonb text ends: a scalar at the top runs up to here, not into the next column. */
  private readonly limit: number;
  private readonly out: TOut;
  /** How many objects enclose the one being read. */
  private depth = 0;

  constructor(src: Uint8Array, limit: number, out: TOut) {
    this.src = src;
    this.limit = limit;
    this.out = out;
  }

  /** Writes the canonical form of the value at p; returns where it ends, or FALLBACK. */
  value(p: number): number {
    p = skipSpaces(this.src, p);
    const c = this.src[p];
    if (c === OPEN_OBJECT) return this.object(p);
    if (c === OPEN_ARRAY) return this.array(p);
    if (c === QUOTE) {
      const e = stringEnd(this.src, p);
      this.copy(p, e);
      return e;
    }
    return this.scalar(p);
  }

  private copy(s: number, e: number) {
    const buf = this.out.room(e - s);
    const src = this.src;
    let o = this.out.o;
    for (let i = s; i < e; i++) buf[o++] = src[i]!;
    this.out.o = o;
  }

  private byte(b: number) {
    this.out.room(1)[this.out.o++] = b;
  }

  /** true, false, null or a number: a number is rewritten unless its text is already ECMAScript's. */
  private scalar(p: number): number {
    const src = this.src;
    const e = scalarEnd(src, p, this.limit);
    const first = src[p];
    if (first === 0x74 || first === 0x66 || first === 0x6e) this.copy(p, e);
    else if (alreadyShortest(src, p, e)) this.copy(p, e);
    else {
      const n = Number(Buffer.from(src.buffer, src.byteOffset + p, e - p).toString('latin1'));
      if (Number.isNaN(n)) return FALLBACK;
      if (!Number.isFinite(n)) throw new Error('non-finite numbers have no JSON form');
      this.out.text(String(n));
    }
    return e;
  }

  private array(p: number): number {
    const src = this.src;
    this.byte(OPEN_ARRAY);
    p = skipSpaces(src, p + 1);
    for (let first = true; src[p] !== CLOSE_ARRAY; first = false) {
      if (p >= this.limit) return FALLBACK;
      if (!first) this.byte(COMMA);
      const e = this.value(p);
      if (e === FALLBACK) return FALLBACK;
      p = skipSpaces(src, e);
      if (src[p] === COMMA) p = skipSpaces(src, p + 1);
    }
    this.byte(CLOSE_ARRAY);
    return p + 1;
  }

  /**
   * The members are found first (key and value ranges), then written in JCS order. Their ranges go
   * into one array per nesting depth, reused from row to row: the walk allocates nothing per object.
   */
  private object(p: number): number {
    const src = this.src;
    const depth = this.depth++;
    const members = (OBJECT_MEMBERS[depth] ??= []);
    const order = (OBJECT_ORDER[depth] ??= []);
    // keyStart, keyEnd, valueStart per member
    let count = 0;
    p = skipSpaces(src, p + 1);
    while (src[p] !== CLOSE_OBJECT) {
      if (src[p] !== QUOTE || p >= this.limit) return FALLBACK;
      const keyEnd = stringEnd(src, p);
      for (let i = p + 1; i < keyEnd - 1; i++) if (src[i]! >= 0x80 || src[i] === BACKSLASH) return FALLBACK;
      const colon = skipSpaces(src, keyEnd);
      if (src[colon] !== COLON) return FALLBACK;
      const valueStart = skipSpaces(src, colon + 1);
      members[count * 3] = p;
      members[count * 3 + 1] = keyEnd;
      members[count * 3 + 2] = valueStart;
      count++;
      p = skipSpaces(src, skipValue(src, valueStart, this.limit));
      if (src[p] === COMMA) p = skipSpaces(src, p + 1);
    }
    // insertion sort: objects in a log entry have a handful of keys
    for (let i = 0; i < count; i++) {
      const m = i * 3;
      let j = i - 1;
      while (j >= 0 && compareKeys(src, order[j]!, m, members) > 0) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = m;
    }
    this.byte(OPEN_OBJECT);
    for (let k = 0; k < count; k++) {
      const m = order[k]!;
      if (k > 0) this.byte(COMMA);
      this.copy(members[m]!, members[m + 1]!);
      this.byte(COLON);
      if (this.value(members[m + 2]!) === FALLBACK) return FALLBACK;
    }
    this.byte(CLOSE_OBJECT);
    this.depth--;
    return p + 1;
  }
}

/** Per nesting depth: the member ranges and their sorted order of the object being written there. */
const OBJECT_MEMBERS: number[][] = [];
const OBJECT_ORDER: number[][] = [];

/** Two ASCII keys (their bytes inside the quotes) in UTF-16 code-unit order: byte order, a prefix first. */
function compareKeys(src: Uint8Array, a: number, b: number, members: number[]): number {
  const as = members[a]! + 1;
  const ae = members[a + 1]! - 1;
  const bs = members[b]! + 1;
  const be = members[b + 1]! - 1;
  for (let i = 0; as + i < ae && bs + i < be; i++) {
    const d = src[as + i]! - src[bs + i]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

function scalarEnd(src: Uint8Array, p: number, limit: number): number {
  let e = p;
  while (e < limit && src[e] !== COMMA && src[e] !== CLOSE_OBJECT && src[e] !== CLOSE_ARRAY && src[e] !== SPACE) e++;
  return e;
}

/** Where the string starting at p (its opening quote) ends, past its closing quote. */
function stringEnd(src: Uint8Array, p: number): number {
  let i = p + 1;
  while (i < src.length && src[i] !== QUOTE) i += src[i] === BACKSLASH ? 2 : 1;
  return i + 1;
}

/** Where the value starting at p ends, without writing it. */
function skipValue(src: Uint8Array, p: number, limit: number): number {
  const c = src[p];
  if (c === QUOTE) return stringEnd(src, p);
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) return scalarEnd(src, p, limit);
  let depth = 0;
  for (let i = p; i < limit; ) {
    const b = src[i];
    if (b === QUOTE) {
      i = stringEnd(src, i);
      continue;
    }
    if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
    else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return i + 1;
    i++;
  }
  return limit;
}

/**
 * A number whose text is already ECMAScript's shortest form: optional minus, an integer part with no
 * leading zero, a fraction without trailing zeros, at most 15 significant digits (so no shorter text
 * reads as the same double), no exponent, and not below 1e-6 (printed with an exponent). -0 is not.
 */
function alreadyShortest(src: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (src[i] === 0x2d) i++;
  const intStart = i;
  while (i < e && src[i]! >= 0x30 && src[i]! <= 0x39) i++;
  const intDigits = i - intStart;
  if (intDigits === 0 || (intDigits > 1 && src[intStart] === 0x30)) return false;
  const zeroInt = src[intStart] === 0x30;
  if (i === e) return !zeroInt && intDigits <= 15;
  if (src[i] !== 0x2e) return false;
  const fracStart = ++i;
  while (i < e && src[i]! >= 0x30 && src[i]! <= 0x39) i++;
  if (i !== e || i === fracStart || src[e - 1] === 0x30) return false;
  if (!zeroInt) return intDigits + (e - fracStart) <= 15;
  let zeros = 0;
  while (src[fracStart + zeros] === 0x30) zeros++;
  return zeros <= 5 && e - fracStart - zeros <= 15;
}
