import { z } from 'zod';
import { ZAuditEventView } from './read.ts';
import { stringProblem, ZUuid } from './safe-values.ts';

/**
 * Log streams (issue 16, item 2): a tenant's destinations, each receiving every stored event of the
 * tenant in `seq` order, at least once. Shared by the server, the worker, the CLI and the viewer.
 */
export const STREAM_KINDS = ['WEBHOOK', 'SPLUNK', 'DATADOG', 'S3'] as const;
export const ZStreamKind = z.enum(STREAM_KINDS);
export type TStreamKind = z.infer<typeof ZStreamKind>;

export const ZStreamStatus = z.enum(['ACTIVE', 'PAUSED']);
/** ADMIN: an Admin or operator paused it; FAILURES: it paused itself after repeated failed deliveries. */
export const ZStreamPausedReason = z.enum(['ADMIN', 'FAILURES']);

/** The signature header of webhook deliveries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Modula-Signature';
/** How old a signed delivery a receiver should still accept (what the README's verifier uses). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
export const DATADOG_DEFAULT_URL = 'https://http-intake.logs.datadoghq.com';

/** Text PostgreSQL keeps as sent (no NUL, no lone surrogate): stored in settings or sealed, and written into the STREAM_* records. */
function storable<T extends z.ZodType<string>>(schema: T): T {
  return schema.superRefine((value, ctx) => {
    const problem = stringProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }) as T;
}
const ZText = (max: number) => storable(z.string().min(1).max(max));
const ZName = storable(z.string().trim().min(1).max(80));
const ZUrl = storable(z.url({ protocol: /^https?$/, error: 'must be an https:// URL (http:// only where the installation allows it)' }).max(2000));
const ZToken = storable(z.string().min(8).max(4096));

/** What is kept in the clear (shown to Admins): never a credential. */
export const ZWebhookTarget = z.strictObject({ kind: z.literal('WEBHOOK'), url: ZUrl });
export const ZSplunkTarget = z.strictObject({
  kind: z.literal('SPLUNK'),
  /** The HEC base URL, e.g. https://splunk.example.com:8088 (events go to /services/collector/event). */
  url: ZUrl,
  source: ZText(200).default('modula-audit'),
  sourcetype: ZText(200).default('modula:audit'),
  index: ZText(200).optional(),
});
export const ZDatadogTarget = z.strictObject({
  kind: z.literal('DATADOG'),
  /** The logs intake of the Datadog site, e.g. https://http-intake.logs.datadoghq.eu (logs go to /api/v2/logs). */
  url: ZUrl.default(DATADOG_DEFAULT_URL),
  service: ZText(100).default('modula-audit'),
  /** Extra tags, `key:value,key:value` (the tenant's is always added). */
  tags: storable(z.string().max(1000)).optional(),
});
export const ZS3Target = z.strictObject({
  kind: z.literal('S3'),
  bucket: storable(z.string().min(3).max(63)),
  region: ZText(64).default('us-east-1'),
  /** Key prefix; objects are `<prefix><tenantId>/<destinationId>/<firstSeq>-<lastSeq>.ndjson`. */
  prefix: storable(z.string().max(500)).default('modula-audit/'),
  /** An S3-compatible endpoint (MinIO, R2, Ceph…); unset: AWS. */
  endpoint: ZUrl.optional(),
  forcePathStyle: z.boolean().default(false),
  accessKeyId: ZText(200),
});
export const ZStreamTarget = z.discriminatedUnion('kind', [ZWebhookTarget, ZSplunkTarget, ZDatadogTarget, ZS3Target]);
export type TStreamTarget = z.infer<typeof ZStreamTarget>;
export type TStreamTargetInput = z.input<typeof ZStreamTarget>;

/**
 * The credential of a destination, written by an Admin and never read back: the webhook's signing
 * secret (generated when not given), Splunk's HEC token, Datadog's API key, S3's secret access key.
 */
export const ZStreamSecret = ZToken;

export const ZStreamCreateInput = z.strictObject({
  name: ZName,
  target: ZStreamTarget,
  /** Required but for WEBHOOK (a signing secret is generated and shown once when absent). */
  secret: ZStreamSecret.optional(),
});
export type TStreamCreateInput = z.infer<typeof ZStreamCreateInput>;

export const ZStreamIdInput = z.strictObject({ id: ZUuid });
export const ZStreamUpdateInput = z.strictObject({
  id: ZUuid,
  name: ZName.optional(),
  /** A new target of the same kind; its credential stays unless `secret` (or `rotateSecret`) says otherwise. */
  target: ZStreamTarget.optional(),
  secret: ZStreamSecret.optional(),
  /** WEBHOOK: a new signing secret is generated and shown once. */
  rotateSecret: z.boolean().optional(),
  /**
   * The stream's `updatedAt` as the editor read it: the change is refused (PRECONDITION_FAILED) when
   * the stream has changed since, so one Admin's edit does not silently undo another's. Absent: no check.
   */
  expectedUpdatedAt: z.iso.datetime().optional(),
});
export type TStreamUpdateInput = z.infer<typeof ZStreamUpdateInput>;

export const ZStreamView = z.object({
  id: z.uuid(),
  name: z.string(),
  target: ZStreamTarget,
  status: ZStreamStatus,
  pausedReason: ZStreamPausedReason.nullable(),
  /** The last `seq` delivered (0: none yet). */
  cursorSeq: z.number().int(),
  /** The tenant's newest stored `seq`. */
  headSeq: z.number().int(),
  lagEvents: z.number().int(),
  /** How long the oldest undelivered event has been stored (0 when nothing waits). */
  lagSeconds: z.number(),
  lastDeliveryAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.iso.datetime().nullable(),
  consecutiveFailures: z.number().int(),
  nextAttemptAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TStreamView = z.infer<typeof ZStreamView>;

export const ZStreamsListOutput = z.object({ items: z.array(ZStreamView) });
/** `signingSecret`: the webhook's generated secret, shown this once only. */
export const ZStreamChangeOutput = z.object({ stream: ZStreamView, signingSecret: z.string().optional() });
export type TStreamChangeOutput = z.infer<typeof ZStreamChangeOutput>;
export const ZStreamDeleteOutput = z.object({ deleted: z.literal(true) });
export const ZStreamTestOutput = z.object({
  ok: z.boolean(),
  /** The receiver's HTTP status, when it answered. */
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  ms: z.number(),
});
export type TStreamTestOutput = z.infer<typeof ZStreamTestOutput>;

/**
 * The body of a webhook delivery: a batch of consecutive stored events of one tenant in `seq` order
 * (`firstSeq`..`lastSeq`; a gap means events removed by retention). `test: true` marks streams.test.
 */
export const ZStreamBatch = z.object({
  tenantId: z.uuid(),
  destinationId: z.uuid(),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  events: z.array(ZAuditEventView),
  test: z.boolean().optional(),
});
export type TStreamBatch = z.infer<typeof ZStreamBatch>;

/** The scheduled sweep on `audit-streams` (every STREAM_POLL_MS): a deliver job for each destination with events waiting. */
export const ZStreamSweepJob = z.strictObject({ v: z.literal(1) });
/** One destination's delivery loop: it delivers batches until it is caught up (or its time is up). */
export const ZStreamDeliverJob = z.strictObject({ v: z.literal(1), tenantId: z.uuid(), destinationId: z.uuid() });
export type TStreamDeliverJob = z.infer<typeof ZStreamDeliverJob>;
