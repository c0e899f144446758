import type { TConfig } from '@modula/config';
import type { Orm } from '@modula/db';
import { databasePackStore } from './database-pack-store.ts';
import type { TPackStore, TPackStoreKind } from './pack-store.ts';
import { s3PackStore } from './s3-pack-store.ts';

/** The store new packs go to (EXPORT_STORE), and every store a recorded pack may be read from. */
export interface TPackStores {
  writeTo: TPackStore;
  of(kind: TPackStoreKind): TPackStore;
}

type TStoreSettings = Pick<
  TConfig,
  'EXPORT_STORE' | 'S3_BUCKET' | 'S3_PREFIX' | 'S3_REGION' | 'S3_ENDPOINT' | 'S3_FORCE_PATH_STYLE' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY'
>;

/**
 * The database store always exists (packs built before a switch to S3 stay readable); the S3 store
 * exists when a bucket is configured, and takes new packs when EXPORT_STORE=s3.
 */
export function packStoresOf(orm: Orm, config: TStoreSettings): TPackStores {
  const database = databasePackStore(orm);
  const s3 = config.S3_BUCKET
    ? s3PackStore({
        bucket: config.S3_BUCKET,
        prefix: config.S3_PREFIX,
        region: config.S3_REGION,
        endpoint: config.S3_ENDPOINT,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        credentials:
          config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
            ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
            : undefined,
      })
    : undefined;
  return {
    writeTo: config.EXPORT_STORE === 's3' && s3 ? s3 : database,
    of(kind) {
      if (kind === 'database') return database;
      if (!s3) throw new Error('this pack is in an S3 bucket, and no S3_BUCKET is configured here');
      return s3;
    },
  };
}
