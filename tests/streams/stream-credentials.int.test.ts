import { randomBytes } from 'node:crypto';
import { createStream, deliverStream, listStreams, setStreamPaused, streamSettings, updateStream, type TPausedStream } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { startReceiver, type TReceiver } from '../../testing/receivers.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * A worker started with another SERVER_SECRET than the server that sealed a stream's credential
 * (the README's several-machines setup, before workers were told to share it) cannot open it. That
 * must be a failure the Admin sees — counted, its error kept, the stream paused after N — and not a
 * stall with "N events behind" and no error, retried forever. Nothing reaches the receiver.
 */
let stack: TestStack;
let receiver: TReceiver;

beforeAll(async () => {
  stack = await startStack({ env: { STREAM_ALLOW_HTTP: 'true', STREAM_ALLOW_PRIVATE_ADDRESSES: 'true' } });
  receiver = await startReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

describe("a stream's credential sealed under another server secret", () => {
  it('is a counted failure with its error, and pauses the stream after N; nothing is sent', async () => {
    const { tenantId } = await stack.createTenant('Other secret');
    await ingestStored(stack, tenantId, [makeEvent(tenantId), makeEvent(tenantId)]);
    const sealing = streamSettings(stack.config);
    // the domain's own create, as the server runs it (the router adds only the record of the change)
    const { stream } = await createStream(stack.services.orm, sealing, tenantId, { name: 'hook', target: { kind: 'WEBHOOK', url: `${receiver.url}/x` } });

    const otherWorker = { ...sealing, serverSecret: randomBytes(32), backoffMs: 10, backoffMaxMs: 10, pauseAfterFailures: 2 };
    const paused: TPausedStream[] = [];
    const options = { budgetMs: 5_000, onPaused: async (p: TPausedStream) => void paused.push(p) };

    const first = await deliverStream(stack.services.orm, otherWorker, tenantId, stream.id, options);
    expect(first).toMatchObject({ outcome: 'failed', delivered: 0, error: expect.stringContaining('SERVER_SECRET') });
    const [afterOne] = await listStreams(stack.services.orm, tenantId);
    expect(afterOne).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 1, cursorSeq: 0, lastError: expect.stringContaining('SERVER_SECRET') });
    expect(afterOne!.lastErrorAt).not.toBeNull();

    await new Promise((r) => setTimeout(r, 50)); // past the 10 ms backoff
    const second = await deliverStream(stack.services.orm, otherWorker, tenantId, stream.id, options);
    expect(second.outcome).toBe('paused');
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ id: stream.id, failures: 2, lastError: expect.stringContaining('SERVER_SECRET') });
    const [afterTwo] = await listStreams(stack.services.orm, tenantId);
    expect(afterTwo).toMatchObject({ status: 'PAUSED', pausedReason: 'FAILURES', consecutiveFailures: 2, cursorSeq: 0 });
    expect(receiver.requests).toHaveLength(0);

    // the right secret, once resumed, delivers from the cursor: nothing was skipped
    await setStreamPaused(stack.services.orm, tenantId, stream.id, false);
    const delivered = await deliverStream(stack.services.orm, sealing, tenantId, stream.id, options);
    expect(delivered).toMatchObject({ outcome: 'caught-up', delivered: 2, cursorSeq: 2 });
    expect(receiver.requests).toHaveLength(1);
  }, 60_000);
});

describe("an S3 stream's access key id", () => {
  it('changed without its secret key is refused (the kept secret signs for the old id only); with it, accepted', async () => {
    const { tenantId } = await stack.createTenant('S3 keys');
    const settings = streamSettings(stack.config);
    const target = {
      kind: 'S3' as const,
      bucket: 'audit',
      region: 'us-east-1',
      endpoint: `${receiver.url}/s3`,
      forcePathStyle: true,
      accessKeyId: 'AKIAOLD',
      prefix: 'logs/',
    };
    const { stream } = await createStream(stack.services.orm, settings, tenantId, { name: 'bucket', target, secret: 'old-secret-key' });
    await expect(updateStream(stack.services.orm, settings, tenantId, { id: stream.id, target: { ...target, accessKeyId: 'AKIANEW' } })).rejects.toThrow(
      'a new access key id needs its secret key',
    );
    expect((await listStreams(stack.services.orm, tenantId))[0]!.target).toMatchObject({ accessKeyId: 'AKIAOLD' });
    const changed = await updateStream(stack.services.orm, settings, tenantId, {
      id: stream.id,
      target: { ...target, accessKeyId: 'AKIANEW' },
      secret: 'new-secret-key',
    });
    expect(changed).toMatchObject({ credentialChanged: true, stream: { target: { accessKeyId: 'AKIANEW' } } });
    // the same id, another bucket: the secret is kept
    expect(
      (await updateStream(stack.services.orm, settings, tenantId, { id: stream.id, target: { ...target, accessKeyId: 'AKIANEW', bucket: 'audit-2' } }))
        .credentialChanged,
    ).toBe(false);
  });
});

/**
 * Two Admins open the same stream and both save: the second edit was made from a version that is no
 * longer current, and must be refused rather than silently undo the first (RFC 9110's If-Match).
 */
describe('an edit made from an older version of the stream', () => {
  it('is refused with PRECONDITION_FAILED and changes nothing; from the current version, or with none, it is made', async () => {
    const { tenantId } = await stack.createTenant('Two Admins');
    const settings = streamSettings(stack.config);
    const orm = stack.services.orm;
    const { stream } = await createStream(orm, settings, tenantId, { name: 'hook', target: { kind: 'WEBHOOK', url: `${receiver.url}/x` } });
    const opened = stream.updatedAt;
    await new Promise((r) => setTimeout(r, 5)); // the view's updatedAt is to the millisecond
    const first = await updateStream(orm, settings, tenantId, { id: stream.id, name: 'hook-a', expectedUpdatedAt: opened });
    expect(first.stream.name).toBe('hook-a');
    await expect(updateStream(orm, settings, tenantId, { id: stream.id, name: 'hook-b', expectedUpdatedAt: opened })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    expect((await listStreams(orm, tenantId))[0]).toMatchObject({ name: 'hook-a', updatedAt: first.stream.updatedAt });

    await new Promise((r) => setTimeout(r, 5));
    const second = await updateStream(orm, settings, tenantId, { id: stream.id, name: 'hook-b', expectedUpdatedAt: first.stream.updatedAt });
    expect(second.stream.name).toBe('hook-b');
    // a caller that sends no version (an older client, a script) is not checked
    expect((await updateStream(orm, settings, tenantId, { id: stream.id, name: 'hook-c' })).stream.name).toBe('hook-c');
  });

  it('two edits from the same version at the same moment: exactly one is made, the other refused', async () => {
    const { tenantId } = await stack.createTenant('Two Admins at once');
    const settings = streamSettings(stack.config);
    const orm = stack.services.orm;
    const { stream } = await createStream(orm, settings, tenantId, { name: 'hook', target: { kind: 'WEBHOOK', url: `${receiver.url}/x` } });
    await new Promise((r) => setTimeout(r, 5));
    const edits = await Promise.allSettled(
      ['left', 'right'].map((name) => updateStream(orm, settings, tenantId, { id: stream.id, name, expectedUpdatedAt: stream.updatedAt })),
    );
    const made = edits.filter((e) => e.status === 'fulfilled');
    const refused = edits.filter((e) => e.status === 'rejected');
    expect(made).toHaveLength(1);
    expect(refused.map((e) => (e as PromiseRejectedResult).reason.code)).toEqual(['PRECONDITION_FAILED']);
    expect((await listStreams(orm, tenantId))[0]!.name).toBe((made[0] as PromiseFulfilledResult<{ stream: { name: string } }>).value.stream.name);
  });
});
