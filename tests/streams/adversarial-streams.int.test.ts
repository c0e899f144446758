import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  await stack?.close();
});

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
