import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from './connection.ts';

describe('parseClusterNodes', () => {
  it('reads host:port seeds', () => {
    expect(parseClusterNodes('10.0.0.1:7000, redis-b:7001,[::1]:7002')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      auth: {},
    });
  });

  it('takes the credentials and TLS of the first URL for every node', () => {
    expect(parseClusterNodes('redis-a:7000,rediss://modula:p%40ss@redis-b:7001,redis://other:x@redis-c:7002')).toEqual({
      nodes: [
        { host: 'redis-a', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: 'redis-c', port: 7002 },
      ],
      auth: { username: 'modula', password: 'p@ss', tls: {} },
    });
  });
});
