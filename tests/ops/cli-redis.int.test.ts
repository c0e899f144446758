import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/** An operator at 3 a.m. with a wrong REDIS_URL gets an answer, not a terminal that hangs. */
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(() => stack.close());

describe('CLI commands that use Redis', () => {
  it('fail within seconds with what is wrong when the Redis password is wrong', () => {
    const url = new URL(stack.env.REDIS_URL!);
    url.password = 'not-the-password';
    for (const args of [
      ['jobs', 'failed'],
      ['jobs', 'retry'],
    ]) {
      const started = Date.now();
      const cli = runCli(stack, args, { REDIS_URL: url.toString() });
      expect(cli.status, cli.stdout).not.toBe(0);
      expect(cli.stderr).toMatch(/Redis is not reachable .*WRONGPASS|Redis is not reachable/);
      expect(cli.stderr).not.toContain('not-the-password');
      expect(Date.now() - started).toBeLessThan(30_000);
    }
  });
});
