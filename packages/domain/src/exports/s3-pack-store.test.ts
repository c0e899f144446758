import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { S3_PART_BYTES, s3PackStore, type TS3Client } from './s3-pack-store.ts';

/**
 * The S3 store's own logic — parts, their order, the small-pack path, abort — against a client that
 * records the commands it is sent. No S3-compatible server installs on these machines, so this is
 * not a test against a bucket: what a real S3 says back (ETags, errors) is not exercised here.
 */
function recorder() {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const client: TS3Client = {
    async send(command: object) {
      const c = command as { constructor: { name: string }; input: Record<string, unknown> };
      sent.push({ name: c.constructor.name, input: c.input });
      if (c.constructor.name === 'CreateMultipartUploadCommand') return { UploadId: 'up-1' };
      if (c.constructor.name === 'UploadPartCommand') return { ETag: `"etag-${c.input.PartNumber}"` };
      if (c.constructor.name === 'GetObjectCommand') return { Body: Readable.from([Buffer.from('pack bytes')]) };
      return {};
    },
  };
  return { sent, client };
}

const settings = { bucket: 'audit-packs', prefix: 'modula-audit/', region: 'us-east-1', forcePathStyle: true };
const TENANT = '0190a5e0-0000-7000-8000-000000000001';

async function write(bytes: number, client: TS3Client) {
  const upload = s3PackStore(settings, client).upload(TENANT, 'e1', 'modula-audit-e1.csv');
  // 64 KiB writes, as the pack writers send them
  const chunks = Array.from({ length: Math.ceil(bytes / 65536) }, (_, i) => Buffer.alloc(Math.min(65536, bytes - i * 65536), i % 251));
  await pipeline(Readable.from(chunks), upload.sink);
  return upload;
}

describe('S3 pack store (code only, against a recording client)', () => {
  it('uploads a large pack in parts of 8 MiB, in order, and completes it with their ETags', async () => {
    const { sent, client } = recorder();
    const upload = await write(2 * S3_PART_BYTES + 1234, client);
    expect(upload.location).toEqual({
      store: 's3',
      blobId: null,
      objectKey: expect.stringMatching(new RegExp(`^modula-audit/${TENANT}/[0-9a-f-]{36}/modula-audit-e1\\.csv$`)),
    });
    // each attempt its own key: a losing attempt's abort never touches the winner's object
    expect(s3PackStore(settings, client).upload(TENANT, 'e1', 'modula-audit-e1.csv').location.objectKey).not.toBe(upload.location.objectKey);
    expect(sent.map((s) => s.name)).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    const parts = sent.filter((s) => s.name === 'UploadPartCommand');
    expect(parts.map((p) => [p.input.PartNumber, (p.input.Body as Buffer).length])).toEqual([
      [1, S3_PART_BYTES],
      [2, S3_PART_BYTES],
      [3, 1234],
    ]);
    expect(sent.at(-1)!.input).toMatchObject({
      Bucket: 'audit-packs',
      UploadId: 'up-1',
      MultipartUpload: { Parts: [1, 2, 3].map((n) => ({ PartNumber: n, ETag: `"etag-${n}"` })) },
    });
  });

  it('puts a pack smaller than a part in one request, and reads and removes by key', async () => {
    const { sent, client } = recorder();
    const upload = await write(100_000, client);
    expect(sent.map((s) => s.name)).toEqual(['PutObjectCommand']);
    expect((sent[0]!.input.Body as Buffer).length).toBe(100_000);
    const store = s3PackStore(settings, client);
    const read = await store.open(TENANT, 'e1', upload.location, 10);
    expect(Buffer.concat(await read.toArray()).toString()).toBe('pack bytes');
    await store.remove(TENANT, 'e1', upload.location);
    expect(sent.at(-1)).toMatchObject({ name: 'DeleteObjectCommand', input: { Key: upload.location.objectKey } });
  });

  it('aborts a multipart upload cut short', async () => {
    const { sent, client } = recorder();
    const upload = s3PackStore(settings, client).upload(TENANT, 'e2', 'modula-audit-e2.pdf');
    await new Promise<void>((done, fail) => upload.sink.write(Buffer.alloc(S3_PART_BYTES), (err) => (err ? fail(err) : done())));
    await upload.abort();
    expect(sent.map((s) => s.name)).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'AbortMultipartUploadCommand', 'DeleteObjectCommand']);
  });
});
