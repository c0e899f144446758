import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveServerSecret } from '@modula/config';
import { createCheckpoint, loadSigner, publishSigningKey } from '@modula/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * Only the database owner publishes signing keys (`cli migrate`, `npm start`); the runtime reads
 * them. A server or worker whose key is not published refuses to start and says what to run;
 * a checkpoint under such a key is refused with the same instructions.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'modula-key-publish-'));
  dirs.push(d);
  return d;
};
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ENTRIES = {
  worker: { entry: 'worker/src/main.ts', ready: 'building export packs' },
  server: { entry: 'server/src/main.ts', ready: 'serving / and /trpc' },
};

/** Starts the real process with `env`; resolves with its exit code (null: it got ready and was stopped) and its output. */
function startProcess(name: keyof typeof ENTRIES, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const { entry, ready } = ENTRIES[name];
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, entry)], {
    cwd: ROOT,
    // the installation's server secret: a fresh DATA_DIR (for a key of its own) would bring a secret
    // of its own too, which the database refuses before the key is looked at
    env: { ...process.env, ...stack.env, SERVER_SECRET: resolveServerSecret(stack.config).toString('utf8'), PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((done) => {
    let started = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      if (!started && out.includes(ready)) {
        started = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(guard);
      done({ code: started ? null : code, out });
    });
  });
}

describe('server and worker refuse a signing key the owner has not published', () => {
  it.each(['worker', 'server'] as const)('the %s exits (78) naming the key and `pnpm cli migrate` as the owner', async (name) => {
    const dataDir = freshDir();
    const unpublished = loadSigner({ DATA_DIR: dataDir });
    const { code, out } = await startProcess(name, { DATA_DIR: dataDir });
    expect(code, out).toBe(78);
    expect(out).toContain(`signing key ${unpublished.keyId}`);
    expect(out).toMatch(/is not published/);
    expect(out).toMatch(/pnpm cli migrate.*as the owner.*DATABASE_OWNER_URL/);
  });

  it.each(['worker', 'server'] as const)(
    'the %s crashes (1), not refuses (78), when the key cannot be looked up: a database fault is for a supervisor to retry',
    async (name) => {
      const db = await connect(stack.databaseSuperuserUrl);
      try {
        await db.query('begin');
        await db.query('lock table signing_keys in access exclusive mode');
        const { code, out } = await startProcess(name, { PGOPTIONS: '-c lock_timeout=300' });
        expect(code, out).toBe(1);
        expect(out).toMatch(/lock timeout/);
        expect(out).not.toMatch(/not starting/);
      } finally {
        await db.query('rollback');
        await db.end();
      }
    },
  );

  it('no key file at all: the worker says where it looked and what creates it', async () => {
    const dataDir = freshDir();
    const { code, out } = await startProcess('worker', { DATA_DIR: dataDir });
    expect(code, out).toBe(78);
    expect(out).toContain(`no signing key at ${join(dataDir, 'signing-key.pem')}`);
    expect(out).toMatch(/pnpm cli migrate/);
  });

  it('a key file that is no Ed25519 private key: the worker refuses (78) and says so', async () => {
    const dataDir = freshDir();
    writeFileSync(join(dataDir, 'signing-key.pem'), '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    const { code, out } = await startProcess('worker', { DATA_DIR: dataDir });
    expect(code, out).toBe(78);
    expect(out).toMatch(/not starting: the signing key could not be loaded/);
  });

  it('`cli migrate` as the owner creates and publishes the key (once); then the worker starts and keys.json lists it', async () => {
    const dataDir = freshDir();
    const env = { DATA_DIR: dataDir, DATABASE_OWNER_URL: stack.databaseOwnerUrl };
    const first = runCli(stack, ['migrate'], env);
    expect(first.status, first.stderr).toBe(0);
    const signer = loadSigner({ DATA_DIR: dataDir });
    expect(first.json).toMatchObject({ applied: [], signingKey: { keyId: signer.keyId, file: join(dataDir, 'signing-key.pem'), newlyPublished: true } });
    expect(runCli(stack, ['migrate'], env).json).toMatchObject({ signingKey: { keyId: signer.keyId, newlyPublished: false } });
    const keys = (await (await fetch(`${stack.baseUrl}/.well-known/modula-audit/keys.json`)).json()) as { keys: { keyId: string }[] };
    expect(keys.keys.map((k) => k.keyId)).toContain(signer.keyId);
    const { code, out } = await startProcess('worker', { DATA_DIR: dataDir });
    expect(code, out).toBeNull();
  });

  it('a key id is never published twice with two different keys', async () => {
    const keyId = 'ed25519-fixed-id';
    await publishSigningKey(stack.databaseOwnerUrl, loadSigner({ DATA_DIR: freshDir(), SIGNING_KEY_ID: keyId }));
    await expect(publishSigningKey(stack.databaseOwnerUrl, loadSigner({ DATA_DIR: freshDir(), SIGNING_KEY_ID: keyId }))).rejects.toThrow(
      /already published with another public key/,
    );
  });
});

describe('the runtime never publishes a key by using it', () => {
  it('createCheckpoint with an unpublished key is refused with what to run, and adds no key', async () => {
    const { tenantId } = await stack.createTenant('Unpublished key');
    const unpublished = loadSigner({ DATA_DIR: freshDir() });
    await expect(createCheckpoint(stack.services.orm, unpublished, tenantId)).rejects.toThrow(
      new RegExp(`signing key ${unpublished.keyId} is not published in signing_keys; not signing: .*pnpm cli migrate`),
    );
    await fetch(`${stack.baseUrl}/.well-known/modula-audit/keys.json`);
    const db = await connect(stack.databaseSuperuserUrl);
    try {
      expect((await db.query('select count(*)::int as n from signing_keys where key_id = $1', [unpublished.keyId])).rows[0].n).toBe(0);
      expect((await db.query('select count(*)::int as n from checkpoints where tenant_id = $1', [tenantId])).rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
  });
});
