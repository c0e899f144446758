/** Limits of what ingestion accepts. Documented in the README; changing one is a contract change. */
export const LIMITS = {
  batchMinEvents: 1,
  batchMaxEvents: 1000,
  /** Whole request body of `ingest.batch` (HTTP 413 above it). */
  batchMaxBytes: 5 * 1024 * 1024,
  /** One event, serialized as JSON (UTF-8 bytes). */
  eventMaxBytes: 64 * 1024,
  /** Nesting depth of before / after / metadata (the object itself is depth 1). */
  jsonMaxDepth: 8,
  jsonMaxKeys: 256,
  jsonMaxArrayItems: 1000,
  jsonMaxStringLength: 8192,
  jsonMaxKeyLength: 128,
  idMaxLength: 128,
  nameMaxLength: 256,
  /** How far `occurredAt` may lie ahead of the service's clock (device clocks drift). */
  maxClockSkewMs: 5 * 60 * 1000,
  statusMaxEventIds: 1000,
} as const;
