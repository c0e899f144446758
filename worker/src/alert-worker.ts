import { resolveServerSecret, type TConfig } from '@modula/config';
import { JOBS, SYSTEM_PROVENANCE } from '@modula/contracts';
import type { Orm } from '@modula/db';
import {
  alertDeliverySettings,
  alertRaisedEvent,
  alertsBehind,
  allTenantIds,
  createMailer,
  deliverAlert,
  evaluateTenantAlerts,
  judgeEvents,
  markAlertRecorded,
  raiseChainBroken,
  raiseDeviceGaps,
  unrecordedAlerts,
  type TRaisedAlert,
} from '@modula/domain';
import { AlertQueue, configuredRetry, IngestQueue } from '@modula/queue';
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { viewerOrigin } from './export-worker.ts';
import { runJobs, workerConnection, type TJobPayload, type TJobRunner } from './job-runner.ts';
import { scheduleJob } from './job-schedule.ts';

export interface TAlertWorker extends TJobRunner {
  queue: Queue;
}

const SWEEP_SCHEDULER_ID = 'alerts-sweep';
/** Rounds of ALERT_EVALUATE_BATCH seqs one job reads at most before it hands the rest to the next nudge or sweep. */
const MAX_ROUNDS = 20;
/** An alert stored this long ago and not yet recorded was left by a worker that died: the sweep records it. */
const UNRECORDED_GRACE_SECONDS = 60;

/**
 * Alerts on `audit-alerts`: evaluation of each tenant's stored events from its cursor (nudged by the
 * ingest worker after each stored batch, deduplicated per tenant), a sweep every ALERT_SWEEP_SECONDS
 * (tenants still behind — a nudge that arrived while their evaluation was finishing —, device gaps
 * that stayed, alerts whose record was never queued), CHAIN_BROKEN from verifications, and delivery.
 * Each alert is recorded in the tenant's log (ALERT_RAISED, through the ingest queue like every
 * event) before its delivery is queued.
 */
export async function startAlertWorker(config: TConfig, orm: Orm, log: Logger): Promise<TAlertWorker> {
  const connection = workerConnection(config, log);
  const ingest = new IngestQueue(connection, config.QUEUE_PREFIX, configuredRetry(config));
  const alerts = new AlertQueue(connection, config.QUEUE_PREFIX);
  const { queue: scheduler, scheduled } = scheduleJob(connection, config.QUEUE_PREFIX, JOBS.alertSweep, SWEEP_SCHEDULER_ID, config.ALERT_SWEEP_SECONDS * 1000);
  await scheduled;
  const mailer = config.SMTP_URL ? createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, origin: viewerOrigin(config), retentionHours: 0 }) : null;
  const delivery = alertDeliverySettings({
    mailer,
    origin: viewerOrigin(config),
    serverSecret: resolveServerSecret(config),
    policy: { allowHttp: config.STREAM_ALLOW_HTTP, allowPrivate: config.STREAM_ALLOW_PRIVATE_ADDRESSES },
    timeoutMs: config.STREAM_TIMEOUT_MS,
  });

  /** The alerts' ALERT_RAISED events into the log, then their deliveries; then they count as recorded. */
  const publish = async (tenantId: string, raised: TRaisedAlert[]) => {
    for (const { alert, eventIds } of raised) {
      const judged = judgeEvents([alertRaisedEvent(tenantId, alert, eventIds)], { kind: 'system' });
      if (judged.rejected.length > 0) throw new Error(`the ALERT_RAISED event was refused: ${JSON.stringify(judged.rejected[0]?.issues)}`);
      await ingest.enqueue(
        tenantId,
        judged.accepted.map((a) => a.event),
        new Date().toISOString(),
        { provenance: SYSTEM_PROVENANCE },
      );
      await alerts.enqueueDelivery(tenantId, alert.id);
      await markAlertRecorded(orm, tenantId, alert.id);
      log.warn({ tenantId, alertId: alert.id, rule: alert.rule, subject: alert.subject, count: alert.count }, 'alert raised');
    }
  };

  const alertEvaluate = async ({ tenantId }: TJobPayload<'alertEvaluate'>) => {
    // before reading the head: whatever is stored after this is nudged into a job of its own
    // (two evaluations of a tenant still run one at a time: each locks the tenant's cursor row)
    await alerts.releaseNudge(tenantId);
    let read = 0;
    let raised = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const r = await evaluateTenantAlerts(orm, tenantId, { batch: config.ALERT_EVALUATE_BATCH });
      await publish(tenantId, r.raised);
      read += r.toSeq - r.fromSeq;
      raised += r.raised.length;
      if (r.toSeq >= r.headSeq) break;
    }
    return { tenantId, read, raised };
  };

  const alertSweep = async () => {
    let nudged = 0;
    let raised = 0;
    for (const tenantId of await allTenantIds(orm)) {
      try {
        if (await alertsBehind(orm, tenantId)) {
          await alerts.nudge(tenantId);
          nudged += 1;
        }
        const gaps = await raiseDeviceGaps(orm, tenantId);
        await publish(tenantId, gaps);
        await publish(tenantId, await unrecordedAlerts(orm, tenantId, UNRECORDED_GRACE_SECONDS));
        raised += gaps.length;
      } catch (err) {
        log.error({ tenantId, err: (err as Error).message }, 'alert sweep failed for a tenant');
      }
    }
    return { nudged, raised };
  };

  const alertDeliver = async ({ tenantId, alertId }: TJobPayload<'alertDeliver'>, job: Job) => {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await deliverAlert(orm, delivery, tenantId, alertId, final);
    if (outcome.failed > 0) log.error({ tenantId, alertId, ...outcome }, 'alert delivery failed for good; the alert stays recorded');
    // the job's backoff paces the next attempt of what is still pending
    if (outcome.pending > 0) throw new Error(`${outcome.pending} alert deliveries failed, will retry`);
    return outcome;
  };

  const alertChainBroken = async (found: TJobPayload<'alertChainBroken'>) => {
    const raised = await raiseChainBroken(orm, found);
    if (raised) await publish(found.tenantId, [raised]);
    return { raised: raised ? 1 : 0 };
  };

  const runner = runJobs(config, log, connection, {
    queue: JOBS.alertEvaluate.queue,
    handlers: { alertEvaluate, alertSweep, alertDeliver, alertChainBroken },
    concurrency: 2,
    closeAfter: [scheduler, alerts, ingest, { close: async () => mailer?.close() }],
  });
  return { ...runner, queue: alerts.queue };
}
