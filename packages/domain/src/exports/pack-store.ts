import type { Readable, Writable } from 'node:stream';

/** Where a READY pack's bytes are kept (`exports.store`); null in a row: a file in the building host's DATA_DIR (before issue 14). */
export type TPackStoreKind = 'database' | 's3';

/** A copy of a pack in a store, as `exports` records it. */
export interface TPackLocation {
  store: TPackStoreKind;
  /** database: the copy's chunks in `export_pack_chunks`. */
  blobId: string | null;
  /** s3: the object's key in the bucket. */
  objectKey: string | null;
}

/** One copy being written: bytes go to `sink`; its `end()` completes the copy; `abort()` removes what was written. */
export interface TPackUpload {
  sink: Writable;
  location: TPackLocation;
  abort(): Promise<void>;
}

/**
 * A store every server and worker of an installation reaches, so that a pack built by one worker
 * downloads from any server: the database (the embedded default) or an S3-compatible bucket.
 * Packs are written and read as streams, never held whole in memory.
 */
export interface TPackStore {
  readonly kind: TPackStoreKind;
  upload(tenantId: string, exportId: string, fileName: string): TPackUpload;
  /** The copy's bytes, streamed; `bytes` is its recorded size (a shorter copy fails the stream). */
  open(tenantId: string, exportId: string, location: TPackLocation, bytes: number): Promise<Readable>;
  remove(tenantId: string, exportId: string, location: TPackLocation): Promise<void>;
}
