import { exitAfter, loadConfigOrExit, resolveServerSecret } from '@modula/config';
import { NotStarting } from '@modula/db';
import { assertSigningKeyPublished, loadPasswordChecker } from '@modula/domain';
import { watchRedisDurability } from '@modula/queue';
import { buildApp } from './http/app.ts';
import { createServices } from './services.ts';

const config = loadConfigOrExit();
try {
  // a configured secret (SERVER_SECRET_FILE) that is missing stops the start: never a new one in its place
  resolveServerSecret(config);
} catch (err) {
  console.error(`not starting: ${(err as Error).message}`);
  process.exit(78); // EX_CONFIG
}
// a login that could undo the database's protections, or another server secret than the database's,
// stops the start with what to fix; anything else (a database not up yet) is a crash, to be retried
const services = await createServices(config).catch((err: Error) => {
  if (!(err instanceof NotStarting)) throw err;
  console.error(`not starting: ${err.message}`);
  process.exit(78); // EX_CONFIG
});
// refuse to start with a signing key the owner has not published: every checkpoint and export would fail
await assertSigningKeyPublished(services.orm, config).catch(async (err: Error) => {
  await services.close();
  if (!(err instanceof NotStarting)) throw err;
  services.log.fatal(`not starting: ${err.message}`);
  process.exit(78); // EX_CONFIG
});
// an operator's own Redis (REDIS_URL) may not keep what the service acknowledges: said loudly at
// start, and again whenever the connection comes back (Redis down at start, a failover)
await watchRedisDurability(services.redis, services.log)();
// the password checker's dictionaries take most of a second to load: now, not during the first password change
loadPasswordChecker();
const app = await buildApp(services);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  services.log.info({ signal }, 'draining requests, then stopping');
  exitAfter(config.SHUTDOWN_TIMEOUT_SECONDS, services.log);
  await app.close();
  await services.close();
  process.exit(0);
}
// before the ready line: a supervisor that signals as soon as it reads that line must find the
// handlers there (without one, Node's default for SIGTERM kills the process with no exit code)
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
await app.listen({ port: config.PORT, host: config.HOST });
services.log.info({ url: `http://${config.HOST}:${config.PORT}` }, 'serving / and /trpc');
