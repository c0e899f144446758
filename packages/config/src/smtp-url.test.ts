import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

const base = { DATABASE_URL: 'postgres://u@localhost/db', REDIS_URL: 'redis://localhost:6379' };

describe('SMTP_URL', () => {
  it('is off by default (no mail), and an empty value is the same', () => {
    expect(loadConfig(base).SMTP_URL).toBeUndefined();
    expect(loadConfig({ ...base, SMTP_URL: '  ' }).SMTP_URL).toBeUndefined();
  });

  it('takes smtp:// and smtps:// URLs', () => {
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://user:pa55@mail.example.com:587' }).SMTP_URL).toBe('smtp://user:pa55@mail.example.com:587');
    expect(loadConfig({ ...base, SMTP_URL: 'smtps://mail.example.com' }).SMTP_URL).toBe('smtps://mail.example.com');
  });

  it.each(['http://mail.example.com', 'mail.example.com:587', 'smtp://', 'smtp://user:pa55@:25'])(
    'refuses %j at start with a clear error that does not repeat the URL',
    (value) => {
      let error: unknown;
      try {
        loadConfig({ ...base, SMTP_URL: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL with a host/)]);
      expect((error as Error).message).not.toContain('pa55');
    },
  );
});
