import { describe, expect, it } from 'vitest';
import { countFilters, EMPTY_FILTERS, filtersFromSearch, logHref, searchWithFilters, type TLogFilters } from './log-filters.ts';

const BRANCH = '0192f0c4-1b2c-7d3e-8f40-123456789abc';

describe('filters in the query string', () => {
  it('reads an empty query string as no filters', () => {
    expect(filtersFromSearch(new URLSearchParams())).toEqual(EMPTY_FILTERS);
  });

  it('round-trips every filter', () => {
    const filters: TLogFilters = {
      range: 'custom',
      from: '2026-11-01',
      to: '2026-11-15',
      branchIds: [BRANCH],
      modules: ['SALE', 'CASH_SESSION'],
      actions: ['VOID_APPROVED', 'SALE_FINALIZED'],
      actorIds: ['u-ana', 'someone@example.test'],
      outcomes: ['REJECTED'],
      reasons: ['BRANCH_FROZEN', 'POLICY_BLOCKED'],
      sessionId: 's-1',
      credential: 'apikey:0192f0c4-1b2c-7d3e-8f40-123456789abc',
      entityType: 'INVOICE',
      entityId: 'INV-7',
      search: 'espresso & milk',
      ips: ['10.0.0.1'],
      deviceIds: ['till-1'],
      roles: ['CASHIER'],
      excludeActions: ['LOGIN_SUCCESS'],
      excludeActorIds: ['u-ben'],
    };
    const qs = searchWithFilters(filters).toString();
    expect(filtersFromSearch(new URLSearchParams(qs))).toEqual(filters);
    expect(qs).toContain('module=SALE&module=CASH_SESSION');
    expect(qs).toContain('q=espresso+%26+milk');
  });

  it('writes nothing for empty filters and keeps keys that are not filters', () => {
    const base = new URLSearchParams('event=abc&outcome=FAILED&q=old');
    const out = searchWithFilters({ ...EMPTY_FILTERS, outcomes: ['SUCCESS'] }, base);
    expect(out.toString()).toBe('event=abc&outcome=SUCCESS');
    expect(searchWithFilters(EMPTY_FILTERS).toString()).toBe('');
  });

  it('keeps the dates of a custom range only', () => {
    expect(searchWithFilters({ ...EMPTY_FILTERS, range: 'week', from: '2026-11-01' }).toString()).toBe('range=week');
    expect(filtersFromSearch(new URLSearchParams('range=today&from=2026-11-01'))).toMatchObject({ range: 'today', from: null });
  });

  it('takes dates without a preset as a custom range', () => {
    expect(filtersFromSearch(new URLSearchParams('from=2026-11-01'))).toMatchObject({ range: 'custom', from: '2026-11-01', to: null });
  });

  it('drops values a hand-edited link cannot mean', () => {
    const f = filtersFromSearch(
      new URLSearchParams(
        'range=yesterday&from=1st+Nov&branch=not-a-uuid&module=NOPE&module=SALE&action=DROP_TABLE&outcome=MAYBE&outcome=FAILED&outcome=FAILED&reason=x&actor=+++&session=',
      ),
    );
    expect(f).toEqual({ ...EMPTY_FILTERS, modules: ['SALE'], outcomes: ['FAILED'] });
  });

  it('trims text and caps its length', () => {
    const f = filtersFromSearch(new URLSearchParams({ q: `  ${'x'.repeat(300)}  `, actor: ' u-1 ' }));
    expect(f.search).toHaveLength(200);
    expect(f.actorIds).toEqual(['u-1']);
  });
});

describe('logHref', () => {
  it('links to the log with only the given filters', () => {
    expect(logHref({})).toBe('/');
    expect(logHref({ sessionId: 's 1' })).toBe('/?session=s+1');
    expect(logHref({ actorIds: ['u-1'], actions: ['LOGIN_FAILED'] })).toBe('/?action=LOGIN_FAILED&actor=u-1');
  });
});

describe('countFilters', () => {
  it('counts each filter that is set once', () => {
    expect(countFilters(EMPTY_FILTERS)).toBe(0);
    expect(countFilters({ ...EMPTY_FILTERS, range: 'today', modules: ['SALE', 'AI'], search: 'x', sessionId: 's' })).toBe(4);
  });
});
