import { describe, expect, it } from 'vitest';
import { EMPTY_FILTERS } from './log-filters.ts';
import { eventsFilterOf } from './date-range.ts';
import { searchTermProblem, usableSearch } from './search-term.ts';

describe('search terms the viewer sends', () => {
  it('holds back terms shorter than 3 characters (after trimming) and says why', () => {
    for (const short of ['a', 'ab', ' ab ', '☕', '\u{1F600}\u{1F600}']) {
      expect(searchTermProblem(short)).toBe('Type at least 3 characters to search');
      expect(usableSearch(short)).toBeUndefined();
    }
    expect(searchTermProblem('')).toBeNull();
    expect(searchTermProblem('   ')).toBeNull();
    expect(usableSearch('  abc ')).toBe('abc');
    expect(usableSearch('☕☕☕')).toBe('☕☕☕');
  });

  it('leaves a short term of a hand-edited link out of the events.list filter', () => {
    expect(eventsFilterOf({ ...EMPTY_FILTERS, search: 'ab' }, new Date())).toEqual({});
    expect(eventsFilterOf({ ...EMPTY_FILTERS, search: 'abc' }, new Date())).toEqual({ search: 'abc' });
  });
});
