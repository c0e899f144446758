import type { TAuditEventInput } from '@modula/contracts';
import type { TBackoffPolicy } from './backoff.ts';
import type { TBatchLimits } from './batches.ts';
import type { TOutboxStore } from './outbox-store.ts';

type TContextInput = Omit<NonNullable<TAuditEventInput['context']>, 'deviceId' | 'deviceSeq'>;

/**
 * What the app passes to `record()`: an audit event without the parts the outbox gives it.
 * `eventId` (UUIDv7), `occurredAt` (now, on the device clock corrected by the measured offset)
 * and `tenantId` (the outbox's) are filled in when absent; `context.deviceId` and
 * `context.deviceSeq` are always the outbox's own.
 */
export type TRecordInput = Omit<TAuditEventInput, 'eventId' | 'occurredAt' | 'tenantId' | 'context'> & {
  eventId?: string;
  /** When given, kept as is (not corrected): the app says when the action happened. */
  occurredAt?: string;
  tenantId?: string;
  context?: TContextInput;
};

/** What one sync (a background one or `flush()`) did. */
export type TSyncReport =
  | {
      ok: true;
      /** Events the service acknowledged (durably queued) and that left the outbox. */
      accepted: number;
      /** Events the service refused; they are now in `deadLetters()`. */
      rejected: number;
      /** Events still in the outbox (recorded while this sync ran). */
      pending: number;
      /** The device clock's offset measured at this sync (service − device, ms). */
      offsetMs: number;
      rttMs: number;
    }
  | {
      ok: false;
      error: Error;
      pending: number;
      /** When the background sender tries again (ms), or null once the outbox is closed. */
      retryInMs: number | null;
    };

/** Whether the service answered the last time the outbox tried to reach it. */
export type TReachability = 'unknown' | 'online' | 'offline';

export interface TAuditOutboxOptions {
  /** The service's origin, e.g. `https://audit.example.com` (`http://` only to this machine, unless `allowInsecureHttp`). */
  url: string;
  /** Send the API key over plain `http://` to another host (see `createAuditClient`). Default false. */
  allowInsecureHttp?: boolean;
  /** The tenant's API key. */
  apiKey: string;
  /** The API key's tenant: the default `tenantId` of recorded events. */
  tenantId: string;
  /** Durable storage: a directory for the Node journal (`dir/outbox.jsonl`) … */
  dir?: string;
  /** … or a store of your own (IndexedDB in a browser, memory in a test). One of the two is required. */
  store?: TOutboxStore;
  /**
   * This device's id (`context.deviceId`), e.g. `till-7`. Default: the id kept in the store, or a
   * new UUIDv7 on first use. An existing store refuses another id (its counter belongs to its device).
   */
  deviceId?: string;
  /** Called after every sync attempt, background or `flush()`. Exceptions it throws are ignored. */
  onSync?: (report: TSyncReport) => void;
  /** Waits between failed syncs (full jitter). Default: base 500 ms, cap 5 min. */
  backoff?: Partial<TBackoffPolicy>;
  /** Background sync (and clock measurement) period when nothing fails. Default 60 s. */
  syncIntervalMs?: number;
  /** How soon after `record()` the background sender sends, to gather a batch. Default 50 ms. */
  flushDelayMs?: number;
  /**
   * Offsets up to this size (ms) are measurement noise, not a wrong clock: occurredAt is left as
   * the device saw it. Larger ones are corrected. Default 1000 (0 corrects every offset).
   */
  clockToleranceMs?: number;
  /** Per request. Default 30 s. */
  requestTimeoutMs?: number;
  /** How long `open()` waits for the first contact (to know whether the device is offline). Default 2 s. */
  startupProbeMs?: number;
  /** Default: what `ingest.batch` takes (1000 events, 5 MiB). */
  batch?: Partial<TBatchLimits>;
  /** Compact the journal after this many records. Default 1000. */
  compactEvery?: number;
  /** Send in the background (default). `false`: only `flush()` sends. */
  autoSync?: boolean;
  /** The device clock in ms since the epoch. Default `Date.now`; tests pass a clock that runs ahead. */
  clock?: () => number;
  fetch?: typeof fetch;
}
