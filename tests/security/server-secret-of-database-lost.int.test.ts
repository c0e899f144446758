import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@modula/config';
import { addAlertWebhook, createStream, streamSettings } from '@modula/domain';
import { buildApp, createServices } from '@modula/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretCheckValue } from '../../packages/domain/src/auth/server-keys.ts';
import { queryRows } from '../../testing/database.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, signInFirstTime, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * A server secret really lost: everything it sealed (the Admins' two-factor secrets, the streams'
 * and alert webhooks' credentials and URLs) is lost with it. A new secret opens none of it, so the
 * start-up check refuses it even with nothing recorded; the owner names the new one with
 * `cli server-secret record --accept-unopenable`, which lists what stays unopenable and what brings
 * each back (README "A lost server secret").
 */
let stack: TestStack;
const NEW_SECRET = randomBytes(32).toString('base64url');

beforeAll(async () => {
  stack = await startStack({ worker: false, env: VIEWER_ENV });
}, 120_000);
afterAll(() => stack?.close());

const recorded = async () =>
  (await queryRows<{ check_value: string }>(stack.databaseSuperuserUrl, 'select check_value from server_secret_check')).map((r) => r.check_value);

describe('a lost server secret', () => {
  it('is replaced by the owner with `cli server-secret record`; Admins enrol again after reset-2fa', async () => {
    const { tenantId } = await stack.createTenant('Sealed under the lost secret');
    const admin = await signedInAdmin(stack, tenantId);
    const { stream } = await createStream(stack.services.orm, streamSettings(stack.config), tenantId, {
      name: 'siem',
      target: { kind: 'WEBHOOK', url: 'https://siem.example.test/in/TOKEN123' },
    });
    const { webhook } = await addAlertWebhook(stack.services.orm, Buffer.from(VIEWER_ENV.SERVER_SECRET), { allowHttp: false, allowPrivate: false }, tenantId, {
      url: 'https://hooks.example.test/services/T0/B0/HOOKTOKEN',
    });
    const lost = await recorded();
    const newConfig = loadConfig({ ...stack.env, SERVER_SECRET: NEW_SECRET });
    const asOwner = { DATABASE_OWNER_URL: stack.databaseOwnerUrl, SERVER_SECRET: NEW_SECRET };

    // deleting the record is not enough: the new secret opens nothing sealed, and is refused
    await queryRows(stack.databaseOwnerUrl, 'delete from server_secret_check');
    await expect(createServices(newConfig)).rejects.toThrow(/is not the one this database is served with/);
    await queryRows(stack.databaseOwnerUrl, 'insert into server_secret_check (check_value) values ($1)', [lost[0]]);

    // without --accept-unopenable: what stays unopenable is listed, nothing is recorded
    const asked = runCli(stack, ['server-secret', 'record'], asOwner);
    expect(asked.status, asked.stderr).toBe(1);
    expect(asked.stderr).toMatch(
      /nothing recorded: this server secret does not open 1 two-factor secret, 1 log stream, 1 alert webhook sealed in the database/,
    );
    expect(asked.json).toMatchObject({
      recorded: false,
      unopenable: {
        twoFactor: [{ tenantId, userId: admin.userId, email: admin.email, enrolled: true }],
        streams: [{ tenantId, id: stream.id, name: 'siem' }],
        alertWebhooks: [{ tenantId, id: webhook.id, url: 'https://hooks.example.test/[REDACTED]' }],
      },
    });
    expect(asked.stdout + asked.stderr).not.toMatch(/TOKEN123|HOOKTOKEN/);
    expect(await recorded()).toEqual(lost);

    // the runtime's login cannot replace it
    const asRuntime = runCli(stack, ['server-secret', 'record', '--accept-unopenable'], { ...asOwner, DATABASE_OWNER_URL: stack.config.DATABASE_URL });
    expect(asRuntime.status).not.toBe(0);
    expect(await recorded()).toEqual(lost);

    const replaced = runCli(stack, ['server-secret', 'record', '--accept-unopenable'], asOwner);
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(replaced.json).toMatchObject({ recorded: true, replaced: true, opened: { twoFactor: 0, streams: 0, alertWebhooks: 0 } });
    expect(replaced.json.whatToDo[0]).toBe(`pnpm --silent cli user reset-2fa --tenant ${tenantId} --email '${admin.email}'`);
    expect(replaced.stderr).toMatch(
      /replaced the recorded server secret with this one .*It does not open 1 two-factor secret, 1 log stream, 1 alert webhook; what brings them back/s,
    );
    expect(await recorded()).toEqual([secretCheckValue(Buffer.from(NEW_SECRET))]);
    // the new secret starts a server; the lost one is refused from now on
    await expect(createServices(stack.config)).rejects.toThrow(/is not the one this database is served with/);
    const services = await createServices(newConfig);
    const app = await buildApp(services);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const served = { ...stack, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
      // the Admin's two-factor: reset as the command said, enrolled again at the next sign-in under the new secret
      const reset = runCli(stack, ['user', 'reset-2fa', '--tenant', tenantId, '--email', admin.email], { SERVER_SECRET: NEW_SECRET });
      expect(reset.status, reset.stderr).toBe(0);
      const again = await signInFirstTime(served, admin.email);
      expect(again.secret).toBeDefined();
      // recorded again, it is the same secret: nothing to replace
      const same = runCli(stack, ['server-secret', 'record'], asOwner);
      expect(same.status, same.stderr).toBe(0);
      expect(same.json).toMatchObject({ recorded: true, replaced: false, opened: { twoFactor: 1 } });
    } finally {
      await app.close();
      await services.close();
    }
  }, 120_000);
});
