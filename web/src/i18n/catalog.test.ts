import { ACTIONS, describeAuditEvent, type TSentenceEvent } from '@modula/contracts';
import { describe, expect, it } from 'vitest';
import { ATTEMPT_ES, describeAuditEventEs, describeEvent, DONE_ES } from './event-sentence-es.ts';
import { withManyForms } from './i18n.ts';
import { formatLocale, pickLanguage } from './languages.ts';
import { en } from './messages-en.ts';
import { es } from './messages-es.ts';

/** Every key of a catalog, as "log.title", and its text. */
function flatten(messages: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(messages)) {
    if (typeof value === 'string') out.set(`${prefix}${key}`, value);
    else for (const [k, v] of flatten(value as object, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('the message catalog', () => {
  const english = flatten(en);
  const spanish = flatten(es);

  it('has every English key in Spanish, and no Spanish key English lacks', () => {
    expect([...english.keys()].filter((k) => !spanish.has(k))).toEqual([]);
    expect([...spanish.keys()].filter((k) => !english.has(k))).toEqual([]);
  });

  it('has no empty text, and the same placeholders in both languages', () => {
    for (const [key, text] of english) {
      expect(text.trim(), key).not.toBe('');
      expect(spanish.get(key)?.trim(), key).not.toBe('');
      expect(placeholders(spanish.get(key) ?? ''), key).toEqual(placeholders(text));
    }
  });
});

const event = (over: Partial<TSentenceEvent>): TSentenceEvent => ({
  action: 'VOID_APPROVED',
  outcome: 'SUCCESS',
  reason: null,
  claimedOutcome: 'SUCCESS',
  actor: { type: 'USER', id: 'u1', name: 'Sofia Reyes' },
  entity: { id: 'INV-23428', label: null },
  context: { ip: null },
  metadata: null,
  ...over,
});

describe('the Spanish sentences', () => {
  it('cover every action of the catalog, done and attempted', () => {
    expect(ACTIONS.filter((a) => !DONE_ES[a] || !ATTEMPT_ES[a])).toEqual([]);
  });

  it('read a success as done and a refusal as an attempt', () => {
    expect(describeAuditEventEs(event({}))).toBe('Sofia Reyes aprobó la anulación de INV-23428');
    expect(describeAuditEventEs(event({ outcome: 'REJECTED', reason: 'BRANCH_FROZEN' }))).toBe(
      'Sofia Reyes intentó aprobar la anulación de INV-23428 — rechazado: sucursal congelada, el dispositivo lo dio por hecho',
    );
    expect(
      describeAuditEventEs(
        event({ action: 'LOGIN_FAILED', outcome: 'FAILED', entity: null, metadata: { failure: 'BAD_PASSWORD' }, context: { ip: '10.0.0.7' } }),
      ),
    ).toBe('Sofia Reyes intentó iniciar sesión — falló: contraseña incorrecta, desde 10.0.0.7');
  });

  it('leave English to the exports’ own function', () => {
    expect(describeEvent(event({}), 'en')).toBe(describeAuditEvent(event({})));
  });
});

describe('Spanish plurals', () => {
  it('read a million events with the plural text, not the English fallback', () => {
    expect(new Intl.PluralRules('es').select(1_000_000)).toBe('many');
    const spanish = flatten(withManyForms(es));
    expect(spanish.get('log.allShown_many')).toBe(es.log.allShown_other);
  });
});

describe('the language and locale', () => {
  it('starts in the remembered language, else the browser’s, else English', () => {
    expect(pickLanguage('es', ['en-US'])).toBe('es');
    expect(pickLanguage(null, ['es-MX', 'en'])).toBe('es');
    expect(pickLanguage(null, ['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLanguage('xx', ['de'])).toBe('en');
  });

  it('formats in the browser’s locale when it is in the chosen language', () => {
    expect(formatLocale('en', 'en-GB')).toBe('en-GB');
    expect(formatLocale('es', 'en-GB')).toBe('es');
    expect(formatLocale('es', 'es-MX')).toBe('es-MX');
  });
});
