import { randomBytes } from 'node:crypto';
import { loadConfig, resolveServerSecret } from '@modula/config';
import { NotStarting } from '@modula/db';
import { assertServerSecretOfDatabase, createStream, deleteStream, isInstallationSecret, streamSettings } from '@modula/domain';
import { createServices } from '@modula/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret } from '../../packages/domain/src/auth/server-keys.ts';
import { queryRows } from '../../testing/database.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * A database an earlier version served (nothing recorded in server_secret_check) may hold values
 * sealed under two secrets: the servers' and a stray DATA_DIR/server-secret that a CLI before
 * 2026-12-03 generated and sealed streams under. No single sealed value may decide which secret is
 * the installation's (the first tenant's stream made the stray one it): two-factor secrets decide
 * when there are any (only servers seal them), otherwise every stream and webhook must open.
 */
const STRAY = randomBytes(32).toString('base64url');
const webhook = (path: string) => ({ kind: 'WEBHOOK' as const, url: `https://receiver.example.test/${path}` });
const recorded = (stack: TestStack) => queryRows<{ check_value: string }>(stack.databaseSuperuserUrl, 'select check_value from server_secret_check');
const forget = (stack: TestStack) => queryRows(stack.databaseSuperuserUrl, 'delete from server_secret_check');

function logLines() {
  const lines: { level: 'info' | 'warn'; msg: string }[] = [];
  return { lines, info: (msg: string) => lines.push({ level: 'info', msg }), warn: (msg: string) => lines.push({ level: 'warn', msg }) };
}

describe('no two-factor secrets: streams sealed under the stray secret and under the servers', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  }, 120_000);
  afterAll(() => stack?.close());

  it('neither secret is recorded from one sample; the refusal names what does not open and what to do', async () => {
    const real = resolveServerSecret(stack.config);
    const strayConfig = loadConfig({ ...stack.env, SERVER_SECRET: STRAY });
    // the first tenant's only sealed value: a stream a pre-2026-12-03 CLI sealed under its own generated secret
    const a = await stack.createTenant('A: stream by a stray CLI');
    const { stream: stray } = await createStream(stack.services.orm, streamSettings(strayConfig), a.tenantId, { name: 's', target: webhook('in') });
    const b = await stack.createTenant('B: served by the servers');
    for (let i = 0; i < 5; i++) await createStream(stack.services.orm, streamSettings(stack.config), b.tenantId, { name: `s${i}`, target: webhook(`${i}`) });
    await forget(stack);

    expect(await isInstallationSecret(stack.services.orm, Buffer.from(STRAY))).toBe(false);
    expect(await isInstallationSecret(stack.services.orm, real)).toBe(false);
    for (const [config, opened, unopened] of [
      [stack.config, '5 log streams', `1 log stream (tenant ${a.tenantId}: log stream ${stray.id})`],
      [strayConfig, '1 log stream', `5 log streams (tenant ${b.tenantId}: log stream `],
    ] as const) {
      const refused = createServices(config);
      await expect(refused).rejects.toBeInstanceOf(NotStarting);
      await expect(refused).rejects.toThrow(`opens ${opened} sealed in this database but not ${unopened}`);
      await expect(refused).rejects.toThrow(
        /: they were sealed under more than one secret \(a CLI before 2026-12-03 sealed under a server-secret it generated\)/,
      );
    }
    await expect(createServices(stack.config)).rejects.toThrow(
      /Start with the secret every server was given; delete what it does not open \(cli stream delete/,
    );
    expect(await recorded(stack)).toEqual([]);

    // the operator deletes the stream the servers' secret does not open: that one is recorded, the stray one refused
    await deleteStream(stack.services.orm, a.tenantId, stray.id);
    await expect(createServices(strayConfig)).rejects.toThrow(/is not the one this database is served with: nothing sealed in it would open/);
    const server = await createServices(stack.config);
    await server.close();
    expect(await recorded(stack)).toHaveLength(1);
    await expect(createServices(strayConfig)).rejects.toThrow(/is not the one this database is served with/);
  });
});

describe('two-factor secrets decide: only servers seal them', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ worker: false, env: VIEWER_ENV });
  }, 120_000);
  afterAll(() => stack?.close());

  it("the servers' secret is recorded though a stray CLI's stream comes first; the log names that stream, never its URL", async () => {
    const real = resolveServerSecret(stack.config);
    const c = await stack.createTenant('C: stream by a stray CLI');
    const { stream: stray } = await createStream(stack.services.orm, streamSettings(loadConfig({ ...stack.env, SERVER_SECRET: STRAY })), c.tenantId, {
      name: 'stray',
      target: webhook('services/T0/B0/STRAYTOKEN'),
    });
    const d = await stack.createTenant('D: an Admin with two-factor');
    await signedInAdmin(stack, d.tenantId);
    await forget(stack);

    expect(await isInstallationSecret(stack.services.orm, Buffer.from(STRAY))).toBe(false);
    expect(await isInstallationSecret(stack.services.orm, real)).toBe(true);
    const log = logLines();
    await assertServerSecretOfDatabase(stack.services.orm, real, log);
    expect(await recorded(stack)).toHaveLength(1);
    const warned = log.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain(`1 log stream sealed under another server secret`);
    expect(warned[0]).toContain(`tenant ${c.tenantId}: log stream ${stray.id}`);
    expect(warned[0]).not.toMatch(/STRAYTOKEN|receiver\.example\.test/);
  });

  it('two-factor secrets sealed under two secrets: refused, nothing recorded', async () => {
    const real = resolveServerSecret(stack.config);
    const e = await stack.createTenant('E: an Admin enrolled under another secret');
    const admin = await signedInAdmin(stack, e.tenantId);
    await queryRows(stack.databaseSuperuserUrl, 'update users set totp_secret_enc = $2 where id = $1', [
      admin.userId,
      encryptSecret(Buffer.from(STRAY), 'JBSWY3DPEHPK3PXP'),
    ]);
    await forget(stack);

    expect(await isInstallationSecret(stack.services.orm, real)).toBe(false);
    expect(await isInstallationSecret(stack.services.orm, Buffer.from(STRAY))).toBe(false);
    const refused = assertServerSecretOfDatabase(stack.services.orm, real, logLines());
    await expect(refused).rejects.toThrow('opens 1 two-factor secret sealed in this database but not 1 two-factor secret, 1 log stream (');
    await expect(refused).rejects.toThrow(`tenant ${e.tenantId}: two-factor secret ${admin.userId}`);
    // only servers seal two-factor secrets: the cause named is servers given different secrets, not an old CLI
    await expect(refused).rejects.toThrow('(servers were given different secrets)');
    expect(await recorded(stack)).toEqual([]);
  });
});
