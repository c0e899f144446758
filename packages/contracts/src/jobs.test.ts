import { describe, expect, it } from 'vitest';
import { JOBS } from './jobs.ts';

describe('the job registry', () => {
  it.each(Object.entries(JOBS))('%s: the payload schema reads the version the registry names', (_key, job) => {
    expect(job.schema.safeParse({ v: job.version }).error?.issues.some((i) => i.path[0] === 'v')).not.toBe(true);
    expect(job.schema.safeParse({ v: job.version + 1 }).error?.issues.some((i) => i.path[0] === 'v')).toBe(true);
    if ('envelope' in job) expect(job.envelope.safeParse({ v: job.version + 1 }).error?.issues.some((i) => i.path[0] === 'v')).toBe(true);
  });

  it('names each job once: the worker dispatches on the name', () => {
    const names = Object.values(JOBS).map((j) => `${j.queue}/${j.name}`);
    expect(new Set(names).size).toBe(names.length);
  });
});
