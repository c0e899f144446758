import { describe, expect, it } from 'vitest';
import { filterSummary } from './filter-summary.ts';

describe('filterSummary', () => {
  it('says "All time" for an empty filter, and nothing else', () => {
    expect(filterSummary({})).toEqual(['All time']);
  });

  it('names every condition, with branch names where known and ids where not', () => {
    const lines = filterSummary(
      {
        from: '2026-11-01T00:00:00.000Z',
        branchIds: ['b1', 'b2'],
        actions: ['SALE_VOIDED'],
        outcomes: ['REJECTED'],
        reasons: ['BRANCH_FROZEN'],
        sessionId: 's-9',
        search: 'drawer',
      } as never,
      (id) => (id === 'b1' ? 'Downtown' : undefined),
    );
    expect(lines[0]).toMatch(/^From .+ on$/);
    expect(lines).toContain('Branches: Downtown, b2');
    expect(lines).toContain('Actions: Sale voided');
    expect(lines).toContain('Outcomes: Rejected');
    expect(lines).toContain('Reasons: Branch frozen');
    expect(lines).toContain('Session s-9');
    expect(lines).toContain('Matching “drawer”');
  });

  it('gives both ends of a closed range', () => {
    const [line] = filterSummary({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' });
    expect(line).toMatch(/^From .+ to .+$/);
  });
});
