import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TAuditEventInput } from '@modula/contracts';
import { findDeviceGaps } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { eventually, makeEvent, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signInFirstTime, signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';
import { storedRows } from './offline.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };
let other: { tenantId: string; apiKey: string };

const numbered = (tenantId: string, deviceId: string, seqs: number[]): TAuditEventInput[] =>
  seqs.map((deviceSeq) => makeEvent(tenantId, { context: { deviceId, deviceSeq, offline: true } }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  tenant = await stack.createTenant('Gaps');
  other = await stack.createTenant('Other tenant');
  const events = [
    ...numbered(tenant.tenantId, 'till-7', [...range(1, 1041), ...range(1051, 1060)]), // 1042–1050 never arrived
    ...numbered(tenant.tenantId, 'till-3', [5, 6, 9]), // 1–4 and 7–8 missing
    ...numbered(tenant.tenantId, 'till-9', range(1, 20)), // complete
    makeEvent(tenant.tenantId), // no device: an in-process module
  ];
  for (let i = 0; i < events.length; i += 1000) {
    expect((await postTrpc(stack.baseUrl, 'ingest.batch', { events: events.slice(i, i + 1000) }, tenant.apiKey)).status).toBe(200);
  }
  // another tenant's till-7
  expect((await postTrpc(stack.baseUrl, 'ingest.batch', { events: numbered(other.tenantId, 'till-7', [1, 100]) }, other.apiKey)).status).toBe(200);
  await eventually(async () => ((await storedRows(stack, tenant.tenantId)).length === 1041 + 10 + 3 + 20 + 1 ? true : undefined), 30_000);
  await eventually(async () => ((await storedRows(stack, other.tenantId)).length === 2 ? true : undefined));
});
afterAll(() => stack.close());

const EXPECTED = [
  { deviceId: 'till-3', from: 1, to: 4, missing: 4 },
  { deviceId: 'till-3', from: 7, to: 8, missing: 2 },
  { deviceId: 'till-7', from: 1042, to: 1050, missing: 9 },
];

describe('per-device gap detection', () => {
  it('finds the deliberately skipped ranges of each device, and nothing for a complete device or another tenant', async () => {
    expect(await findDeviceGaps(stack.services.orm, tenant.tenantId)).toEqual(EXPECTED);
    expect(await findDeviceGaps(stack.services.orm, tenant.tenantId, { deviceId: 'till-9' })).toEqual([]);
    expect(await findDeviceGaps(stack.services.orm, other.tenantId)).toEqual([{ deviceId: 'till-7', from: 2, to: 99, missing: 98 }]);
  });

  it('is served by the (tenant_id, device_id, device_seq) index', async () => {
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      const index = (await db.query(`select indexdef from pg_indexes where indexname = 'audit_events_by_device'`)).rows[0]?.indexdef as string;
      expect(index).toMatch(/\(tenant_id, device_id, device_seq\)/);
    } finally {
      await db.end();
    }
  });

  it('prints them with `pnpm --silent cli devices gaps --tenant ID`', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'packages/cli/src/main.ts', 'devices', 'gaps', '--tenant', tenant.tenantId],
      {
        cwd: ROOT,
        env: { ...process.env, ...stack.env },
      },
    );
    expect(JSON.parse(stdout)).toEqual({ items: EXPECTED });
  });

  it('lists them for an Admin as devices.gaps; a Manager is FORBIDDEN, an API key UNAUTHORIZED', async () => {
    const admin = await signedInAdmin(stack, tenant.tenantId);
    const res = await trpc(stack, 'query', 'devices.gaps', {}, { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ items: EXPECTED });
    expect((await trpc(stack, 'query', 'devices.gaps', { deviceId: 'till-3' }, { cookie: admin.cookie })).data.items).toHaveLength(2);

    const manager = await makeUser(stack, tenant.tenantId, 'MANAGER');
    const { cookie } = await signInFirstTime(stack, manager.email);
    expect((await trpc(stack, 'query', 'devices.gaps', {}, { cookie })).code).toBe('FORBIDDEN');
    expect((await trpc(stack, 'query', 'devices.gaps', {}, { apiKey: tenant.apiKey })).code).toBe('UNAUTHORIZED');
  });
});
