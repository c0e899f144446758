import { exitAfter, loadConfigOrExit } from '@modula/config';
import { buildApp } from './http/app.ts';
import { createServices } from './services.ts';

const config = loadConfigOrExit();
const services = await createServices(config);
const app = await buildApp(services);
await app.listen({ port: config.PORT, host: config.HOST });
services.log.info({ url: `http://${config.HOST}:${config.PORT}` }, 'serving / and /trpc');

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
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
