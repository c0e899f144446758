import { describe, expect, it } from 'vitest';
import { EMPTY_FILTERS, filtersFromSearch, searchWithFilters, type TLogFilters } from './log-filters.ts';
import { filtersOfSavedView, savedViewOf } from './saved-view.ts';
import { dateBoundsOf, eventsFilterOf } from './date-range.ts';

const NOW = new Date(2026, 10, 19, 15, 30);

describe('the new filters in the URL', () => {
  it('round-trips IP, device, role and the negations, dropping values no filter holds', () => {
    const f: TLogFilters = {
      ...EMPTY_FILTERS,
      range: '7d',
      ips: ['10.0.0.1', '2001:db8::1'],
      deviceIds: ['till-7'],
      roles: ['CASHIER'],
      excludeActions: ['SALE_FINALIZED'],
      excludeActorIds: ['u-sofia'],
    };
    const qs = searchWithFilters(f);
    expect(qs.toString()).toBe('range=7d&ip=10.0.0.1&ip=2001%3Adb8%3A%3A1&device=till-7&role=CASHIER&notAction=SALE_FINALIZED&notActor=u-sofia');
    expect(filtersFromSearch(qs)).toEqual(f);
    expect(filtersFromSearch(new URLSearchParams('role=OWNER&notAction=NOPE&range=1y'))).toEqual(EMPTY_FILTERS);
  });

  it('reaches back 1 hour, 24 hours, 7 days, 30 days from now, with no end', () => {
    const back = (range: TLogFilters['range']) => dateBoundsOf({ range, from: null, to: null }, NOW);
    expect(back('1h')).toEqual({ from: new Date(NOW.getTime() - 3_600_000).toISOString() });
    expect(back('24h')).toEqual({ from: new Date(NOW.getTime() - 86_400_000).toISOString() });
    expect(back('7d')).toEqual({ from: new Date(NOW.getTime() - 7 * 86_400_000).toISOString() });
    expect(back('30d')).toEqual({ from: new Date(NOW.getTime() - 30 * 86_400_000).toISOString() });
  });

  it('sends the new filters to events.list', () => {
    expect(eventsFilterOf({ ...EMPTY_FILTERS, roles: ['ADMIN'], excludeActorIds: ['u-1'], ips: ['10.0.0.1'] }, NOW)).toEqual({
      roles: ['ADMIN'],
      excludeActorIds: ['u-1'],
      ips: ['10.0.0.1'],
    });
  });
});

describe('saved views', () => {
  it('keep a moving range by its name, so the view moves with the clock', () => {
    const f: TLogFilters = { ...EMPTY_FILTERS, range: '24h', actorIds: ['u-sofia'], excludeActions: ['LOGIN_SUCCESS'] };
    const view = savedViewOf(f, NOW);
    expect(view).toEqual({ range: '24h', actorIds: ['u-sofia'], excludeActions: ['LOGIN_SUCCESS'] });
    expect(filtersOfSavedView(view)).toEqual(f);
  });

  it('keep custom days as instants and give the same days back', () => {
    const f: TLogFilters = { ...EMPTY_FILTERS, range: 'custom', from: '2026-11-02', to: '2026-11-04', roles: ['MANAGER'] };
    const view = savedViewOf(f, NOW);
    expect(view.range).toBeUndefined();
    expect(view.from).toBe(new Date(2026, 10, 2).toISOString());
    expect(filtersOfSavedView(view)).toEqual(f);
  });
});
