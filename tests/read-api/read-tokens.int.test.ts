import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { runCli } from '../../testing/integrity.ts';
import { provisionBoth, seedEvents } from '../../testing/read-seed.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 16, item 1: read tokens for machines. What a token may do (read its tenant's log as an
 * Admin's session does, keyset paging included) and may not (ingest, manage, read another tenant,
 * outlive its revocation or expiry); that only its hash is stored; that its uses are recorded once
 * per token and filter per hour.
 */
let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };
let other: { tenantId: string; apiKey: string };
let admin: { cookie: string };
let otherEventId: string;
let exportWorker: TExportWorker;

const branches: [string, string] = [uuidv7(), uuidv7()];

beforeAll(async () => {
  stack = await startStack({ env: { ...VIEWER_ENV, API_KEY_CACHE_SECONDS: '0' } });
  exportWorker = startExportWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
  tenant = await stack.createTenant('Read tokens');
  other = await stack.createTenant('Someone else');
  await ingestStored(stack, tenant.tenantId, [...provisionBoth(tenant.tenantId, branches), ...seedEvents(tenant.tenantId, branches, 45).map((s) => s.input)]);
  const foreign = makeEvent(other.tenantId);
  otherEventId = foreign.eventId;
  await ingestStored(stack, other.tenantId, [foreign]);
  admin = await signedInAdmin(stack, tenant.tenantId);
}, 120_000);
afterAll(async () => {
  await exportWorker?.close();
  await stack?.close();
});

/** A tRPC call with `Authorization: Bearer <token>` (no cookie, no Origin: a machine's request). */
const asToken = (token: string, kind: 'query' | 'mutation', path: string, input?: unknown) => trpc(stack, kind, path, input, { apiKey: token });

async function createToken(name: string, expiresInDays?: number) {
  const r = await trpc(stack, 'mutation', 'readTokens.create', { name, ...(expiresInDays ? { expiresInDays } : {}) }, { cookie: admin.cookie });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.data as { tokenId: string; token: string; expiresAt: string };
}

/** Every page of events.list for a filter, following nextCursor. */
async function allPages(call: (input: unknown) => Promise<{ status: number; data: any; body: any }>, filter: Record<string, unknown>, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await call({ ...filter, limit, ...(cursor ? { cursor } : {}) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    ids.push(...r.data.items.map((e: { id: string; tenantId: string }) => e.id));
    for (const e of r.data.items) expect(e.tenantId).toBe(tenant.tenantId);
    cursor = r.data.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe('read tokens: what they may do', () => {
  it('are made by an Admin, shown once, listed without the token, and stored only as a SHA-256', async () => {
    const made = await createToken('SIEM pull', 30);
    expect(made.token).toMatch(/^mrt_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(made.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);

    const listed = await trpc(stack, 'query', 'readTokens.list', {}, { cookie: admin.cookie });
    expect(listed.status).toBe(200);
    const row = listed.data.items.find((t: { id: string }) => t.id === made.tokenId);
    expect(row).toEqual({
      id: made.tokenId,
      name: 'SIEM pull',
      createdBy: 'Ada Admin',
      createdAt: expect.any(String),
      expiresAt: made.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(made.token.slice(-43));

    // in the database: the hash of the secret part, and nowhere the token or its secret
    const secret = made.token.slice(-43);
    const rows = await queryRows<Record<string, unknown>>(stack.databaseSuperuserUrl, 'select * from read_tokens where id = $1', [made.tokenId]);
    expect(rows).toHaveLength(1);
    expect((rows[0]!.token_hash as Buffer).equals(createHash('sha256').update(secret).digest())).toBe(true);
    const text = JSON.stringify(rows[0], (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    expect(text).not.toContain(secret);
    expect(text).not.toContain(made.token);

    // a token must expire, at most a year after it is made
    const forever = await trpc(stack, 'mutation', 'readTokens.create', { name: 'forever', expiresInDays: 366 }, { cookie: admin.cookie });
    expect(forever.code).toBe('BAD_REQUEST');
  });

  it("lists and pages its tenant's events exactly as the Admin's session does, and nothing of another tenant", async () => {
    const { token } = await createToken('pager');
    // the seeded events of both branches: the log's own records of these reads (no branch) do not move under the pages
    const filter = { branchIds: branches, outcomes: ['SUCCESS', 'REJECTED'] };
    const byToken = await allPages((input) => asToken(token, 'query', 'events.list', input), filter, 7);
    const bySession = await allPages((input) => trpc(stack, 'query', 'events.list', input, { cookie: admin.cookie }), filter, 7);
    expect(byToken.pages).toBeGreaterThan(3);
    expect(byToken.ids).toEqual(bySession.ids);
    expect(new Set(byToken.ids).size).toBe(byToken.ids.length);

    const one = await asToken(token, 'query', 'events.get', { id: byToken.ids[0] });
    expect(one.status).toBe(200);
    expect(one.data.id).toBe(byToken.ids[0]);

    // the other tenant's event is not there for this token (row-level security: not found)
    const foreign = await queryRows<{ id: string }>(stack.databaseSuperuserUrl, 'select id from audit_events where tenant_id = $1 and event_id = $2', [
      other.tenantId,
      otherEventId,
    ]);
    expect(foreign).toHaveLength(1);
    expect((await asToken(token, 'query', 'events.get', { id: foreign[0]!.id })).code).toBe('NOT_FOUND');
    const everything = await allPages((input) => asToken(token, 'query', 'events.list', input), {}, 200);
    expect(everything.ids).not.toContain(foreign[0]!.id);
  });

  it('cannot ingest, manage anything, or call auth.*', async () => {
    const { token } = await createToken('no writes');
    expect((await asToken(token, 'mutation', 'ingest.record', makeEvent(tenant.tenantId))).code).toBe('UNAUTHORIZED');
    expect((await asToken(token, 'mutation', 'ingest.batch', { events: [makeEvent(tenant.tenantId)] })).code).toBe('UNAUTHORIZED');
    expect((await asToken(token, 'query', 'ingest.status', { eventIds: [uuidv7()] })).code).toBe('UNAUTHORIZED');
    const management: [kind: 'query' | 'mutation', path: string, input: unknown][] = [
      ['query', 'readTokens.list', {}],
      ['mutation', 'readTokens.create', { name: 'sneaky' }],
      ['mutation', 'readTokens.revoke', { tokenId: uuidv7() }],
      ['query', 'savedViews.list', {}],
      ['mutation', 'savedViews.save', { name: 'x', view: {} }],
      ['query', 'auth.me', undefined],
      ['mutation', 'auth.changePassword', { currentPassword: 'x', newPassword: 'y' }],
    ];
    for (const [kind, path, input] of management) {
      const r = await asToken(token, kind, path, input);
      expect(['UNAUTHORIZED', 'FORBIDDEN'], path).toContain(r.code);
    }
  });

  it('an ingest API key cannot read, and a read token is never taken for an API key', async () => {
    expect((await trpc(stack, 'query', 'events.list', {}, { apiKey: tenant.apiKey })).code).toBe('UNAUTHORIZED');
    expect((await trpc(stack, 'query', 'exports.get', { exportId: uuidv7() }, { apiKey: tenant.apiKey })).code).toBe('UNAUTHORIZED');
    const ndjson = await fetch(`${stack.baseUrl}/api/events.ndjson`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(ndjson.status).toBe(401);
    // the API key with the read token's prefix is no read token either
    const forged = `mrt_${tenant.apiKey.slice(4)}`;
    expect((await asToken(forged, 'query', 'events.list', {})).code).toBe('UNAUTHORIZED');
  });

  it('a revoked token and an expired token get UNAUTHORIZED at their next request', async () => {
    const revoked = await createToken('to revoke');
    expect((await asToken(revoked.token, 'query', 'events.list', { limit: 1 })).status).toBe(200);
    const r = await trpc(stack, 'mutation', 'readTokens.revoke', { tokenId: revoked.tokenId }, { cookie: admin.cookie });
    expect(r.status).toBe(200);
    expect(r.data.revokedAt).toEqual(expect.any(String));
    expect((await asToken(revoked.token, 'query', 'events.list', { limit: 1 })).code).toBe('UNAUTHORIZED');
    const afterRevoke = await fetch(`${stack.baseUrl}/api/events.ndjson`, { headers: { authorization: `Bearer ${revoked.token}` } });
    expect(afterRevoke.status).toBe(401);

    const expired = await createToken('to expire', 1);
    expect((await asToken(expired.token, 'query', 'events.list', { limit: 1 })).status).toBe(200);
    // a day and a bit later (the database's clock moved back for this row, as the superuser may)
    await queryRows(
      stack.databaseSuperuserUrl,
      "update read_tokens set created_at = now() - interval '2 days', expires_at = now() - interval '1 second' where id = $1",
      [expired.tokenId],
    );
    expect((await asToken(expired.token, 'query', 'events.list', { limit: 1 })).code).toBe('UNAUTHORIZED');
    expect((await asToken(expired.token, 'query', 'events.get', { id: uuidv7() })).code).toBe('UNAUTHORIZED');

    const listed = await trpc(stack, 'query', 'readTokens.list', {}, { cookie: admin.cookie });
    const row = listed.data.items.find((t: { id: string }) => t.id === revoked.tokenId);
    expect(row.revokedAt).toBe(r.data.revokedAt);
    expect(row.lastUsedAt).toEqual(expect.any(String));
  });

  it('creates and fetches a signed export, and downloads it with the token', async () => {
    const { token } = await createToken('exporter');
    const created = await asToken(token, 'mutation', 'exports.create', { format: 'csv', filter: { modules: ['SALE'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { exportId } = created.data;
    const ready = await eventually(async () => {
      const got = await asToken(token, 'query', 'exports.get', { exportId });
      expect(got.status).toBe(200);
      expect(got.data.status).not.toBe('FAILED');
      return got.data.status === 'READY' ? got.data : undefined;
    }, 60_000);
    const file = await fetch(`${stack.baseUrl}${ready.url}`, { headers: { authorization: `Bearer ${token}` } });
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ready.sha256);
    expect((await fetch(`${stack.baseUrl}${ready.url}`)).status).toBe(401);
    expect((await fetch(`${stack.baseUrl}${ready.url}`, { headers: { authorization: `Bearer ${tenant.apiKey}` } })).status).toBe(401);

    // the download is recorded with the token as its actor
    const downloads = await eventually(async () => {
      const r = await trpc(stack, 'query', 'events.list', { actions: ['AUDIT_EXPORT_DOWNLOADED'], entityId: exportId }, { cookie: admin.cookie });
      return r.data.items.length > 0 ? r.data.items : undefined;
    });
    expect(downloads[0].actor).toMatchObject({ type: 'SYSTEM', name: 'exporter (read token)' });
    expect(downloads[0].actor.id).toMatch(/^read-token\//);
  });
});

describe('read tokens: every use recorded', () => {
  it('records READ_TOKEN_USED once per token and filter per hour, with the filter and the client address', async () => {
    const { token, tokenId } = await createToken('audited');
    const success = { outcomes: ['SUCCESS'] };
    const first = await asToken(token, 'query', 'events.list', { ...success, limit: 5 });
    expect(first.status).toBe(200);
    // the same filter again, and its next page: the same use
    expect((await asToken(token, 'query', 'events.list', { ...success, limit: 5 })).status).toBe(200);
    expect((await asToken(token, 'query', 'events.list', { ...success, limit: 5, cursor: first.data.nextCursor })).status).toBe(200);
    // another filter: another use
    expect((await asToken(token, 'query', 'events.list', { outcomes: ['REJECTED'], limit: 5 })).status).toBe(200);

    const uses = async () =>
      (await trpc(stack, 'query', 'events.list', { actions: ['READ_TOKEN_USED'], actorIds: [`read-token/${tokenId}`] }, { cookie: admin.cookie })).data.items;
    // events of one tenant are stored in the order they were acknowledged: once the second filter's use is there, so is every earlier one
    const stored = await eventually(async () => {
      const items = await uses();
      return items.some((e: any) => e.metadata?.filter?.outcomes?.[0] === 'REJECTED') ? items : undefined;
    });
    expect(stored).toHaveLength(2);
    const byOutcome = Object.fromEntries(stored.map((e: any) => [e.metadata.filter.outcomes[0], e]));
    expect(byOutcome.SUCCESS.metadata).toEqual({ procedure: 'events.list', filter: success });
    expect(byOutcome.SUCCESS.actor).toMatchObject({ type: 'SYSTEM', id: `read-token/${tokenId}`, name: 'audited (read token)' });
    expect(byOutcome.SUCCESS.context.ip).toBe('127.0.0.1');
    expect(byOutcome.SUCCESS.module).toBe('AUDIT');

    // another token reading the same filter is another use
    const second = await createToken('audited too');
    expect((await asToken(second.token, 'query', 'events.list', { ...success, limit: 5 })).status).toBe(200);
    const secondUses = await eventually(async () => {
      const r = await trpc(
        stack,
        'query',
        'events.list',
        { actions: ['READ_TOKEN_USED'], actorIds: [`read-token/${second.tokenId}`] },
        { cookie: admin.cookie },
      );
      return r.data.items.length > 0 ? r.data.items : undefined;
    });
    expect(secondUses).toHaveLength(1);
    expect(await uses()).toHaveLength(2);
  });

  it('records making and revoking a token, by an Admin and by the CLI', async () => {
    const made = await createToken('recorded');
    await trpc(stack, 'mutation', 'readTokens.revoke', { tokenId: made.tokenId }, { cookie: admin.cookie });
    const viaCli = runCli(stack, ['token', 'create', '--tenant', tenant.tenantId, '--name', 'cli puller', '--expires-days', '7']);
    expect(viaCli.status, viaCli.stderr).toBe(0);
    expect(viaCli.json).toEqual({ tokenId: expect.any(String), token: expect.stringMatching(/^mrt_/), expiresAt: expect.any(String) });
    expect((await asToken(viaCli.json.token, 'query', 'events.list', { limit: 1 })).status).toBe(200);
    const listed = runCli(stack, ['token', 'list', '--tenant', tenant.tenantId]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(viaCli.json.token.slice(-43));
    expect(listed.json.items.find((t: any) => t.id === viaCli.json.tokenId)).toMatchObject({ name: 'cli puller', revokedAt: null });
    const revoked = runCli(stack, ['token', 'revoke', '--tenant', tenant.tenantId, '--token', viaCli.json.token]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.json.revokedAt).toEqual(expect.any(String));
    expect((await asToken(viaCli.json.token, 'query', 'events.list', { limit: 1 })).code).toBe('UNAUTHORIZED');
    // a token of another tenant cannot be revoked from this one
    const cross = runCli(stack, ['token', 'revoke', '--tenant', other.tenantId, '--token', viaCli.json.tokenId]);
    expect(cross.status).toBe(1);
    expect(runCli(stack, ['token', 'create', '--tenant', tenant.tenantId, '--name', 'long', '--expires-days', '400']).status).not.toBe(0);

    const changes = await eventually(async () => {
      const r = await trpc(stack, 'query', 'events.list', { actions: ['READ_TOKEN_CREATED', 'READ_TOKEN_REVOKED'] }, { cookie: admin.cookie });
      const mine = r.data.items.filter((e: any) => e.entity?.id === made.tokenId || e.entity?.id === viaCli.json.tokenId);
      return mine.length === 4 ? mine : undefined;
    });
    const of = (action: string, id: string) => changes.find((e: any) => e.action === action && e.entity.id === id);
    expect(of('READ_TOKEN_CREATED', made.tokenId).actor).toMatchObject({ type: 'USER', name: 'Ada Admin' });
    expect(of('READ_TOKEN_REVOKED', made.tokenId).entity.label).toBe('recorded');
    expect(of('READ_TOKEN_CREATED', viaCli.json.tokenId).actor.id).toMatch(/^operator:/);
    expect(of('READ_TOKEN_REVOKED', viaCli.json.tokenId)).toBeDefined();
  });
});
