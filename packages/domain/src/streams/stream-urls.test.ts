import { describe, expect, it } from 'vitest';
import { resealedSettings, sendableTarget, storedSettings } from './stream-urls.ts';

const s = { serverSecret: Buffer.alloc(32, 1) };
const MARKED = 'https://hooks.example.com/[REDACTED]/T0/SECRETTOKEN';

describe('a URL stored in clear that holds the marker', () => {
  it('is sealed as it is by the reseal (it is the URL delivered to), shown as its display form', () => {
    const settings = resealedSettings(s, { kind: 'WEBHOOK', url: MARKED });
    expect(settings).toMatchObject({ kind: 'WEBHOOK', url: 'https://hooks.example.com/[REDACTED]' });
    expect(JSON.stringify(settings)).not.toContain('SECRETTOKEN');
    expect(sendableTarget(s, settings)).toEqual({ kind: 'WEBHOOK', url: MARKED });
  });

  it('given as a new URL, is refused without being quoted', () => {
    expect(() => storedSettings(s, { kind: 'WEBHOOK', url: MARKED })).toThrow(
      /url: a URL holding \[REDACTED\] is how a URL that is its own credential is shown/,
    );
    expect(() => storedSettings(s, { kind: 'WEBHOOK', url: MARKED })).not.toThrow(/SECRETTOKEN|hooks\.example\.com/);
  });
});
