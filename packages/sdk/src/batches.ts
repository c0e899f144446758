import { LIMITS } from '@modula/contracts';

/** Bytes of `{"events":[…]}` around the events and the commas between them. */
const ENVELOPE_BYTES = '{"events":[]}'.length;

export interface TBatchLimits {
  maxEvents: number;
  maxBytes: number;
}

/** What `ingest.batch` takes in one request (README, Limits). */
export const INGEST_BATCH_LIMITS: TBatchLimits = { maxEvents: LIMITS.batchMaxEvents, maxBytes: LIMITS.batchMaxBytes };

/**
 * Cuts `items` (kept in order) into batches of at most `maxEvents` items whose JSON request body
 * `{"events":[…]}` is at most `maxBytes` UTF-8 bytes. An item too large for any batch on its own
 * still gets a batch of its own: the service then refuses just that one, per event.
 */
export function splitBatches<T>(items: readonly T[], limits: TBatchLimits = INGEST_BATCH_LIMITS, sizeOf: (item: T) => number = jsonBytes): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const item of items) {
    const size = sizeOf(item) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && (current.length >= limits.maxEvents || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    bytes += current.length > 0 ? size : sizeOf(item);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `value` as JSON (TextEncoder, so it runs in browsers too). */
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}
