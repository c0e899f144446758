import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type { S3Client } from '@aws-sdk/client-s3';
import type { TPackStore, TPackUpload } from './pack-store.ts';

/** S3's smallest part but the last is 5 MiB; 8 MiB keeps a 1M-event CSV (~570 MB) at ~70 parts, far below the 10,000 allowed. */
export const S3_PART_BYTES = 8 * 1024 * 1024;

export interface TS3Settings {
  bucket: string;
  /** Key prefix inside the bucket, e.g. `modula-audit/` (keys are `<prefix><tenantId>/<copy id>/<file>`). */
  prefix: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2…); unset: AWS. */
  endpoint?: string | undefined;
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (environment, shared files, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** The part of S3Client this store calls (a test can hand in a recorder). */
export interface TS3Client {
  send(command: object): Promise<unknown>;
}

/** The SDK, loaded when a pack store on S3 is first made: it takes half a second to load, in every process that imports the domain. */
const sdk = () => createRequire(import.meta.url)('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');

export function createS3Client(s: TS3Settings): S3Client {
  const { S3Client } = sdk();
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    ...(s.credentials ? { credentials: s.credentials } : {}),
  });
}

/**
 * Packs in an S3-compatible bucket (EXPORT_STORE=s3): uploaded as they are written, in multipart
 * parts of 8 MiB (a pack under one part is one PutObject), read back as the object's stream. Only
 * the bytes go there: the signed manifest, the SHA-256 and the object's key stay in `exports`.
 */
export function s3PackStore(settings: TS3Settings, client: TS3Client = createS3Client(settings)): TPackStore {
  const Bucket = settings.bucket;
  const {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CreateMultipartUploadCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    PutObjectCommand,
    UploadPartCommand,
  } = sdk();
  return {
    kind: 's3',
    upload(tenantId, _exportId, fileName): TPackUpload {
      // one key per build attempt: an attempt that lost the race (another marked the export READY) removes its own object, never the winner's
      const Key = `${settings.prefix}${tenantId}/${randomUUID()}/${fileName}`;
      let uploadId: string | undefined;
      const parts: { ETag: string; PartNumber: number }[] = [];
      let buffered: Buffer[] = [];
      let size = 0;
      const sendPart = async (body: Buffer) => {
        uploadId ??= ((await client.send(new CreateMultipartUploadCommand({ Bucket, Key }))) as { UploadId?: string }).UploadId;
        if (!uploadId) throw new Error(`S3 gave no upload id for ${Key}`);
        const PartNumber = parts.length + 1;
        const answer = (await client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body }))) as { ETag?: string };
        if (!answer.ETag) throw new Error(`S3 gave no ETag for part ${PartNumber} of ${Key}`);
        parts.push({ ETag: answer.ETag, PartNumber });
      };
      const sink = new Writable({
        highWaterMark: S3_PART_BYTES,
        write(chunk: Buffer, _encoding, done) {
          buffered.push(Buffer.from(chunk)); // the writer reuses its buffer once this returns
          size += chunk.length;
          if (size < S3_PART_BYTES) return done();
          const body = Buffer.concat(buffered);
          buffered = [];
          size = 0;
          sendPart(body).then(() => done(), done);
        },
        final(done) {
          const rest = Buffer.concat(buffered);
          buffered = [];
          const finish = async () => {
            if (parts.length === 0 && uploadId === undefined) {
              await client.send(new PutObjectCommand({ Bucket, Key, Body: rest }));
              return;
            }
            if (rest.length > 0) await sendPart(rest);
            await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
          };
          finish().then(() => done(), done);
        },
      });
      return {
        sink,
        location: { store: 's3', blobId: null, objectKey: Key },
        async abort() {
          if (uploadId) await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => {});
          await client.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => {});
        },
      };
    },
    async open(_tenantId, exportId, location) {
      if (!location.objectKey) throw new Error(`export ${exportId} names no S3 object`);
      const answer = (await client.send(new GetObjectCommand({ Bucket, Key: location.objectKey }))) as { Body?: unknown };
      if (!(answer.Body instanceof Readable)) throw new Error(`S3 gave no readable body for ${location.objectKey}`);
      return answer.Body;
    },
    async remove(_tenantId, _exportId, location) {
      if (location.objectKey) await client.send(new DeleteObjectCommand({ Bucket, Key: location.objectKey }));
    },
  };
}
