import { z } from 'zod';
import { ZAcceptedEvent, ZProvenance } from './ingest.ts';
import { ZCheckpointJob, ZExportJob, ZExportMailJob, ZExportRetentionJob, ZRetentionJob } from './integrity.ts';
import { ZStreamDeliverJob, ZStreamSweepJob } from './streams.ts';
import { ZAlertChainBrokenJob, ZAlertDeliverJob, ZAlertEvaluateJob, ZAlertSweepJob } from './alerts.ts';

/**
 * The typed job registry (`JOBS` below): job name → queue → versioned payload schema → retry policy.
 * The producer builds a payload of this type and the worker re-parses it with the same schema.
 */
export const ZIngestJob = z.strictObject({
  v: z.literal(1),
  tenantId: z.uuid(),
  /** When the server accepted the events (their `receivedAt`). */
  receivedAt: z.iso.datetime(),
  events: z.array(ZAcceptedEvent).min(1),
  /** How many times these events have already waited for an unknown branch to appear. */
  branchWaits: z.number().int().min(0).default(0),
  /**
   * The tenant's acknowledgement ticket: the job is judged after every lower ticket of its tenant.
   * Absent for events handed on to wait for their branch, and in jobs queued before tickets existed.
   */
  ticket: z.number().int().positive().optional(),
  /** Who sent every event of the job (jobs are never shared by two senders). Absent in jobs queued before provenance was kept. */
  provenance: ZProvenance.optional(),
});
export type TIngestJob = z.infer<typeof ZIngestJob>;
export type TIngestJobInput = z.input<typeof ZIngestJob>;

/**
 * What the worker reads first: the envelope, with each event still unread. Events are parsed one by
 * one so that one this version cannot read is quarantined alone instead of failing its whole job.
 */
export const ZIngestJobEnvelope = ZIngestJob.extend({ events: z.array(z.unknown()).min(1) });

/**
 * How a job is retried. `configured`: JOB_ATTEMPTS attempts, exponential backoff with full jitter
 * from JOB_BACKOFF_MS up to JOB_BACKOFF_MAX_MS (the environment's policy, applied by the worker's job
 * runner); otherwise a fixed number of attempts with BullMQ's exponential backoff from `backoffMs`.
 */
export type TJobRetry = 'configured' | { attempts: number; backoffMs: number };

export interface TJobDefinition {
  queue: string;
  /** The BullMQ job name, which the worker dispatches on. */
  name: string;
  /** The payload's `v`: a job of another version is refused, not guessed at. */
  version: number;
  /** What the producer writes. */
  schema: z.ZodType;
  /** What the worker parses first, when it reads the rest of the payload itself (default: `schema`). */
  envelope?: z.ZodType;
  retry: TJobRetry;
}

export const JOBS = {
  // acknowledged events are retried until stored: an exhausted job stays failed for an operator to re-drive
  ingest: { queue: 'audit-ingest', name: 'ingest-batch', version: 1, schema: ZIngestJob, envelope: ZIngestJobEnvelope, retry: 'configured' },
  export: { queue: 'audit-exports', name: 'export-pack', version: 1, schema: ZExportJob, retry: { attempts: 5, backoffMs: 2000 } },
  exportRetention: { queue: 'audit-exports', name: 'export-retention', version: 1, schema: ZExportRetentionJob, retry: { attempts: 3, backoffMs: 5000 } },
  // a mail server that is down for a while: 8 attempts from 30 s apart, doubling (about two hours); the pack stays READY whatever happens
  exportMail: { queue: 'audit-exports', name: 'export-mail', version: 1, schema: ZExportMailJob, retry: { attempts: 8, backoffMs: 30_000 } },
  checkpoint: { queue: 'audit-checkpoints', name: 'checkpoint', version: 1, schema: ZCheckpointJob, retry: { attempts: 5, backoffMs: 5000 } },
  // expiry archives before it removes: a failed run removed nothing, and the next one starts over
  retention: { queue: 'audit-checkpoints', name: 'retention', version: 1, schema: ZRetentionJob, retry: { attempts: 3, backoffMs: 60_000 } },
  // log streams: delivery failures are counted and backed off in PostgreSQL (the destination's row), not by BullMQ's retries
  streamSweep: { queue: 'audit-streams', name: 'stream-sweep', version: 1, schema: ZStreamSweepJob, retry: { attempts: 1, backoffMs: 1000 } },
  streamDeliver: { queue: 'audit-streams', name: 'stream-deliver', version: 1, schema: ZStreamDeliverJob, retry: { attempts: 1, backoffMs: 1000 } },
  // alerts: evaluation keeps its cursor in PostgreSQL, so a failed run is simply the next one's work;
  // a delivery is retried with backoff (8 attempts over about 20 minutes) and its state kept on the alert
  alertEvaluate: { queue: 'audit-alerts', name: 'alert-evaluate', version: 1, schema: ZAlertEvaluateJob, retry: { attempts: 3, backoffMs: 2000 } },
  alertSweep: { queue: 'audit-alerts', name: 'alert-sweep', version: 1, schema: ZAlertSweepJob, retry: { attempts: 1, backoffMs: 1000 } },
  alertDeliver: { queue: 'audit-alerts', name: 'alert-deliver', version: 1, schema: ZAlertDeliverJob, retry: { attempts: 8, backoffMs: 10_000 } },
  alertChainBroken: { queue: 'audit-alerts', name: 'alert-chain-broken', version: 1, schema: ZAlertChainBrokenJob, retry: { attempts: 5, backoffMs: 2000 } },
} as const satisfies Record<string, TJobDefinition>;
export type TJobKey = keyof typeof JOBS;
export type TQueueName = (typeof JOBS)[TJobKey]['queue'];
