import { LIMITS, ZAcceptedEvent, type TAcceptedEvent, type TAuditEventInput } from '@modula/contracts';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { luhnCard } from '../../../../testing/cards.ts';
import { judgeEvents } from './accept.ts';
import { canonicalJson } from '../integrity/canonical-json.ts';
import { contentHashOf } from './event-row.ts';
import { isSecretKey, luhnValid, REDACTED, redactEvent, redactString } from './redaction.ts';

const TENANT = '0192f1c4-6b7a-7c3e-9d2f-4b8a1e5c7d90';

function event(overrides: Partial<TAuditEventInput> = {}): TAuditEventInput {
  return {
    eventId: uuidv7(),
    tenantId: TENANT,
    action: 'POLICY_UPDATED',
    outcome: 'SUCCESS',
    actor: { type: 'USER', id: 'user-1', role: 'MANAGER', name: 'Maria Manager' },
    entity: { type: 'POLICY', id: 'pol-1', label: 'Refund policy' },
    occurredAt: '2025-01-02T10:00:00.000Z',
    ...overrides,
  } as TAuditEventInput;
}

/** The event as the service accepts it (schema, redaction, normalisation): what is hashed and queued. */
function accept(raw: unknown): TAcceptedEvent {
  const judged = judgeEvents([raw], { kind: 'system' });
  expect(judged.rejected).toEqual([]);
  return judged.accepted[0]!.event;
}

describe('isSecretKey', () => {
  it.each([
    'password',
    'Password',
    'user_password',
    'pin',
    'managerPIN',
    'pin_code',
    'apiKey',
    'api-key',
    'X-Api-Key',
    'accessToken',
    'refresh_token',
    'authorization',
    'cvv',
    'CVC2',
    'cardNumber',
    'card_number',
    'clientSecret',
    'Set-Cookie',
    'otp',
    // acronyms followed by a word, and short names
    'PINCode',
    'OTPCode',
    'CVVCode',
    'userPINCode',
    'APIKey',
    'pass',
    'pw',
    'auth',
    'basicAuth',
    'auth_header',
    'PASSWORD',
    'PIN_CODE',
    // a common misspelling of cvv, and the name spelled out
    'ccv',
    'CCV',
    'cardVerificationValue',
    'card_verification_code',
    // pin, cvv, otp glued to another word or to a digit, in one case (no word boundary to split at)
    'managerpin',
    'PINCODE',
    'pincode', // also an Indian postal code, but in a POS event a PIN code is the likelier meaning
    'pin2',
    'PIN1',
    'VOIDPIN',
    'refundpin',
    'userpin',
    'pospin',
    'pinblock',
    'pinno',
    'cardcvv',
    'CARDCVV',
    'cvvcode',
    'cvv2code',
    'otpcode',
    'smsotp',
    'authcode',
    // a flag beside a CVV holds no secret, but its value is harmless to lose
    'cvvVerified',
    // pan (primary account number) glued to the word before it, with or without a number after
    'cardPan',
    'cardpan',
    'CARDPAN',
    'cardpan2',
    'ccpan',
    'fullpan',
    'clearpan',
  ])('%s is a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });
  it.each([
    'shipping',
    'shippingAddress',
    'spinach',
    'pinned',
    'opinion',
    'last4',
    'holder',
    'description',
    'company',
    'expand',
    'passenger',
    'passengerName',
    'author',
    'authorName',
    'authored',
    'compass',
    'bypass',
    'panel',
    'panorama',
    'Company',
    // ordinary words that hold the letters p-i-n, o-t-p or a-u-t-h
    'spin',
    'spinner',
    'backspin',
    'hairpin',
    'pinterest',
    'pinyin',
    'pinpad',
    'mapping',
    'topping',
    'typing',
    'footprint',
    'authority',
    // a number after a word that is no code: Auth0's user ids, a second panel
    'auth0Id',
    'auth0UserId',
    'auth0_user_id',
    'pan1',
    // words that end in p-a-n: a country, any span (a length), cookware, a boat, a sweet
    'japan',
    'Japan',
    'JAPAN',
    'span',
    'timespan',
    'TIMESPAN',
    'timeSpan',
    'lifespan',
    'wingspan',
    'colspan',
    'rowspan',
    'saucepan',
    'frypan',
    'fryingpan',
    'dustpan',
    'sampan',
    'trepan',
    'marzipan',
    'deadpan',
  ])('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('redactString', () => {
  const visa = '4111111111111111';
  it.each([
    ['card 4111 1111 1111 1111 ok', 'card [REDACTED] ok'],
    ['5500-0000-0000-0004', '[REDACTED]'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: [REDACTED]'],
    ['password=hunter2&user=x', 'password=[REDACTED]&user=x'],
    ['key sk_live_51HxAbCdEfGhIjKl', 'key [REDACTED]'],
    // card numbers glued to text
    [`card-${visa}`, 'card-[REDACTED]'],
    [`${visa}abc`, '[REDACTED]abc'],
    [`ref:${visa}.`, 'ref:[REDACTED].'],
    [`Tel 0049 4111 1111 1111 1111`, 'Tel 0049 [REDACTED]'],
    // passwords in URLs
    ['postgres://admin:s3cr3t-Pw@db.example.com:5432/pos', 'postgres://admin:[REDACTED]@db.example.com:5432/pos'],
    [
      'https://pos.example.com/cb?password=p1&token=t2&access_token=t3&next=1',
      'https://pos.example.com/cb?password=[REDACTED]&token=[REDACTED]&access_token=[REDACTED]&next=1',
    ],
    ['see https://user@example.com/a?q=1#x', 'see https://user@example.com/a?q=1#x'],
    // PEM private keys, also truncated
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc==\n-----END RSA PRIVATE KEY-----\nok', '[REDACTED]\nok'],
    ['key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA', 'key: [REDACTED]'],
    ['-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE'],
    // JSON text inside a string: redacted as JSON (key names too); the rest of the text kept as sent
    ['{"password":"x","user":"ana"}', '{"password":"[REDACTED]","user":"ana"}'],
    // numbers past 2^53 and their spellings, spaces, duplicate keys: the sender's, not a re-serialisation's
    ['{"token":"abc","orderId":12345678901234567890}', '{"token":"[REDACTED]","orderId":12345678901234567890}'],
    [
      '{ "pin": "4321", "ratio": 0.123456789012345678, "total": 12.50, "n": 1e3 }',
      '{ "pin": "[REDACTED]", "ratio": 0.123456789012345678, "total": 12.50, "n": 1e3 }',
    ],
    ['{"password":"a","note":"x","password":"b"}', '{"password":"[REDACTED]","note":"x","password":"[REDACTED]"}'],
    // an integer past 2^53 is a card only if its digits as sent pass the Luhn check
    ['{"pin":"1","tweetId":1541815603606036480}', '{"pin":"[REDACTED]","tweetId":1541815603606036480}'],
    ['{"n":4545454545454545455,"m":-4545454545454545455}', '{"n":"[REDACTED]","m":"[REDACTED]"}'],
    [
      '{\n  "fields": [ { "name": "password", "value": "hunter2" } ],\n  "id": 123456789012345678901\n}',
      '{\n  "fields": [ { "name": "password", "value": "[REDACTED]" } ],\n  "id": 123456789012345678901\n}',
    ],
    ['{"\\u0070in":"1234","s":"caf\\u00e9"}', '{"\\u0070in":"[REDACTED]","s":"caf\\u00e9"}'],
    [`[{"pin":1234},{"n":${visa}}]`, '[{"pin":"[REDACTED]"},{"n":"[REDACTED]"}]'],
    ['{"ok":true, "n": 1}', '{"ok":true, "n": 1}'],
    ['{not json "password": "a b"}', '{not json "password": "[REDACTED]"}'],
    // assignments in text and JSON-like text
    ['PINCode: 4821, ok', 'PINCode: [REDACTED], ok'],
    ["pw='x y' done", "pw='[REDACTED]' done"],
    ['auth=abc;author=Bo', 'auth=[REDACTED];author=Bo'],
    ['x-api-key: abcdef', 'x-api-key: [REDACTED]'],
    ['more tokens', 'more tokens'],
    ['ghp_R4nd0mDev1ceT0kenAbCdEfGh1234', '[REDACTED]'],
    // the auth scheme of a header is case-insensitive (RFC 9110 11.1)
    ['Authorization: BeArEr abcdefghijklmnop', 'Authorization: [REDACTED]'],
    ['header bEARER abcdefghijklmnop', 'header [REDACTED]'],
    ['authorization: bAsIc dXNlcjpwYXNzd29yZA==', 'authorization: [REDACTED]'],
    // a JWT glued to text by a dash is still one
    ['session-eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', 'session-[REDACTED]'],
  ])('%s → %s', (input, output) => {
    expect(redactString(input)).toBe(output);
  });

  // a locale's number formatter (fr: U+202F, others U+00A0), a copy from a PDF receipt, or a hand typing it
  it.each([
    ['no-break space', '\u00a0'],
    ['narrow no-break space', '\u202f'],
    ['thin space', '\u2009'],
    ['two spaces', '  '],
    ['spaced dash', ' - '],
    ['dot', '.'],
    ['slash', '/'],
    ['tab', '\t'],
    ['new line', '\n'],
  ])('a card number grouped by a %s is redacted', (_name, sep) => {
    expect(redactString(`card ${['4111', '1111', '1111', '1111'].join(sep)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(['3782', '822463', '10005'].join(sep))).toBe(REDACTED); // Amex: 4-6-5
  });

  /** `ascii` written with the digits of another script, whose zero is `zero` (a code point). */
  const inScript = (ascii: string, zero: number) => ascii.replace(/\d/g, (d) => String.fromCodePoint(zero + Number(d)));
  // a keyboard in another locale, an IME left in full-width mode, or a sender trying its luck
  it.each([
    ['full-width', 0xff10],
    ['Arabic-Indic', 0x660],
    ['Extended Arabic-Indic (Persian)', 0x6f0],
    ['Devanagari', 0x966],
    ['Thai', 0xe50],
    ['mathematical bold (two UTF-16 units a digit)', 0x1d7ce],
  ])('a card number written in %s digits is redacted', (_name, zero) => {
    expect(redactString(`card ${inScript('4111111111111111', zero)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(`card ${inScript('4111 1111 1111 1111', zero)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(inScript('3782-822463-10005', zero))).toBe(REDACTED);
    // not Luhn-valid: an order number in those digits stays
    expect(redactString(`order ${inScript('1234567890123', zero)}`)).toBe(`order ${inScript('1234567890123', zero)}`);
  });

  /** `ascii` written with `forms`, the digits from 0 to 9 (or 1 to 9: some sets have no zero) of one kind. */
  const inForms = (ascii: string, forms: string) => {
    const digits = [...forms];
    return ascii.replace(/\d/g, (d) => digits[digits.length === 10 ? Number(d) : Number(d) - 1]!);
  };
  // digits that Unicode files as other numbers (\p{No}), not as decimal digits (\p{Nd}): a font's
  // superscripts, a word processor's numbered list, a sender trying its luck
  it.each([
    ['superscript', '⁰¹²³⁴⁵⁶⁷⁸⁹'],
    ['subscript', '₀₁₂₃₄₅₆₇₈₉'],
    ['circled', '⓪①②③④⑤⑥⑦⑧⑨'],
    ['negative circled', '⓿❶❷❸❹❺❻❼❽❾'],
    ['circled sans-serif (its zero two UTF-16 units)', '\u{1f10b}➀➁➂➃➄➅➆➇➈'],
    ['negative circled sans-serif (its zero two UTF-16 units)', '\u{1f10c}➊➋➌➍➎➏➐➑➒'],
    ['digit-comma (two UTF-16 units each)', '\u{1f101}\u{1f102}\u{1f103}\u{1f104}\u{1f105}\u{1f106}\u{1f107}\u{1f108}\u{1f109}\u{1f10a}'],
  ])('a card number written in %s digits is redacted', (_name, forms) => {
    expect(redactString(`card ${inForms('4111111111111111', forms)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(`card ${inForms('4111 1111 1111 1111', forms)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(`card ${inForms('5500 0000 0000 0004', forms)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(inForms('3782-822463-10005', forms))).toBe(REDACTED);
    expect(redactString(`order ${inForms('1234567890123', forms)}`)).toBe(`order ${inForms('1234567890123', forms)}`);
  });
  it.each([
    ['double circled', '⓵⓶⓷⓸⓹⓺⓻⓼⓽'],
    ['parenthesized', '⑴⑵⑶⑷⑸⑹⑺⑻⑼'],
    ['digit-full-stop', '⒈⒉⒊⒋⒌⒍⒎⒏⒐'],
  ])('a card number written in %s digits (a set with no zero) is redacted', (_name, forms) => {
    expect(redactString(`card ${inForms('4111 1111 1111 1111', forms)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(inForms('3714-496353-98431', forms))).toBe(REDACTED); // Amex, no zero
  });
  it.each([
    // numbers that are no single digit are not digits: ⑩ is ten, ½ a half
    '⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳ ⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳',
    '½ ¼ ¾ ⅓ ⅔ ⅕ ⅛ ½ ¼ ¾ ⅓ ⅔ ⅕ ⅛',
    'area 12 m² 4 m³ 7 m² x² + y² = z²',
    'H₂O CO₂ H₂SO₄ C₆H₁₂O₆',
    'steps ① ② ③ ④ ⑤ ⑥ ⑦ ⑧ ⑨ ⓪',
  ])('%s (exponents, indices, list numbers) stays', (value) => {
    expect(redactString(value)).toBe(value);
  });
  it('a superscript glued to a card number in ASCII digits (a footnote) does not hide it in a longer last group', () => {
    expect(redactString('card 4111 1111 1111 1111¹ see note')).toBe('card [REDACTED]¹ see note');
    expect(redactString('card 4111111111111111²³ ok')).toBe('card [REDACTED]²³ ok');
    expect(redactString('¹4111111111111111 ok')).toBe('¹[REDACTED] ok');
  });
  it('redacts superscript and circled digits at the right place after characters of two UTF-16 units', () => {
    expect(redactString('😀 card ⁴¹¹¹ ¹¹¹¹ ¹¹¹¹ ¹¹¹¹, ⑤⑤⓪⓪⓪⓪⓪⓪⓪⓪⓪⓪⓪⓪⓪④ ok 😀')).toBe('😀 card [REDACTED], [REDACTED] ok 😀');
  });
  it.each([
    ['en dash', '\u2013'],
    ['em dash', '\u2014'],
    ['minus sign', '\u2212'],
    ['full-width hyphen-minus', '\uff0d'],
    ['non-breaking hyphen', '\u2011'],
    ['small hyphen-minus', '\ufe63'],
    ['zero-width space', '\u200b'],
    ['soft hyphen', '\u00ad'],
    ['word joiner', '\u2060'],
    ['spaced en dash', ' \u2013 '],
    // middle dots: a typographer's, a Japanese or Catalan keyboard's, a maths font's
    ['middle dot', '\u00b7'],
    ['Greek ano teleia (a middle dot by canonical equivalence)', '\u0387'],
    ['hyphenation point', '\u2027'],
    ['bullet operator', '\u2219'],
    ['dot operator', '\u22c5'],
    ['katakana middle dot', '\u30fb'],
    ['half-width katakana middle dot', '\uff65'],
    ['spaced middle dot', ' \u00b7 '],
  ])('a card number grouped by a %s is redacted', (_name, sep) => {
    expect(redactString(`card ${['4111', '1111', '1111', '1111'].join(sep)} ok`)).toBe('card [REDACTED] ok');
    expect(redactString(['3782', '822463', '10005'].join(sep))).toBe(REDACTED);
  });
  it('an invisible character between every digit does not split a card number into groups of one', () => {
    for (const mark of ['\u200b', '\u00ad', '\u200d', '\ufeff']) {
      expect(redactString(`card ${[...'4111111111111111'].join(mark)} ok`)).toBe('card [REDACTED] ok');
    }
  });
  it('redacts at the right place after characters of two UTF-16 units (offsets of the original text)', () => {
    expect(redactString('\u{1d7cf}\u{1d7d0} 😀 card ٤١١١–١١١١–١١١١–١١١١ ok 😀')).toBe('\u{1d7cf}\u{1d7d0} 😀 card [REDACTED] ok 😀');
  });
  it.each([
    '２０２６－１２－０２ １０：１５',
    '٢٠٢٦/١٢/٠٢ ٢٠٢٦/١٢/٠٣',
    '١٢٫٥٠ ٣٫٢٠ ١٫١٠ ٧٫٧٠',
    'total ١٢٣٤٫٥٠ — ٥٦٧٨٫٩٠',
    '12\u2013 13\u2013 14\u2013 15',
    'a\u200bb\u00adc 12 \u2014 34',
    // a middle dot as a decimal point or between the parts of a date
    '12\u00b750 3\u00b720 1\u00b710 7\u00b770 1234\u00b750',
    '02\u00b712\u00b72026 14\u00b730 03\u00b712\u00b72026',
    '2026\u30fb12\u30fb02 2026\u30fb12\u30fb03',
  ])('%s (dates, amounts in other digits, dashes and dots) stays', (value) => {
    expect(redactString(value)).toBe(value);
  });

  it.each([
    ['card 4111 1111 1111 1111 exp 12/28 cvv 123', 'card [REDACTED] exp 12/28 cvv [REDACTED]'],
    ['CVC 123', 'CVC [REDACTED]'],
    ['cvc2 123 ok', 'cvc2 [REDACTED] ok'],
    ['CVV2: 1234', 'CVV2: [REDACTED]'],
    ['csc #123', 'csc #[REDACTED]'],
    ['ccv 123', 'ccv [REDACTED]'],
    ['security code 123', 'security code [REDACTED]'],
    ['Security Code: 0123', 'Security Code: [REDACTED]'],
    ['pin 4321', 'pin [REDACTED]'],
    ['PIN 482913 entered', 'PIN [REDACTED] entered'],
    ['manager PIN = 12345678', 'manager PIN = [REDACTED]'],
    // a card number after the word pin goes whole, not its first group
    ['pin 4111 1111 1111 1111', 'pin [REDACTED]'],
    // "code", "no", "number" between the name and the digits, a dash, and passcodes and one-time passwords
    ['Manager PIN code 4321', 'Manager PIN code [REDACTED]'],
    ['PIN-4321', 'PIN-[REDACTED]'],
    ['pin - 4321', 'pin - [REDACTED]'],
    ['PIN number: 482913', 'PIN number: [REDACTED]'],
    ['pin no. 4321 ok', 'pin no. [REDACTED] ok'],
    ['PIN Nr 4321', 'PIN Nr [REDACTED]'],
    ['passcode 123456', 'passcode [REDACTED]'],
    ['Passcode: 0000', 'Passcode: [REDACTED]'],
    ['otp 123456', 'otp [REDACTED]'],
    ['OTP code: 654321 sent', 'OTP code: [REDACTED] sent'],
    ['TOTP 123456', 'TOTP [REDACTED]'],
    ['CVV-123', 'CVV-[REDACTED]'],
    ['cvv code 123', 'cvv code [REDACTED]'],
    ['security code no 123', 'security code no [REDACTED]'],
    // the digits of other scripts
    ['PIN ٤٣٢١', 'PIN [REDACTED]'],
    ['cvv １２３', 'cvv [REDACTED]'],
    ['PIN 𝟒𝟑𝟐𝟏 ok', 'PIN [REDACTED] ok'],
    // superscript and circled digits, in a text too short to hold a card number
    ['PIN ⁴³²¹', 'PIN [REDACTED]'],
    ['cvv ¹²³', 'cvv [REDACTED]'],
    ['otp ①②③④⑤⑥', 'otp [REDACTED]'],
    // invisible characters between the digits are no separator
    ['PIN 4\u200b3\u200b2\u200b1', 'PIN [REDACTED]'],
  ])('a CVV or PIN written in text: %s → %s', (input, output) => {
    expect(redactString(input)).toBe(output);
  });
  it.each([
    'pin code 12',
    'PIN-12',
    'otp sent',
    'otp 12',
    'passcode changed',
    'the OTP code was wrong 3 times',
    'spin-1234',
    'topspin 1234',
    'pinned-1234',
    'shipping-1234',
    'cvv code 12345',
    'footprint 123456',
    'pin 1\u200b2',
    'cvv 1\u200b2\u200b3\u200b4\u200b5',
  ])('%s (no code after a CVV, PIN, passcode or OTP name) stays', (value) => {
    expect(redactString(value)).toBe(value);
  });
  it('redacts the secret path of webhook URLs that are their own credential (Slack, Discord, Teams, Zapier), keeps the host', () => {
    const cases: [string, string][] = [
      ['https://hooks.slack.com/services/T0123ABCD/B0456EFGH/xQ3rAbCdEfGhIjKlMnOpQrSt', 'https://hooks.slack.com/services/[REDACTED]'],
      ['https://hooks.slack.com/workflows/T0123ABCD/A0456/789/abcdefghij', 'https://hooks.slack.com/workflows/[REDACTED]'],
      ['posted to https://discord.com/api/webhooks/123456789012345678/AbCdEf-ghIJ_klmn then', 'posted to https://discord.com/api/webhooks/[REDACTED] then'],
      [
        'https://contoso.webhook.office.com/webhookb2/0f8b11aa-1111@a1b2c3d4/IncomingWebhook/abc123def456/9e8d7766',
        'https://contoso.webhook.office.com/[REDACTED]',
      ],
      ['https://outlook.office.com/webhook/abc-123@def/IncomingWebhook/xyz/789', 'https://outlook.office.com/webhook/[REDACTED]'],
      ['https://hooks.zapier.com/hooks/catch/123456/abcdef/', 'https://hooks.zapier.com/hooks/catch/[REDACTED]'],
    ];
    for (const [text, redacted] of cases) expect(redactString(text), text).toBe(redacted);
    // ordinary webhook URLs (the receiver checks a signature) stay
    for (const text of ['https://example.com/hooks/slack', 'https://siem.example.net/ingest/modula', 'https://hooks.slack.com/'])
      expect(redactString(text)).toBe(text);
  });

  it('leaves numbers that are not card numbers (Luhn) and short ids alone', () => {
    expect(redactString('order 1234567890123 for table 12')).toBe('order 1234567890123 for table 12');
    expect(luhnValid('1234567890123')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
  });
  it.each([
    '0192f1c4-6b7a-7c3e-9d2f-4b8a1e5c7d90',
    '0192F1C4-6B7A-7C3E-9D2F-426614174000',
    '12345678-1234-1234-1234-123456789012',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'inv-2024-000123',
    'INV-1042',
    'cashier-7',
    'till 7',
    '2026-11-30T10:15:00.000+01:00',
    '+49 30 1234567',
    'Pinewood Road 1',
    'spinach pie',
    'time 12:30',
    'https://example.com/a?b=c',
    // dates, times, amounts, addresses and phone numbers, also now that more separators group digits
    '2026-12-02',
    '2026-12-02 10:15',
    '02.12.2026 14.30',
    '2026-12-02 2026-12-03 2026-12-04 2026-12-05',
    '02.12.2026 - 03.12.2026 - 04.12.2026',
    '12/02/2026 12/03/2026',
    'total 12.50 tip 1.50',
    '1234.50 5678.90 1111.00 2222.00',
    '12.50\u00a0€ 3.20\u00a0€ 1.10\u00a0€ 7.70\u00a0€',
    '192.168.1.10',
    '192.168.1.10 10.0.0.1 10.0.0.2',
    '10.0.0.1/24 via 10.0.0.254',
    '+33 6 12 34 56 78',
    '+49 151 2345 6789',
    '0049 151 2345 6789',
    '1\u202f234\u202f567,89 €',
    'spin 1234 rpm',
    'pinned 1234 times',
    'pin 12',
    'the PIN was changed',
    'cvv 12345',
  ])('%s is an ordinary value and stays', (value) => {
    expect(redactString(value)).toBe(value);
  });
  it('keeps Unicode as sent (no normalisation): NFC and NFD are different text', () => {
    const nfc = 'Caf\u00e9 Zürich';
    const nfd = nfc.normalize('NFD');
    expect(redactString(nfc)).toBe(nfc);
    expect(redactString(nfd)).toBe(nfd);
  });
});

describe('redactEvent', () => {
  const visa = '4111111111111111';
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

  it('covers every free-text field: entity type/id/label, actor id/name, context session and device ids', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({
        actor: { type: 'USER', id: visa, role: 'CASHIER', name: `Ana ${visa}` },
        entity: { type: `PAN${visa}`, id: `card-${visa}`, label: `Paid with ${visa}` },
        context: { sessionId: jwt, deviceId: 'Bearer abcdefghijklmnopq', ip: '203.0.113.7', deviceSeq: 3 },
      }),
    );
    expect(out.actor).toEqual({ type: 'USER', id: REDACTED, role: 'CASHIER', name: `Ana ${REDACTED}` });
    expect(out.entity).toEqual({ type: `PAN${REDACTED}`, id: `card-${REDACTED}`, label: `Paid with ${REDACTED}` });
    expect(out.context).toEqual({ sessionId: REDACTED, deviceId: REDACTED, ip: '203.0.113.7', deviceSeq: 3 });
    expect(redactedPaths).toEqual(['actor.id', 'actor.name', 'context.deviceId', 'context.sessionId', 'entity.id', 'entity.label', 'entity.type']);
  });

  it('leaves UUIDs and ordinary ids alone, and adds no field that was not sent', () => {
    const input = event({
      actor: { type: 'SYSTEM' },
      entity: { type: 'BRANCH', id: '0192f1c4-6b7a-7c3e-9d2f-426614174000' },
      context: { sessionId: '0192f1c4-6b7a-7c3e-9d2f-4b8a1e5c7d90', deviceId: 'till-7' },
      after: { sku: 'A1', orderId: 'ord_2024_000123', qty: 2, total: 1234567.5, at: 1733000000 },
    });
    const { event: out, redactedPaths } = redactEvent(input);
    expect(out).toEqual(input);
    expect(redactedPaths).toEqual([]);
  });

  it('redacts card numbers in other digits or with other separators at their paths', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({
        entity: { type: 'PAYMENT', id: 'pay-1', label: 'Paid with ٤١١١ ١١١١ ١١١١ ١١١١' },
        metadata: {
          card: '４１１１１１１１１１１１１１１１',
          note: 'card 4111\u20131111\u20131111\u20131111',
          ref: '5500\u200b0000\u200b0000\u200b0004',
          till: '٧',
        },
      }),
    );
    expect(out.entity!.label).toBe(`Paid with ${REDACTED}`);
    expect(out.metadata).toEqual({ card: REDACTED, note: `card ${REDACTED}`, ref: REDACTED, till: '٧' });
    expect(redactedPaths).toEqual(['entity.label', 'metadata.card', 'metadata.note', 'metadata.ref']);
  });

  it('redacts numbers: card numbers sent as JSON numbers, and any number under a secret key; flags stay', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({
        metadata: {
          reference: Number(visa),
          negative: -Number(visa),
          qty: 3,
          pinNumber: 482913,
          pin: 0,
          passwordChanged: true,
          tokenExpired: false,
          auth: null,
        },
      }),
    );
    expect(out.metadata).toEqual({
      reference: REDACTED,
      negative: REDACTED,
      qty: 3,
      pinNumber: REDACTED,
      pin: REDACTED,
      passwordChanged: true,
      tokenExpired: false,
      auth: null,
    });
    expect(redactedPaths).toEqual(['metadata.negative', 'metadata.pin', 'metadata.pinNumber', 'metadata.reference']);
  });

  it("replaces object keys that are secrets themselves, numbered in key order (not the sender's), and lists them", () => {
    const mc = '5500000000000004';
    const a = redactEvent(event({ metadata: { tips: { [visa]: 1, [mc]: 2, [REDACTED]: 'was there', ok: 3 }, [`password=x${visa}`]: 'v' } }));
    const b = redactEvent(event({ metadata: { [`password=x${visa}`]: 'v', tips: { ok: 3, [REDACTED]: 'was there', [mc]: 2, [visa]: 1 } } }));
    expect(a.event.metadata).toEqual({ tips: { [`${REDACTED}#2`]: 1, [`${REDACTED}#3`]: 2, [REDACTED]: 'was there', ok: 3 }, [REDACTED]: REDACTED });
    expect(canonicalJson(a.event.metadata)).toBe(canonicalJson(b.event.metadata));
    expect(a.redactedPaths).toEqual(['metadata.[REDACTED]', `metadata.tips.${REDACTED}#2`, `metadata.tips.${REDACTED}#3`]);
    expect(b.redactedPaths).toEqual(a.redactedPaths);
  });

  it('redacts key names with acronyms and short names (PINCode, OTPCode, CVVCode, pass, pw, auth) at any depth, keeps look-alikes', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({
        before: { items: [{ PINCode: '1234', OTPCode: '654321' }], login: { pass: 'p', pw: 'q', auth: { user: 'u', key: 'k' } } },
        after: { CVVCode: 737, shippingAddress: 'Pinewood Road 1', spinach: 1, passenger: 'Ana', authorName: 'Bo' },
      }),
    );
    expect(out.before).toEqual({ items: [{ PINCode: REDACTED, OTPCode: REDACTED }], login: { pass: REDACTED, pw: REDACTED, auth: REDACTED } });
    expect(out.after).toEqual({ CVVCode: REDACTED, shippingAddress: 'Pinewood Road 1', spinach: 1, passenger: 'Ana', authorName: 'Bo' });
    expect(redactedPaths).toEqual([
      'after.CVVCode',
      'before.items[0].OTPCode',
      'before.items[0].PINCode',
      'before.login.auth',
      'before.login.pass',
      'before.login.pw',
    ]);
  });

  it('redacts key names where pin, cvv or otp is glued to another word or a digit (managerpin, PINCODE, pin2, cardcvv, otpcode), keeps look-alikes', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({
        metadata: {
          managerpin: '4321',
          PINCODE: 1234,
          pin2: '9876',
          VOIDPIN: '1111',
          cardcvv: '737',
          cvvcode: 737,
          otpcode: '654321',
          authcode: 'A1B2C3',
          shipping: 'express',
          spin: 3,
          topping: 'cheese',
          pinyin: 'ni hao',
          opinion: 'good',
        },
        after: { pos: { refundpin: '2468', userpin: '1357', PIN1: '8642', CARDCVV: '123' }, settings: { pinned: true, mapping: 'a→b', typing: 'fast' } },
      }),
    );
    expect(out.metadata).toEqual({
      managerpin: REDACTED,
      PINCODE: REDACTED,
      pin2: REDACTED,
      VOIDPIN: REDACTED,
      cardcvv: REDACTED,
      cvvcode: REDACTED,
      otpcode: REDACTED,
      authcode: REDACTED,
      shipping: 'express',
      spin: 3,
      topping: 'cheese',
      pinyin: 'ni hao',
      opinion: 'good',
    });
    expect(out.after).toEqual({
      pos: { refundpin: REDACTED, userpin: REDACTED, PIN1: REDACTED, CARDCVV: REDACTED },
      settings: { pinned: true, mapping: 'a→b', typing: 'fast' },
    });
    expect(redactedPaths).toEqual([
      'after.pos.CARDCVV',
      'after.pos.PIN1',
      'after.pos.refundpin',
      'after.pos.userpin',
      'metadata.PINCODE',
      'metadata.VOIDPIN',
      'metadata.authcode',
      'metadata.cardcvv',
      'metadata.cvvcode',
      'metadata.managerpin',
      'metadata.otpcode',
      'metadata.pin2',
    ]);
    // the same names in text assignments
    expect(redactString('managerpin=4321&spin=3&otpcode: 654321')).toBe('managerpin=[REDACTED]&spin=3&otpcode: [REDACTED]');
  });

  it('redacts key names where pan is glued to the word before it (cardpan, CARDPAN), keeps words that end in those letters', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({ metadata: { cardpan: 'tok_4f9a', CARDPAN: 'enc:9f8e7d', japan: 'JP', timespan: 30, colspan: 2, saucepan: 4, pan1: 'open' } }),
    );
    expect(out.metadata).toEqual({ cardpan: REDACTED, CARDPAN: REDACTED, japan: 'JP', timespan: 30, colspan: 2, saucepan: 4, pan1: 'open' });
    expect(redactedPaths).toEqual(['metadata.CARDPAN', 'metadata.cardpan']);
    expect(redactString('cardpan=tok_4f9a&span=3&japan=JP')).toBe('cardpan=[REDACTED]&span=3&japan=JP');
  });

  it('redacts a PIN, passcode or OTP written in free text at its path', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({
        entity: { type: 'REFUND', id: 'ref-1', label: 'Manager PIN code 4321' },
        metadata: { note: 'approved with PIN-4321', sms: 'your otp 123456', door: 'passcode 123456', spin: 'spin-1234' },
      }),
    );
    expect(out.entity!.label).toBe(`Manager PIN code ${REDACTED}`);
    expect(out.metadata).toEqual({ note: `approved with PIN-${REDACTED}`, sms: `your otp ${REDACTED}`, door: `passcode ${REDACTED}`, spin: 'spin-1234' });
    expect(redactedPaths).toEqual(['entity.label', 'metadata.door', 'metadata.note', 'metadata.sms']);
  });

  it('redacts the value of a name/value pair whose name is a secret key name (HAR, form dumps), at its own path', () => {
    const { event: out, redactedPaths } = redactEvent(
      event({
        metadata: {
          fields: [
            { name: 'password', value: 'hunter2' },
            { name: 'user', value: 'ana' },
            { name: 'rememberPassword', value: true },
          ],
          headers: [{ name: 'Cookie', value: 'sid=abc123' }],
          form: { key: 'apiKey', value: 'abc' },
          card: { field: 'cvv', value: 737, type: 'text' },
          other: { name: 42, value: 'kept' },
          dotnet: { Name: 'Password', Value: 'x' },
        },
      }),
    );
    expect(out.metadata).toEqual({
      fields: [
        { name: 'password', value: REDACTED },
        { name: 'user', value: 'ana' },
        { name: 'rememberPassword', value: true },
      ],
      headers: [{ name: 'Cookie', value: REDACTED }],
      form: { key: 'apiKey', value: REDACTED },
      card: { field: 'cvv', value: REDACTED, type: 'text' },
      other: { name: 42, value: 'kept' },
      dotnet: { Name: 'Password', Value: REDACTED },
    });
    expect(redactedPaths).toEqual([
      'metadata.card.value',
      'metadata.dotnet.Value',
      'metadata.fields[0].value',
      'metadata.form.value',
      'metadata.headers[0].value',
    ]);
    expect(redactString('{"fields":[{"name":"password","value":"hunter2"}]}')).toBe('{"fields":[{"name":"password","value":"[REDACTED]"}]}');
  });

  it('JSON text nested deeper than its parser can recurse (a string of 8192 brackets, or more) is read as text: no crash, its secret still redacted', () => {
    for (const depth of [100, 4096, 100_000]) {
      const text = `${'['.repeat(depth)}{"pin":"4821"}${']'.repeat(depth)}`;
      expect(redactString(text)).toBe(`${'['.repeat(depth)}{"pin":"[REDACTED]"}${']'.repeat(depth)}`);
    }
  });

  it('never makes a field longer than the schema allows (the worker checks the limits again): such a value is replaced whole', () => {
    const id = `pin=1 ${'x'.repeat(LIMITS.idMaxLength - 6)}`;
    const long = `pin=1 ${'y'.repeat(LIMITS.jsonMaxStringLength - 6)}`;
    const accepted = accept(event({ entity: { type: 'POLICY', id }, metadata: { note: long } }));
    expect(accepted.entity!.id).toBe(REDACTED);
    expect(accepted.metadata!.note).toBe(REDACTED);
    expect(ZAcceptedEvent.safeParse(accepted).success).toBe(true);
  });
});

describe('same content, same identity', () => {
  it('a resend with keys in another order has the same redactedPaths and content hash', () => {
    const visa = '4111111111111111';
    const first = event({ metadata: { b: { pin: '1', note: `card ${visa}` }, a: [{ token: 't', x: Number(visa) }], [visa]: 1 } });
    const again = { ...first, metadata: { [visa]: 1, a: [{ x: Number(visa), token: 't' }], b: { note: `card ${visa}`, pin: '1' } } };
    const [x, y] = [accept(first), accept(again)];
    expect(x.redactedPaths).toEqual(['metadata.[REDACTED]', 'metadata.a[0].token', 'metadata.a[0].x', 'metadata.b.note', 'metadata.b.pin']);
    expect(y.redactedPaths).toEqual(x.redactedPaths);
    expect(contentHashOf(y)).toBe(contentHashOf(x));
  });

  it('NFC and NFD spellings are different content (strings are kept as sent, never normalised)', () => {
    const nfc = event({ metadata: { 'caf\u00e9': 'Z\u00fcrich' } });
    const nfd = { ...nfc, metadata: { 'cafe\u0301': 'Zu\u0308rich' } };
    const [x, y] = [accept(nfc), accept(nfd)];
    expect(y.metadata).toEqual({ 'cafe\u0301': 'Zu\u0308rich' });
    expect(contentHashOf(y)).not.toBe(contentHashOf(x));
  });
});

// --- properties -------------------------------------------------------------------------------

/** A Luhn-valid card number of 13–19 digits. */
const cardNumber = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 17 }))
  .map(([first, rest]) => luhnCard(`${first}${rest.join('')}`));
/** The zero of a script's decimal digits: ASCII, full-width, Arabic-Indic, Persian, Devanagari, mathematical bold (two UTF-16 units). */
const digitScript = fc.constantFrom(0x30, 0x30, 0x30, 0xff10, 0x660, 0x6f0, 0x966, 0x1d7ce);
/**
 * How it is written: plain, or in groups of four with spaces, dashes, dots, slashes, other blanks,
 * Unicode dashes, middle dots or invisible characters, in the digits of some script.
 */
const written = fc
  .tuple(
    cardNumber,
    fc.constantFrom(
      '',
      ' ',
      '-',
      '.',
      '/',
      '  ',
      ' - ',
      '\t',
      '\u00a0',
      '\u202f',
      '\u2009',
      '\u2013',
      '\u2014',
      '\u2212',
      '\uff0d',
      '\u200b',
      '\u00ad',
      '\u00b7',
      '\u30fb',
    ),
    digitScript,
  )
  .map(([digits, sep, zero]) => {
    const shown = digits.replace(/\d/g, (d) => String.fromCodePoint(zero + Number(d)));
    return { digits, text: sep ? shown.match(/.{1,4}/gu)!.join(sep) : shown }; // u: four digits, not four UTF-16 units
  });
/** Text around it: anything, but no digit glued to the card (then no one can tell where the card begins). */
const around = fc.string({ maxLength: 12 });
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('note', 'pin', 'sku', 'auth', 'author', 'items', 'total', REDACTED));
const json = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }).map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>);
const FREE_TEXT = ['entity.type', 'entity.id', 'entity.label', 'actor.id', 'actor.name', 'context.sessionId', 'context.deviceId'] as const;
/** Where the card goes: a free-text field, a value or a key at some path of before/after/metadata. */
const place = fc.oneof(
  fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom(...FREE_TEXT) }),
  fc.record({
    kind: fc.constantFrom('value' as const, 'number' as const, 'key' as const),
    root: fc.constantFrom('before', 'after', 'metadata'),
    path: fc.array(fc.oneof(key, fc.nat({ max: 3 })), { maxLength: 4 }),
  }),
);

/** Puts `value` at `path` below `root`, creating objects and arrays on the way. */
function putAt(root: Record<string, unknown>, path: (string | number)[], value: unknown, asKey: boolean): void {
  let target: any = root;
  for (const step of path) {
    const next = typeof step === 'number' ? [] : {};
    if (Array.isArray(target)) {
      const i = Math.min(typeof step === 'number' ? step : 0, target.length);
      if (typeof target[i] !== 'object' || target[i] === null) target[i] = next;
      target = target[i];
    } else {
      const k = String(step);
      if (typeof target[k] !== 'object' || target[k] === null) target[k] = next;
      target = target[k];
    }
  }
  if (Array.isArray(target)) target.push(asKey ? { [value as string]: 1 } : value);
  else if (asKey) target[value as string] = 'x';
  else target.card = value;
}

/** Ids and digests are not searched for card numbers: keep the generated text from forming one around the card. */
const OPAQUE_SHAPE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}/i;

describe('redaction properties (fast-check)', () => {
  it('a Luhn-valid card number placed at any path, as a string with any surrounding text or as a number, never survives', () => {
    fc.assert(
      fc.property(written, around, around, place, json, (card, before, after, where, base) => {
        fc.pre(!/\d$/.test(before) && !/^\d/.test(after));
        const text = `${before}${card.text}${after}`;
        fc.pre(!OPAQUE_SHAPE.test(text));
        const input = event({
          metadata: structuredClone(base),
          before: structuredClone(base),
          after: structuredClone(base),
          context: { deviceId: 'till-1' },
        }) as any;
        if (where.kind === 'field') {
          const [obj, field] = where.field.split('.') as [string, string];
          input[obj][field] = text;
        } else if (where.kind === 'number') {
          fc.pre(card.digits.length <= 16 && Number.isSafeInteger(Number(card.digits)));
          putAt(input[where.root], where.path, Number(card.digits), false);
        } else {
          putAt(input[where.root], where.path, text, where.kind === 'key');
        }
        const { event: out } = redactEvent(input);
        const stored = JSON.stringify(out);
        expect(stored).not.toContain(card.digits);
        expect(stored).not.toContain(card.text);
      }),
      { numRuns: 2000 },
    );
  });

  /** The same value with the keys of every object in an order drawn from `seed`. */
  function shuffled<T>(value: T, seed: number): T {
    let s = seed >>> 0;
    const rand = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        const entries = Object.entries(v);
        for (let i = entries.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [entries[i], entries[j]] = [entries[j]!, entries[i]!];
        }
        return Object.fromEntries(entries.map(([k, x]) => [k, walk(x)]));
      }
      return v;
    };
    return walk(value) as T;
  }

  const secretish = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }),
    cardNumber,
    cardNumber.map((c) => `card ${c}`),
    fc.constantFrom('pin=1', '{"password":"x"}', 'Bearer abcdefghijkl'),
  );
  const secretKey = fc.oneof(key, cardNumber, fc.constantFrom('password', 'PINCode', 'token', `password=${'1'.repeat(3)}`));
  const nested: fc.Arbitrary<Record<string, unknown>> = fc
    .letrec((tie) => ({
      object: fc.dictionary(secretKey, fc.oneof({ depthSize: 'small', maxDepth: 2 }, secretish, tie('object'), fc.array(tie('object'), { maxLength: 3 })), {
        maxKeys: 6,
      }),
    }))
    .object.map((v) => JSON.parse(JSON.stringify(v), (_k, x) => (Number.isInteger(x) && !Number.isSafeInteger(x) ? 0 : x)) as Record<string, unknown>);

  it("redactedPaths, the redacted event and its content hash are independent of the order of the sender's keys", () => {
    fc.assert(
      fc.property(nested, nested, fc.integer(), (metadata, after, seed) => {
        const first = event({ metadata, after });
        const again = shuffled(first, seed);
        const [x, y] = [accept(first), accept(again)];
        expect(y.redactedPaths).toEqual(x.redactedPaths);
        expect(canonicalJson(y)).toBe(canonicalJson(x));
        expect(contentHashOf(y)).toBe(contentHashOf(x));
        expect([...x.redactedPaths].sort()).toEqual(x.redactedPaths);
      }),
      { numRuns: 500 },
    );
  });

  it('a redacted event always still passes the schema the worker checks again (lengths included)', () => {
    const piece = fc.constantFrom('pin=1 ', 'a', ' ', 'token:', '4111111111111111', 'https://u:p@h/ ', '{"pin":1}', 'é');
    const textUpTo = (max: number) =>
      fc
        .array(piece, { maxLength: 60 })
        .map((p) => p.join('').slice(0, max))
        .filter((s) => s.length > 0);
    fc.assert(
      fc.property(textUpTo(LIMITS.idMaxLength), textUpTo(LIMITS.nameMaxLength), textUpTo(LIMITS.jsonMaxKeyLength), (id, name, k) => {
        const accepted = accept(
          event({
            actor: { type: 'USER', id, name },
            entity: { type: id, id, label: name },
            context: { sessionId: id, deviceId: id },
            metadata: { [k]: name, note: id },
          }),
        );
        const reparsed = ZAcceptedEvent.safeParse(JSON.parse(JSON.stringify(accepted)));
        expect(reparsed.success, JSON.stringify(reparsed.error?.issues)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
