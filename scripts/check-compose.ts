// `docker compose config` on docker-compose.yml: the file parses, interpolates and satisfies the
// Compose specification. It needs only the Docker client with its compose plugin (no engine: it
// talks to no daemon). Where the client or the plugin is missing this check is skipped with a note,
// never failed: most machines that run `npm test` have no Docker, and no part of the service needs it.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Compose v2 only: the file uses the Compose specification (top-level `name`, `configs.content`),
// which the retired Python docker-compose 1.x refuses
const compose = [['docker', 'compose']].find(([cmd, ...sub]) => spawnSync(cmd!, [...sub, 'version'], { stdio: 'ignore' }).status === 0);
if (!compose) {
  console.log('skipped: no `docker compose` (Compose v2) on this machine; docker-compose.yml is checked where the client exists');
  process.exit(0);
}
const [cmd, ...sub] = compose;
const r = spawnSync(cmd!, [...sub, '-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
if (r.status !== 0) {
  console.error(`${compose.join(' ')} config refused docker-compose.yml:\n${r.stderr}${r.stdout}`);
  process.exit(1);
}
console.log(`docker-compose.yml: ${compose.join(' ')} config passed`);
