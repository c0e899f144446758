import { z } from 'zod';
import { ZAcceptedEvent, ZProvenance } from './ingest.ts';
import { ZCheckpointJob, ZExportJob, ZExportRetentionJob } from './integrity.ts';

/**
 * The typed job registry: job name → queue → versioned payload schema. The producer builds a
 * payload of this type and the worker re-parses it with the same schema.
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

export const JOBS = {
  ingest: { queue: 'audit-ingest', name: 'ingest-batch', schema: ZIngestJob },
  export: { queue: 'audit-exports', name: 'export-pack', schema: ZExportJob },
  exportRetention: { queue: 'audit-exports', name: 'export-retention', schema: ZExportRetentionJob },
  checkpoint: { queue: 'audit-checkpoints', name: 'checkpoint', schema: ZCheckpointJob },
} as const;
