import { describe, expect, it } from 'vitest';
import { dateBoundsOf, eventsFilterOf } from './date-range.ts';
import { EMPTY_FILTERS } from './log-filters.ts';

// Thursday 2026-11-19, 15:30 local time (whatever the time zone of the test run)
const NOW = new Date(2026, 10, 19, 15, 30);
const local = (y: number, m: number, d: number) => new Date(y, m - 1, d).toISOString();

describe('dateBoundsOf', () => {
  it('starts Today at local midnight', () => {
    expect(dateBoundsOf({ range: 'today', from: null, to: null }, NOW)).toEqual({ from: local(2026, 11, 19) });
  });

  it('starts This week on Monday', () => {
    expect(dateBoundsOf({ range: 'week', from: null, to: null }, NOW)).toEqual({ from: local(2026, 11, 16) });
    // a Sunday belongs to the week that began six days before
    expect(dateBoundsOf({ range: 'week', from: null, to: null }, new Date(2026, 10, 22, 9))).toEqual({ from: local(2026, 11, 16) });
    // a Monday starts its own week, across a month boundary too
    expect(dateBoundsOf({ range: 'week', from: null, to: null }, new Date(2026, 10, 30, 0, 5))).toEqual({ from: local(2026, 11, 30) });
    expect(dateBoundsOf({ range: 'week', from: null, to: null }, new Date(2026, 11, 2))).toEqual({ from: local(2026, 11, 30) });
  });

  it('starts This month on the first', () => {
    expect(dateBoundsOf({ range: 'month', from: null, to: null }, NOW)).toEqual({ from: local(2026, 11, 1) });
  });

  it('covers a custom range from the first day’s midnight to the last day’s end', () => {
    const b = dateBoundsOf({ range: 'custom', from: '2026-10-30', to: '2026-11-02' }, NOW);
    expect(b.from).toBe(local(2026, 10, 30));
    expect(b.to).toBe(new Date(2026, 10, 2, 23, 59, 59, 999).toISOString());
    expect(dateBoundsOf({ range: 'custom', from: null, to: '2026-12-31' }, NOW)).toEqual({ to: new Date(2026, 11, 31, 23, 59, 59, 999).toISOString() });
  });

  it('has no bounds for all time', () => {
    expect(dateBoundsOf({ range: null, from: null, to: null }, NOW)).toEqual({});
  });
});

describe('eventsFilterOf', () => {
  it('sends only the filters that are set', () => {
    expect(eventsFilterOf(EMPTY_FILTERS, NOW)).toEqual({});
    expect(eventsFilterOf({ ...EMPTY_FILTERS, range: 'today', outcomes: ['REJECTED'], search: '  void ', sessionId: 's-1' }, NOW)).toEqual({
      from: local(2026, 11, 19),
      outcomes: ['REJECTED'],
      search: 'void',
      sessionId: 's-1',
    });
  });
});
