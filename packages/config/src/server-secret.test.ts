import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveServerSecret } from './index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'modula-secret-'));

describe('the server secret', () => {
  it('comes from SERVER_SECRET_FILE when configured, and a missing or short file stops the start instead of being replaced', () => {
    const d = dir();
    const file = join(d, 'secret');
    expect(() => resolveServerSecret({ SERVER_SECRET_FILE: file, DATA_DIR: d })).toThrow(/does not exist: not generating a new secret/);
    writeFileSync(file, 'too short\n');
    expect(() => resolveServerSecret({ SERVER_SECRET_FILE: file, DATA_DIR: d })).toThrow(/shorter than 32/);
    const other = join(d, 'secret-2');
    writeFileSync(other, `${'s'.repeat(40)}\n`);
    expect(resolveServerSecret({ SERVER_SECRET_FILE: other, DATA_DIR: d }).toString()).toBe('s'.repeat(40));
  });

  it('is generated once into DATA_DIR/server-secret only when neither SERVER_SECRET nor SERVER_SECRET_FILE is set', () => {
    const d = dir();
    const first = resolveServerSecret({ DATA_DIR: d });
    expect(readFileSync(join(d, 'server-secret'), 'utf8').trim()).toBe(first.toString());
    expect(resolveServerSecret({ SERVER_SECRET: 'x'.repeat(32), DATA_DIR: d }).toString()).toBe('x'.repeat(32));
  });

  it('is refused when given twice, and EXPORT_STORE=s3 needs a bucket', () => {
    const base = { DATABASE_URL: 'postgres://u@localhost/db', REDIS_URL: 'redis://localhost:6379' };
    expect(() => loadConfig({ ...base, SERVER_SECRET: 'x'.repeat(32), SERVER_SECRET_FILE: '/run/secrets/s' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, EXPORT_STORE: 's3' })).toThrow(/S3_BUCKET: required with EXPORT_STORE=s3/);
    expect(() => loadConfig({ ...base, EXPORT_STORE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k' })).toThrow(/set both, or neither/);
    expect(loadConfig({ ...base, EXPORT_STORE: 's3', S3_BUCKET: 'b' })).toMatchObject({
      EXPORT_STORE: 's3',
      S3_PREFIX: 'modula-audit/',
      S3_FORCE_PATH_STYLE: false,
    });
    expect(loadConfig(base).EXPORT_STORE).toBe('database');
  });
});
