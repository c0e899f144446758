import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, resolveServerSecret } from '@modula/config';
import { APP_ROLE } from '@modula/db';
import { createStream, isInstallationSecret, streamSettings } from '@modula/domain';
import { createServices } from '@modula/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows } from '../../testing/database.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * Everything sealed in the database (the Admins' TOTP secrets, the streams' and alert webhooks'
 * credentials) opens only under the server secret it was sealed with (README "Running on several
 * machines": the same secret on every server and worker). The database records which secret that
 * is, as a check value that reveals none of it; a server or worker given another refuses to start
 * rather than fail every sign-in and delivery, and the runtime cannot rewrite the record.
 */
let stack: TestStack;
const ROOT = join(import.meta.dirname, '../..');
const OTHER_SECRET = randomBytes(32).toString('base64url');

beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(() => stack?.close());

const recorded = () => queryRows<{ check_value: string }>(stack.databaseSuperuserUrl, 'select check_value from server_secret_check');

describe("the database's server secret", () => {
  it('is recorded by the first server as a check value, one row, not the secret', async () => {
    const rows = await recorded();
    expect(rows).toHaveLength(1);
    const secret = resolveServerSecret(stack.config).toString('utf8');
    expect(rows[0]!.check_value).not.toContain(secret);
    expect(rows[0]!.check_value).not.toContain(Buffer.from(secret).toString('base64url'));
    expect(rows[0]!.check_value).not.toContain(Buffer.from(secret).toString('hex'));
    // a second server with the same secret starts
    const again = await createServices(stack.config);
    await again.close();
    expect(await recorded()).toEqual(rows);
  });

  it('refuses a server or a worker given another secret; the record stays', async () => {
    const before = await recorded();
    await expect(createServices(loadConfig({ ...stack.env, SERVER_SECRET: OTHER_SECRET }))).rejects.toThrow(
      /the server secret .* is not the one this database is served with/,
    );
    for (const main of ['server/src/main.ts', 'worker/src/main.ts']) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, main)], {
        cwd: ROOT,
        env: { ...process.env, ...stack.env, SERVER_SECRET: OTHER_SECRET, LOG_LEVEL: 'info' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, `${main}: ${run.stderr}`).toBe(78);
      expect(run.stdout + run.stderr).toMatch(/not starting: the server secret .* is not the one this database is served with/);
    }
    expect(await recorded()).toEqual(before);
  }, 150_000);

  it('the worker, like the server, exits 78 for a login that could undo the protections, and crashes (exit 1, for a supervisor to retry) on a database error during the check', async () => {
    const start = (main: string, env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, main)], {
        cwd: ROOT,
        env: { ...process.env, ...stack.env, SERVER_SECRET: resolveServerSecret(stack.config).toString('utf8'), LOG_LEVEL: 'info', ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
    for (const main of ['server/src/main.ts', 'worker/src/main.ts']) {
      const owner = start(main, { DATABASE_URL: stack.databaseOwnerUrl });
      expect(owner.status, `${main}: ${owner.stdout}${owner.stderr}`).toBe(78);
      expect(owner.stdout + owner.stderr).toMatch(/not starting: DATABASE_URL logs in as \w+, which .*owns the tables/);
    }
    // a fault that passes (the record locked, the statement cancelled) is not the operator's to fix
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      await db.query('begin');
      await db.query('lock table server_secret_check in access exclusive mode');
      for (const main of ['server/src/main.ts', 'worker/src/main.ts']) {
        const locked = start(main, { PGOPTIONS: '-c lock_timeout=300' });
        expect(locked.status, `${main}: ${locked.stdout}${locked.stderr}`).toBe(1);
        expect(locked.stdout + locked.stderr).toMatch(/lock timeout/);
        expect(locked.stdout + locked.stderr).not.toMatch(/not starting/);
      }
    } finally {
      await db.query('rollback');
      await db.end();
    }
  }, 150_000);

  it('in a database an earlier version served (nothing recorded), a secret that opens none of its sealed values is not recorded', async () => {
    const { tenantId } = await stack.createTenant('Sealed before the record');
    await createStream(stack.services.orm, streamSettings(stack.config), tenantId, {
      name: 'sealed',
      target: { kind: 'WEBHOOK', url: 'https://receiver.example.test/in' },
    });
    await queryRows(stack.databaseSuperuserUrl, 'delete from server_secret_check');
    // the first process after the upgrade has a wrong (or freshly generated) secret: refused, nothing recorded
    await expect(createServices(loadConfig({ ...stack.env, SERVER_SECRET: OTHER_SECRET }))).rejects.toThrow(
      /is not the one this database is served with: nothing sealed in it would open/,
    );
    expect(await recorded()).toEqual([]);
    expect(await isInstallationSecret(stack.services.orm, Buffer.from(OTHER_SECRET))).toBe(false);
    // the installation's opens them: recorded, and from then on the other is refused by the record
    expect(await isInstallationSecret(stack.services.orm, resolveServerSecret(stack.config))).toBe(true);
    const installation = await createServices(stack.config);
    await installation.close();
    expect(await recorded()).toHaveLength(1);
    await expect(createServices(loadConfig({ ...stack.env, SERVER_SECRET: OTHER_SECRET }))).rejects.toThrow(/is not the one this database is served with/);
  });

  it("the runtime's login cannot rewrite, remove or add to the record, as its role or after RESET ROLE", async () => {
    const statements = [
      `update server_secret_check set check_value = 'v1.forged'`,
      'delete from server_secret_check',
      'truncate server_secret_check',
      `insert into server_secret_check (one, check_value) values (true, 'v1.forged')`,
      `insert into server_secret_check (one, check_value) values (false, 'v1.forged')`,
    ];
    for (const how of ['role', 'reset'] as const) {
      for (const statement of statements) {
        const db = await connect(stack.config.DATABASE_URL);
        try {
          await db.query('begin');
          await db.query(`set local role ${APP_ROLE}`);
          if (how === 'reset') await db.query('reset role');
          await expect(db.query(statement), `${how}: ${statement}`).rejects.toThrow(/permission denied|duplicate key value|violates check constraint/);
        } finally {
          await db.query('rollback').catch(() => {});
          await db.end();
        }
      }
    }
    expect(await recorded()).toHaveLength(1);
  });
});
