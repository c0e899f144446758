import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { trpc } from '../../testing/viewer.ts';

let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };

beforeAll(async () => {
  // the cache of verified keys as configured by default: it looks a key up again after a second,
  // and serves it without the database only while PostgreSQL does not answer
  stack = await startStack({ worker: false });
  tenant = await stack.createTenant('Keys');
});
afterAll(() => stack.close());

/** A server looks a key it verified up again once a second has passed (README, API keys). */
const pastRecheck = () => new Promise((r) => setTimeout(r, 1_100));

const send = (apiKey: string) => trpc(stack, 'mutation', 'ingest.record', makeEvent(tenant.tenantId), { apiKey });

describe('operator CLI: API keys', () => {
  it('creates a second key, lists both without secrets, and revokes one by the key itself and one by id', async () => {
    const created = runCli(stack, ['apikey', 'create', '--tenant', tenant.tenantId]);
    expect(created.status, created.stderr).toBe(0);
    const second: { apiKeyId: string; apiKey: string } = created.json;
    expect(second.apiKey).toMatch(/^mak_[0-9a-f]{32}_/);
    expect((await send(second.apiKey)).status).toBe(200);

    const listed = runCli(stack, ['apikey', 'list', '--tenant', tenant.tenantId]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.json.items).toHaveLength(2);
    // a key the operator makes is a device's unless asked otherwise; the tenant's first is the platform's
    expect(listed.json.items[0]).toEqual({ id: second.apiKeyId, scope: 'device', createdAt: expect.any(String), revokedAt: null });
    expect(listed.json.items[1]).toMatchObject({ scope: 'platform' });
    expect(listed.stdout).not.toContain(second.apiKey.slice(-43));

    // a leaked key is revoked by what the operator holds: the key itself
    const revoked = runCli(stack, ['apikey', 'revoke', '--tenant', tenant.tenantId, '--key', tenant.apiKey]);
    expect(revoked.status, revoked.stderr).toBe(0);
    const firstId = listed.json.items[1].id;
    expect(revoked.json).toEqual({ id: firstId, revokedAt: expect.any(String) });
    await pastRecheck();
    expect((await send(tenant.apiKey)).code).toBe('UNAUTHORIZED');
    expect((await send(second.apiKey)).status).toBe(200); // the other key goes on working

    // revoking again keeps the first revocation time
    const again = runCli(stack, ['apikey', 'revoke', '--tenant', tenant.tenantId, '--key', firstId]);
    expect(again.json.revokedAt).toBe(revoked.json.revokedAt);

    expect(runCli(stack, ['apikey', 'revoke', '--tenant', tenant.tenantId, '--key', second.apiKeyId]).status).toBe(0);
    await pastRecheck();
    expect((await send(second.apiKey)).code).toBe('UNAUTHORIZED');
  });

  it("a device's key (the default) may not send the branch and tenant lifecycle; a platform key may", async () => {
    const device = runCli(stack, ['apikey', 'create', '--tenant', tenant.tenantId]).json as { apiKey: string; scope: string };
    const platform = runCli(stack, ['apikey', 'create', '--tenant', tenant.tenantId, '--scope', 'platform']).json as { apiKey: string; scope: string };
    expect([device.scope, platform.scope]).toEqual(['device', 'platform']);
    const branchId = uuidv7();
    const provision = makeEvent(tenant.tenantId, { action: 'BRANCH_PROVISIONED', branchId, entity: { type: 'BRANCH', id: branchId, label: 'Pier' } });
    const unfreeze = makeEvent(tenant.tenantId, { action: 'BRANCH_UNFROZEN', branchId, entity: { type: 'BRANCH', id: branchId, label: 'Pier' } });
    const freezeTenant = makeEvent(tenant.tenantId, { action: 'TENANT_FROZEN' });
    // a till at a frozen branch must not unfreeze it (nor freeze the whole tenant)
    for (const event of [provision, unfreeze, freezeTenant]) {
      const refused = await trpc(stack, 'mutation', 'ingest.record', event, { apiKey: device.apiKey });
      expect(refused.status, event.action).toBe(403);
      expect(refused.body.error.message).toContain(`a device's API key may not send ${event.action}`);
    }
    const batch = await trpc(stack, 'mutation', 'ingest.batch', { events: [provision, unfreeze] }, { apiKey: platform.apiKey });
    expect(batch.data).toEqual({ accepted: [provision.eventId, unfreeze.eventId], rejected: [] });
    const bad = runCli(stack, ['apikey', 'create', '--tenant', tenant.tenantId, '--scope', 'admin']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--scope must be device or platform');
  });

  it("cannot revoke another tenant's key, and says what is wrong with a bad --key", async () => {
    const other = await stack.createTenant('Other keys');
    const cross = runCli(stack, ['apikey', 'revoke', '--tenant', tenant.tenantId, '--key', other.apiKey]);
    expect(cross.status).toBe(1);
    expect(cross.stderr).toContain('no such API key');
    expect((await trpc(stack, 'mutation', 'ingest.record', makeEvent(other.tenantId), { apiKey: other.apiKey })).status).toBe(200);

    const bad = runCli(stack, ['apikey', 'revoke', '--tenant', tenant.tenantId, '--key', 'not-a-key']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--key must be an API key id (UUID) or the key itself');
  });
});
