import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from '@modula/devservers';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start`'s supervisor (scripts/start-system.ts) run as a terminal runs it: in a process group of
 * its own, to which Ctrl-C sends SIGINT — the whole group. Its children (server, worker, Redis,
 * PostgreSQL) are in groups of their own, so only the supervisor gets the signal, and it stops them
 * in order: server and worker, then Redis, then PostgreSQL. Its data folder is private (0700, as a
 * clone in root's home): as root, PostgreSQL's user cannot reach it, so the cluster must live elsewhere.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'modula-start-')); // 0700, owned by whoever runs the tests
const clusterRoot = mkdtempSync(join(tmpdir(), 'modula-clusters-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(clusterRoot, { recursive: true, force: true });
});

describe('npm start: Ctrl-C reaches only the supervisor, which stops server and worker before Redis and PostgreSQL', () => {
  it('starts from a private 0700 folder and stops in order, the worker logging no connection error', async () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const env: Record<string, string | undefined> = {
      ...process.env,
      DATA_DIR: dataDir,
      LOCAL_POSTGRES_PORT: String(await findFreePort()),
      LOCAL_REDIS_PORT: String(await findFreePort()),
      LOCAL_POSTGRES_CLUSTER_ROOT: clusterRoot,
      PORT: String(await findFreePort()),
      LOG_LEVEL: 'info',
      REDIS_MAXMEMORY: '64mb',
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.DATABASE_OWNER_URL;
    const supervisor = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start-system.ts'), '--no-web-build'], {
      cwd: ROOT,
      env,
      detached: true, // its own process group, as a shell gives a foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    supervisor.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    supervisor.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((done) => supervisor.once('exit', (code) => done(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!(out.includes('Modula Audit on http://') && out.includes('worker consuming audit-ingest') && out.includes('serving / and /trpc'))) {
        if (supervisor.exitCode !== null) throw new Error(`start-system exited ${supervisor.exitCode}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`start-system did not start in 90 s:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      if (process.getuid?.() === 0) {
        // root: PostgreSQL's user cannot enter the 0700 folder, so its cluster went to the fallback root
        expect(out).toMatch(new RegExp(`PostgreSQL on 127\\.0\\.0\\.1:\\d+ \\(data in ${clusterRoot}/postgres-[0-9a-f]{12}/pgdata\\)`));
      }
      const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
      expect(health.status).toBe(200);

      const mark = out.length;
      process.kill(-supervisor.pid!, 'SIGINT'); // what the terminal's Ctrl-C does: the whole foreground group
      expect(await exited).toBe(0);
      const after = out.slice(mark);
      const at = (line: string) => {
        const i = after.indexOf(line);
        expect(i, `"${line}" in:\n${after}`).toBeGreaterThanOrEqual(0);
        return i;
      };
      const redisStopped = at('[start] Redis stopped');
      expect(at('[start] server stopped')).toBeLessThan(redisStopped);
      expect(at('[start] worker stopped')).toBeLessThan(redisStopped);
      expect(redisStopped).toBeLessThan(at('[start] PostgreSQL stopped'));
      // server and worker got SIGTERM from the supervisor (not the terminal's SIGINT) and stopped cleanly
      expect(after).toMatch(/"signal":"SIGTERM".*finishing active jobs/);
      expect(after).toMatch(/"signal":"SIGTERM".*draining requests/);
      expect(after).not.toMatch(/"signal":"SIGINT"/);
      // Redis was stopped by the supervisor (SIGTERM), never by the terminal's SIGINT
      const redisLog = readFileSync(join(dataDir, 'redis', 'redis.log'), 'utf8');
      expect(redisLog).toMatch(/Received SIGTERM/);
      expect(redisLog).not.toMatch(/Received SIGINT/);
      // no connection errors: Redis and PostgreSQL were still there while the worker stopped
      expect(after).not.toMatch(/ECONNREFUSED|ECONNRESET|Connection is closed|"level":50|"level":60/);
    } finally {
      if (supervisor.exitCode === null) process.kill(-supervisor.pid!, 'SIGKILL');
    }
  }, 150_000);
});
