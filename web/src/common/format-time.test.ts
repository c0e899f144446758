import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDateTimeWithOffset, formatNumber, offsetOf, setDisplayFormat, zoneLabel, zoneLabelOf } from './format-time.ts';

describe('times and numbers in the chosen locale and zone', () => {
  it('writes a zone’s offset the same way in every language', () => {
    expect(offsetOf('UTC')).toBe('UTC');
    expect(offsetOf('America/Mexico_City')).toBe('GMT-6');
    expect(offsetOf('Asia/Kolkata')).toBe('GMT+5:30');
    expect(offsetOf('Europe/Madrid', new Date('2026-07-01T12:00:00Z'))).toBe('GMT+2');
    expect(offsetOf('Europe/Madrid', new Date('2026-12-01T12:00:00Z'))).toBe('GMT+1');
    expect(zoneLabelOf('UTC')).toBe('UTC');
    expect(zoneLabelOf('America/Mexico_City')).toBe('America/Mexico_City, GMT-6');
  });

  it('formats in the locale and zone set for display', () => {
    const at = '2026-12-01T14:03:07Z';
    setDisplayFormat({ locale: 'es', timeZone: 'Europe/Madrid' });
    expect(formatDateTime(at)).toBe('1 dic 2026, 15:03:07');
    expect(formatDateTimeWithOffset(at)).toBe('1 dic 2026, 15:03:07 GMT+1');
    expect(zoneLabel()).toBe('Europe/Madrid, GMT+1');
    expect(formatNumber(12345)).toBe('12.345');
    setDisplayFormat({ locale: 'en-GB', timeZone: 'UTC' });
    expect(formatDateTime(at)).toBe('1 Dec 2026, 14:03:07');
    expect(formatNumber(12345)).toBe('12,345');
  });
});
