import type { TConfig } from '@modula/config';
import { JOBS, SYSTEM_PROVENANCE } from '@modula/contracts';
import type { Orm } from '@modula/db';
import {
  AppError,
  buildExport,
  createMailer,
  expireExportFiles,
  judgeEvents,
  loadSigner,
  mailReadyExport,
  markExportFailed,
  packStoresOf,
  type TExportMailSettings,
  type TSigner,
} from '@modula/domain';
import { configuredRetry, ExportQueue, IngestQueue } from '@modula/queue';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { runJobs, workerConnection, type TJobPayload, type TJobRunner } from './job-runner.ts';
import { scheduleJob } from './job-schedule.ts';

export type TExportWorker = TJobRunner;

const RETENTION_SCHEDULER_ID = 'export-retention';

/** How often the files are swept: every 15 minutes, or twice per retention period when that is shorter (never more than once a second). */
export function retentionSweepEveryMs(retentionHours: number): number {
  return Math.round(Math.min(15 * 60_000, Math.max(1000, (retentionHours * 3_600_000) / 2)));
}

/**
 * Builds export packs on `audit-exports`, in the worker process (never the web server), and
 * records each as an AUDIT_EXPORT_CREATED event through the ingest queue, like any other event.
 * A job scheduler on the same queue (one per installation: `upsertJobScheduler` is idempotent)
 * sweeps every tenant's pack files older than EXPORT_RETENTION_HOURS (rows, manifests and events stay).
 */
/** Where mailed links point: the viewer's first public origin, else this installation's HOST:PORT. */
export function viewerOrigin(config: Pick<TConfig, 'PUBLIC_ORIGIN' | 'HOST' | 'PORT'>): string {
  return config.PUBLIC_ORIGIN[0] ?? `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
}

export function startExportWorker(config: TConfig, orm: Orm, log: Logger): TExportWorker {
  const connection = workerConnection(config, log);
  let signer: TSigner | undefined;
  const ingest = new IngestQueue(connection, config.QUEUE_PREFIX, configuredRetry(config));
  const exportsQueue = new ExportQueue(connection, config.QUEUE_PREFIX);
  const mailSettings: TExportMailSettings | null = config.SMTP_URL
    ? { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, origin: viewerOrigin(config), retentionHours: config.EXPORT_RETENTION_HOURS }
    : null;
  const mailer = mailSettings ? createMailer(mailSettings) : null;
  // where packs go (EXPORT_STORE): a store every server reads, so any server serves what this worker built
  const stores = packStoresOf(orm, config);

  const { queue: scheduler, scheduled } = scheduleJob(
    connection,
    config.QUEUE_PREFIX,
    JOBS.exportRetention,
    RETENTION_SCHEDULER_ID,
    retentionSweepEveryMs(config.EXPORT_RETENTION_HOURS),
  );
  const registered = scheduled.catch((err: Error) => log.error({ err: err.message }, 'could not schedule the export file sweep'));

  const sweep = async () => {
    const result = await expireExportFiles(orm, config.DATA_DIR, config.EXPORT_RETENTION_HOURS, stores);
    if (result.deleted > 0 || result.strayChunks > 0)
      log.info({ ...result, retentionHours: config.EXPORT_RETENTION_HOURS }, 'export files past their retention deleted');
    return result;
  };

  const build = async ({ tenantId, exportId, request }: TJobPayload<'export'>, job: Job) => {
    try {
      const started = Date.now();
      const { manifest, event } = await buildExport(orm, (signer ??= loadSigner(config)), config.DATA_DIR, tenantId, exportId, stores.writeTo, request);
      const judged = judgeEvents([event], { kind: 'system' });
      if (judged.rejected.length > 0) throw new Error(`the export event was refused: ${JSON.stringify(judged.rejected[0]?.issues)}`);
      await ingest.enqueue(
        tenantId,
        judged.accepted.map((a) => a.event),
        new Date().toISOString(),
        { provenance: SYSTEM_PROVENANCE },
      );
      log.info({ tenantId, exportId, rows: manifest.rows, bytes: manifest.bytes, ms: Date.now() - started }, 'export ready');
      // the link is mailed by a job of its own: a mail server that is down never fails (or re-runs) the pack
      if (mailSettings) {
        await exportsQueue
          .enqueueMail(tenantId, exportId)
          .catch((err: Error) => log.error({ tenantId, exportId, err: err.message }, 'export ready, but its mail could not be queued'));
      }
      return { rows: manifest.rows, sha256: manifest.sha256 };
    } catch (err) {
      const permanent = err instanceof AppError && err.code !== 'UNAVAILABLE';
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || last) {
        await markExportFailed(orm, tenantId, exportId, (err as Error).message).catch(() => {});
        throw new UnrecoverableError((err as Error).message);
      }
      throw err;
    }
  };

  const mail = async ({ tenantId, exportId }: TJobPayload<'exportMail'>, job: Job) => {
    if (!mailSettings || !mailer) return { outcome: 'MAIL_OFF' };
    try {
      const outcome = await mailReadyExport(orm, mailer, mailSettings, tenantId, exportId);
      log.info({ tenantId, exportId, outcome }, 'export mail');
      return { outcome };
    } catch (err) {
      // nodemailer's messages name the server's answer, never the URL's password; the pack stays READY
      const e = err as Error & { code?: string; responseCode?: number };
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log[last ? 'error' : 'warn'](
        { tenantId, exportId, attempt: job.attemptsMade + 1, code: e.code, responseCode: e.responseCode, err: e.message.slice(0, 300) },
        last ? 'export mail failed for good (the pack stays ready)' : 'export mail failed; retrying (the pack stays ready)',
      );
      throw new Error(`mail not sent: ${e.code ?? e.responseCode ?? 'error'}`);
    }
  };

  return runJobs(config, log, connection, {
    queue: JOBS.export.queue,
    handlers: { export: build, exportRetention: sweep, exportMail: mail },
    concurrency: config.EXPORT_CONCURRENCY,
    // a large PDF takes a while: renew the lock often rather than let the job look stalled
    locks: { lockDuration: 120_000 },
    closeAfter: [{ close: () => registered }, scheduler, ingest, exportsQueue, { close: async () => mailer?.close() }],
  });
}
