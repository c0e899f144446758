import { exitAfter, loadConfigOrExit, resolveServerSecret } from '@modula/config';
import { assertLeastPrivilegedLogin, createOrm, NotStarting } from '@modula/db';
import { assertServerSecretOfDatabase, assertSigningKeyPublished, sealUrlsStoredInClear } from '@modula/domain';
import { pino } from 'pino';
import { startIngestWorker } from './ingest-worker.ts';
import { startCheckpointWorker } from './checkpoint-worker.ts';
import { startExportWorker } from './export-worker.ts';
import { startStreamWorker } from './stream-worker.ts';
import { startAlertWorker } from './alert-worker.ts';

const config = loadConfigOrExit();
const log = pino({ name: 'worker', level: config.LOG_LEVEL });
let serverSecret: Buffer;
try {
  // a configured secret (SERVER_SECRET_FILE) that is missing stops the start: never a new one in its place
  serverSecret = resolveServerSecret(config);
} catch (err) {
  log.fatal(`not starting: ${(err as Error).message}`);
  process.exit(78); // EX_CONFIG
}
const orm = await createOrm({ url: config.DATABASE_URL, poolMax: config.WORKER_CONCURRENCY + config.STREAM_CONCURRENCY + 4 });
const notStarting = async (err: Error) => {
  log.fatal(`not starting: ${err.message}`);
  await orm.close();
  process.exit(78); // EX_CONFIG
};
// as the server does: a login that could undo the database's protections, another server secret
// than the database's (no stream or alert webhook would deliver), or a signing key the owner has not
// published (every checkpoint and export would fail) stops the start with what to fix (78); anything
// else (a database not up yet, a lost connection) is a crash, for a supervisor to retry. One check
// after the other: the pool is closed on the first refusal, none may use it then
await (async () => {
  await assertLeastPrivilegedLogin(orm);
  await assertServerSecretOfDatabase(orm, serverSecret, log);
  await assertSigningKeyPublished(orm, config);
})().catch(async (err: Error) => {
  if (!(err instanceof NotStarting)) {
    await orm.close();
    throw err;
  }
  await notStarting(err);
});
// stream and alert-webhook URLs still stored in clear are sealed now, not at a read an idle tenant
// may never make; in the background (a failure is said by tenant and row, never with its URL, and
// the lazy reseal remains)
void sealUrlsStoredInClear(orm, serverSecret, log).then(
  (sealed) => sealed.streams + sealed.webhooks + sealed.failed > 0 && log.info(sealed, 'sealed URLs stored in clear (log streams, alert webhooks)'),
  (err: Error) => log.warn({ err: err.message }, 'could not seal the URLs still stored in clear: they are sealed when next read'),
);
const ingest = startIngestWorker(config, orm, log);
log.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker consuming audit-ingest');
const checkpoints = await startCheckpointWorker(config, orm, log);
log.info({ everyMinutes: config.CHECKPOINT_EVERY_MINUTES }, 'worker signing checkpoints on audit-checkpoints');
const streams = await startStreamWorker(config, orm, log);
log.info({ concurrency: config.STREAM_CONCURRENCY, pollMs: config.STREAM_POLL_MS }, 'worker delivering log streams on audit-streams');
const alerts = await startAlertWorker(config, orm, log);
log.info({ sweepSeconds: config.ALERT_SWEEP_SECONDS }, 'worker evaluating and delivering alerts on audit-alerts');
// started last: its line, written once the signal handlers below are in place, is what tests wait for as "ready"
const exports = startExportWorker(config, orm, log);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'finishing active jobs, then stopping');
  exitAfter(config.SHUTDOWN_TIMEOUT_SECONDS, log);
  await ingest.close();
  await checkpoints.close();
  await exports.close();
  await streams.close();
  await alerts.close();
  await orm.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// after the handlers: a supervisor that signals as soon as it reads this line must find them there
// (without one, Node's default for SIGTERM kills the process with no exit code)
log.info({ concurrency: config.EXPORT_CONCURRENCY }, 'worker building export packs on audit-exports');
