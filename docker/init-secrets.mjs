// Runs once per `docker compose up` (service `secrets`), as root, before anything else: creates the
// server secret and the Ed25519 signing key in the `secrets` volume when they are missing, readable
// only by the image's user (node, uid 1000). It never replaces a file that exists: a new server
// secret would end every enrolled Admin's two-factor, a new key would sign what the old one cannot
// vouch for. To bring your own, put them in the volume first, or use Docker secrets (README).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chownSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '/run/modula-secrets';
const IMAGE_USER = 1000;

function writeOnce(name, content) {
  const file = join(dir, name);
  if (existsSync(file)) return console.log(`${file}: kept`);
  writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
  chownSync(file, IMAGE_USER, IMAGE_USER);
  console.log(`${file}: created`);
}

writeOnce('server-secret', `${randomBytes(48).toString('base64url')}\n`);
writeOnce('signing-key.pem', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
