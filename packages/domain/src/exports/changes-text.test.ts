import { describe, expect, it } from 'vitest';
import { changesText } from './changes-text.ts';

describe('changesText', () => {
  it('lists each changed key with its before and after value, skipping the unchanged ones', () => {
    expect(changesText({ price: 4.5, name: 'Flat white', tags: ['hot'] }, { price: 5, name: 'Flat white', tags: ['hot', 'milk'] })).toBe(
      'price: 4.5 -> 5; tags: ["hot"] -> ["hot","milk"]',
    );
  });

  it('says "(none)" for a key one side lacks, and shows a creation or a removal', () => {
    expect(changesText(null, { name: 'Łukasz' })).toBe('name: (none) -> "Łukasz"');
    expect(changesText({ role: 'CASHIER' }, { role: 'MANAGER', pin: '[REDACTED]' })).toBe('role: "CASHIER" -> "MANAGER"; pin: (none) -> "[REDACTED]"');
    expect(changesText({ active: true }, null)).toBe('active: true -> (none)');
  });

  it('is empty without values, and cuts long values', () => {
    expect(changesText(null, null)).toBe('');
    expect(changesText({ a: 1 }, { a: 1 })).toBe('');
    expect(changesText({ note: 'x'.repeat(100) }, { note: 'y' }, 10)).toBe('note: "xxxxxxxx… -> "y"');
  });
});
