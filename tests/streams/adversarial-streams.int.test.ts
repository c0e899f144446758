import { deliverStream, listStreams, streamSettings, testStream } from '@modula/domain';
import { startStreamWorker, type TStreamWorker } from '@modula/worker';
import { pino } from 'pino';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startReceiver, type TReceiver } from '../../testing/receivers.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * What a tenant's Admin (or a receiver the Admin points a stream at) sends that the README says
 * the service copes with: bad input to streams.* is a 400 with its issue, never a 500; a receiver's
 * refusal, whatever its body, is a counted failure with its error kept, and the stream pauses
 * itself after N of them with STREAM_PAUSED_BY_FAILURES in the log.
 */
const PAUSE_AFTER = 2;
let stack: TestStack;
const receivers: TReceiver[] = [];

beforeAll(async () => {
  stack = await startStack({
    env: {
      ...VIEWER_ENV,
      STREAM_ALLOW_HTTP: 'true',
      STREAM_ALLOW_PRIVATE_ADDRESSES: 'true',
      STREAM_POLL_MS: '200',
      STREAM_BACKOFF_MS: '50',
      STREAM_BACKOFF_MAX_MS: '100',
      STREAM_PAUSE_AFTER_FAILURES: String(PAUSE_AFTER),
      STREAM_TIMEOUT_MS: '2000',
    },
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await stack?.close();
});

async function receiver(answer?: TReceiver['answer']) {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

const noPause = { budgetMs: 5_000, onPaused: async () => undefined };

describe('streams.create: text PostgreSQL cannot store', () => {
  it.each([
    ['a name with NUL', { name: 'SIEM\u0000hook', target: { kind: 'WEBHOOK', url: 'https://siem.example.com' } }, ['name'], /NUL/],
    ['a name with a lone surrogate', { name: 'SIEM \ud800', target: { kind: 'WEBHOOK', url: 'https://siem.example.com' } }, ['name'], /well-formed/],
    [
      'a Splunk index with NUL',
      { name: 'Splunk', target: { kind: 'SPLUNK', url: 'https://splunk.example.com:8088', index: 'main\u0000' }, secret: 'hec-token-123' },
      ['target', 'index'],
      /NUL/,
    ],
    [
      'Datadog tags with a lone surrogate',
      { name: 'Datadog', target: { kind: 'DATADOG', tags: 'env:\udc00' }, secret: 'dd-api-key-123' },
      ['target', 'tags'],
      /well-formed/,
    ],
    [
      'an S3 prefix with NUL',
      { name: 'Bucket', target: { kind: 'S3', bucket: 'audit', accessKeyId: 'AKIA1', prefix: 'a\u0000/' }, secret: 's3-secret-key-123' },
      ['target', 'prefix'],
      /NUL/,
    ],
  ])('%s is BAD_REQUEST on that field, and no stream is made', async (_what, input, path, message) => {
    const { tenantId } = await stack.createTenant('Bad text');
    const { cookie } = await signedInAdmin(stack, tenantId);
    const res = await trpc(stack, 'mutation', 'streams.create', input, { cookie });
    expect({ status: res.status, code: res.code }, JSON.stringify(res.body)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(res.body.error.data.issues).toContainEqual({ path, message: expect.stringMatching(message) });
    expect((await trpc(stack, 'query', 'streams.list', undefined, { cookie })).data.items).toEqual([]);
  });

  it('a URL ending in a NUL (which the URL parser drops, but the row would keep) is BAD_REQUEST on target.url', async () => {
    const { tenantId } = await stack.createTenant('NUL url');
    const { cookie } = await signedInAdmin(stack, tenantId);
    const res = await trpc(
      stack,
      'mutation',
      'streams.create',
      { name: 'hook', target: { kind: 'WEBHOOK', url: 'https://siem.example.com\u0000' } },
      { cookie },
    );
    expect({ status: res.status, code: res.code }, JSON.stringify(res.body)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(res.body.error.data.issues).toContainEqual({ path: ['target', 'url'], message: expect.stringMatching(/NUL/) });
  });

  it('streams.update with a name holding NUL is BAD_REQUEST, and the stream is unchanged', async () => {
    const { tenantId } = await stack.createTenant('NUL rename');
    const { cookie } = await signedInAdmin(stack, tenantId);
    const created = await trpc(stack, 'mutation', 'streams.create', { name: 'hook', target: { kind: 'WEBHOOK', url: 'https://siem.example.com' } }, { cookie });
    const res = await trpc(stack, 'mutation', 'streams.update', { id: created.data.stream.id, name: 'ho\u0000ok' }, { cookie });
    expect({ status: res.status, code: res.code }, JSON.stringify(res.body)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect((await trpc(stack, 'query', 'streams.list', undefined, { cookie })).data.items.map((s: { name: string }) => s.name)).toEqual(['hook']);
  });

  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'data:text/plain,hi', `https://siem.example.com/${'a'.repeat(5000)}`])(
    'an unusable URL %s is BAD_REQUEST',
    async (url) => {
      const { tenantId } = await stack.createTenant('Bad url');
      const { cookie } = await signedInAdmin(stack, tenantId);
      const res = await trpc(stack, 'mutation', 'streams.create', { name: 'hook', target: { kind: 'WEBHOOK', url } }, { cookie });
      expect({ status: res.status, code: res.code }, JSON.stringify(res.body)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    },
  );
});

describe("a receiver's refusal whose body PostgreSQL cannot store as sent", () => {
  it('with a NUL in its body is a counted failure with its error, and backs off', async () => {
    const { tenantId } = await stack.createTenant('NUL answer');
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    const hook = await receiver(() => ({ status: 502, body: 'bad\u0000gateway' }));
    const { cookie } = await signedInAdmin(stack, tenantId);
    const created = await trpc(stack, 'mutation', 'streams.create', { name: 'hook', target: { kind: 'WEBHOOK', url: hook.url } }, { cookie });
    const settings = streamSettings(stack.config);
    const result = await deliverStream(stack.services.orm, settings, tenantId, created.data.stream.id, noPause);
    expect(result).toMatchObject({ outcome: 'failed', delivered: 0 });
    const [stream] = await listStreams(stack.services.orm, tenantId);
    expect(stream).toMatchObject({ consecutiveFailures: 1, lastError: expect.stringContaining('502') });
    expect(stream!.nextAttemptAt).not.toBeNull();
  });

  it('cut inside a character at 200 still pauses the stream with STREAM_PAUSED_BY_FAILURES in the log', async () => {
    let worker: TStreamWorker | undefined;
    try {
      const { tenantId } = await stack.createTenant('Emoji answer');
      await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
      // 199 characters, then an emoji (two UTF-16 units) across the 200th
      const hook = await receiver(() => ({ status: 503, body: `${'x'.repeat(199)}\u{1F525} overloaded` }));
      const { cookie } = await signedInAdmin(stack, tenantId);
      await trpc(stack, 'mutation', 'streams.create', { name: 'hook', target: { kind: 'WEBHOOK', url: hook.url } }, { cookie });
      worker = await startStreamWorker(stack.config, stack.services.orm, pino({ level: 'silent' }));
      await eventually(async () => ((await listStreams(stack.services.orm, tenantId))[0]?.status === 'PAUSED' ? true : undefined), 30_000);
      const recorded = await eventually(async () => {
        const rows = await queryRows<{ metadata: { lastError: string } }>(
          stack.databaseSuperuserUrl,
          "select metadata from audit_events where tenant_id = $1 and action = 'STREAM_PAUSED_BY_FAILURES'",
          [tenantId],
        );
        return rows.length > 0 ? rows : undefined;
      }, 10_000).catch(() => []);
      expect(recorded, 'STREAM_PAUSED_BY_FAILURES stored').toHaveLength(1);
      expect(recorded[0]!.metadata.lastError).toContain('503');
    } finally {
      await worker?.close();
    }
  }, 60_000);
});

describe('STREAM_TIMEOUT_MS bounds one delivery, whatever the kind', () => {
  it('an S3 endpoint that answers one byte at a time is a failure within the limit, not a worker slot held for ever', async () => {
    // answers every request with a status line, then a header byte every 300 ms: never idle, never done
    const sockets = new Set<import('node:net').Socket>();
    const slow: Server = createServer((_req, res) => {
      const socket = res.socket!;
      sockets.add(socket);
      socket.write('HTTP/1.1 200 OK\r\nx-slow: ');
      const tick = setInterval(() => socket.write('a'), 300);
      socket.on('close', () => clearInterval(tick));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const { tenantId } = await stack.createTenant('Slow S3');
      const { cookie } = await signedInAdmin(stack, tenantId);
      const endpoint = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const created = await trpc(
        stack,
        'mutation',
        'streams.create',
        { name: 'bucket', target: { kind: 'S3', bucket: 'audit', accessKeyId: 'AKIASLOW', endpoint, forcePathStyle: true }, secret: 's3-secret-key-123' },
        { cookie },
      );
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const settings = streamSettings(stack.config); // STREAM_TIMEOUT_MS = 2000
      const started = Date.now();
      const outcome = await Promise.race([
        testStream(stack.services.orm, settings, tenantId, created.data.stream.id),
        new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 8_000)),
      ]);
      expect(outcome, 'streams.test after 8 s').not.toBe('still waiting');
      expect(outcome).toMatchObject({ ok: false });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  }, 30_000);
});

describe("a receiver that echoes the request's credential in its refusal", () => {
  it.each([
    ['SPLUNK', 'authorization', { kind: 'SPLUNK', url: '' }],
    ['DATADOG', 'dd-api-key', { kind: 'DATADOG', url: '' }],
  ] as const)('%s: the credential is in no lastError, streams.test answer or record', async (_kind, header, shape) => {
    const { tenantId } = await stack.createTenant('Echoing receiver');
    await ingestStored(stack, tenantId, [makeEvent(tenantId)]);
    // a debugging proxy or a misconfigured intake: answers 401 with the headers it was sent
    const echo = await receiver((req) => ({ status: 401, body: JSON.stringify({ error: 'unauthorized', got: req.headers[header] }) }));
    const token = 'tok-4f9a1c2e8b7d6a5f3e2d1c0b';
    const { cookie } = await signedInAdmin(stack, tenantId);
    const created = await trpc(stack, 'mutation', 'streams.create', { name: 'siem', target: { ...shape, url: echo.url }, secret: token }, { cookie });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const tested = await trpc(stack, 'mutation', 'streams.test', { id: created.data.stream.id }, { cookie });
    expect(tested.data).toMatchObject({ ok: false, status: 401 });
    expect(JSON.stringify(tested.data)).not.toContain(token);
    const pausing = { ...streamSettings(stack.config), pauseAfterFailures: 1 };
    const paused: string[] = [];
    await deliverStream(stack.services.orm, pausing, tenantId, created.data.stream.id, {
      budgetMs: 5_000,
      onPaused: async (p) => void paused.push(p.lastError),
    });
    expect(echo.requests.at(-1)!.headers[header]).toContain(token); // the receiver did get it, and sent it back
    const listed = await trpc(stack, 'query', 'streams.list', undefined, { cookie });
    expect(listed.data.items[0].lastError).toContain('401');
    expect(JSON.stringify(listed.data)).not.toContain(token);
    expect(paused).toHaveLength(1);
    expect(paused[0]).not.toContain(token);
  });
});
