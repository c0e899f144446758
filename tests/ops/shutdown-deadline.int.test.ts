import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort, startRedis, type LocalRedis } from '@modula/devservers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let stack: TestStack;
let redis: LocalRedis;
let dir: string;
const children: ChildProcess[] = [];

const PROCESSES = {
  worker: { entry: 'worker/src/main.ts', ready: 'building export packs' },
  server: { entry: 'server/src/main.ts', ready: 'serving / and /trpc' },
};

/** The real process, as `npm start` runs it; resolves once it is ready, with its log so far. */
async function start(name: keyof typeof PROCESSES): Promise<{ child: ChildProcess; log: () => string; port: number }> {
  const { entry, ready } = PROCESSES[name];
  const port = await findFreePort();
  const env = { ...process.env, ...stack.env, PORT: String(port), SHUTDOWN_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, entry)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  while (!out.includes(ready)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the ${name} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, log: () => out, port };
}

/** SIGTERM, then the exit code; null when it has not exited within `guardMs` (it hung). */
function terminate(child: ChildProcess, guardMs: number): Promise<number | null> {
  return new Promise((done) => {
    const guard = setTimeout(() => done(null), guardMs);
    child.once('exit', (code) => {
      clearTimeout(guard);
      done(code);
    });
    child.kill('SIGTERM');
  });
}

beforeAll(async () => {
  // a Redis of our own: freezing the shared one would stall the other test files
  dir = mkdtempSync(join(tmpdir(), 'modula-shutdown-'));
  chmodSync(dir, 0o755);
  redis = await startRedis({ dataDir: dir, port: await findFreePort() });
  stack = await startStack({ worker: false, env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  redis?.thaw();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['worker', 'server'] as const)('the %s on SIGTERM', (name) => {
  it('stops cleanly (exit 0) when Redis and PostgreSQL answer', async () => {
    const { child, log } = await start(name);
    await expect(terminate(child, 20_000)).resolves.toBe(0);
    expect(log()).toMatch(/finishing active jobs, then stopping|draining requests, then stopping/);
    expect(log()).not.toContain('shutdown did not finish');
  }, 60_000);

  it('still exits, with an error logged, when Redis stops answering: SHUTDOWN_TIMEOUT_SECONDS bounds the wait', async () => {
    const { child, log, port } = await start(name);
    redis.freeze();
    try {
      if (name === 'server') {
        // a request in flight whose event cannot reach the frozen queue: draining it never ends
        const { tenantId, apiKey } = await stack.createTenant('Shutdown');
        void fetch(`http://127.0.0.1:${port}/trpc/ingest.record`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify(makeEvent(tenantId)),
        }).catch(() => {});
        await new Promise((r) => setTimeout(r, 500));
      }
      // without the deadline the stop waits on the frozen connection for ever: the guard gives null
      await expect(terminate(child, 20_000)).resolves.toBe(1);
    } finally {
      redis.thaw();
    }
    expect(log()).toContain('shutdown did not finish in SHUTDOWN_TIMEOUT_SECONDS');
  }, 60_000);
});
