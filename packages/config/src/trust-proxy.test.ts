import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

const base = { DATABASE_URL: 'postgres://u@localhost/db', REDIS_URL: 'redis://localhost:6379' };

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(loadConfig(base).TRUST_PROXY).toBe(false);
  });

  it('takes the addresses and CIDR ranges of the load balancers', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.4,::1 ' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.4', '::1']);
  });

  it.each(['true', '2', 'loadbalancer.internal', '10.0.0.0/8, *'])('refuses %j with the offending part named', (value) => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(/TRUST_PROXY: must be comma-separated IP addresses or CIDR ranges/);
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.0/8, 0.0.0.0/1', '2001:db8::/15', '::ffff:0:0/96', '::FFFF:10.0.0.0/103'])(
    'refuses %j: a range that wide lets clients forge their IP',
    (value) => {
      expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(
        /TRUST_PROXY: lists ranges so wide .*not: (0\.0\.0\.0\/[01]|::\/0|2001:db8::\/15|::ffff:0:0\/96|::FFFF:10\.0\.0\.0\/103)$/m,
      );
    },
  );

  it('accepts the widest allowed ranges', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8,fd00::/16,::ffff:10.0.0.0/104' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      'fd00::/16',
      '::ffff:10.0.0.0/104',
    ]);
  });
});
