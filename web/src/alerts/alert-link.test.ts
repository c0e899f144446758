import { describe, expect, it } from 'vitest';
import { filtersFromSearch } from '../log/log-filters.ts';
import { alertLogHref } from './alert-link.ts';

const at = (h: number) => new Date(2026, 10, 30, h, 15).toISOString();

describe('the link from an alert to the log', () => {
  it('filters the log to the account’s failed sign-ins over the days they span', () => {
    const href = alertLogHref({
      rule: 'LOGIN_FAILURES_ACCOUNT',
      filter: { actions: ['LOGIN_FAILED'], actorIds: ['cashier-ana'] },
      firstAt: at(10),
      lastAt: at(11),
    });
    const f = filtersFromSearch(new URLSearchParams(href.slice(2)));
    expect(f).toMatchObject({ range: 'custom', from: '2026-11-30', to: '2026-11-30', actions: ['LOGIN_FAILED'], actorIds: ['cashier-ana'] });
  });

  it('names the branch and the refusal reason of a frozen-branch alert, and only the device of a gap', () => {
    const branch = '0193a1b2-0000-7000-8000-000000000001';
    const frozen = filtersFromSearch(
      new URLSearchParams(
        alertLogHref({ rule: 'BRANCH_FROZEN_REFUSALS', filter: { branchIds: [branch], reasons: ['BRANCH_FROZEN'] }, firstAt: at(9), lastAt: at(9) }).slice(2),
      ),
    );
    expect(frozen).toMatchObject({ branchIds: [branch], reasons: ['BRANCH_FROZEN'] });
    const gap = filtersFromSearch(
      new URLSearchParams(alertLogHref({ rule: 'DEVICE_GAP', filter: { deviceIds: ['till-9'] }, firstAt: at(9), lastAt: at(9) }).slice(2)),
    );
    expect(gap).toMatchObject({ range: null, deviceIds: ['till-9'] });
  });
});
