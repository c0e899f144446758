import { describe, expect, it } from 'vitest';
import { classifyDashboardRequest, parseBasicCredential } from './queue-dashboard-policy.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('parseBasicCredential', () => {
  it('reads the operator name and secret (the secret may hold colons)', () => {
    expect(parseBasicCredential(basic('olga:mop_abc'))).toEqual({ name: 'olga', secret: 'mop_abc' });
    expect(parseBasicCredential(`basic ${Buffer.from('olga:a:b').toString('base64')}`)).toEqual({ name: 'olga', secret: 'a:b' });
    expect(parseBasicCredential(basic('olga:'))).toEqual({ name: 'olga', secret: '' });
  });
  it('takes nothing else: no header, other schemes, no name, no colon, not base64', () => {
    for (const header of [
      undefined,
      '',
      'Bearer mak_x',
      basic(':secret'),
      basic('olga'),
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('olga:x').toString('base64')} extra`,
    ]) {
      expect(parseBasicCredential(header), String(header)).toBeUndefined();
    }
  });
});

describe('classifyDashboardRequest', () => {
  const p = { queueName: 'audit-ingest', jobId: '7', queueStatus: 'failed' };
  it('allows reads and retries of failed jobs only', () => {
    expect(classifyDashboardRequest('GET', '/api/queues', {})).toEqual({ kind: 'read' });
    expect(classifyDashboardRequest('PUT', '/api/queues/:queueName/:jobId/retry', p)).toEqual({ kind: 'retryOne', queueName: 'audit-ingest', jobId: '7' });
    expect(classifyDashboardRequest('PUT', '/api/queues/:queueName/retry/:queueStatus', p)).toEqual({ kind: 'retryAllFailed', queueName: 'audit-ingest' });
  });
  it('refuses everything else, including routes it does not know', () => {
    for (const [method, route, params] of [
      ['PUT', '/api/queues/:queueName/retry/:queueStatus', { ...p, queueStatus: 'completed' }],
      ['PUT', '/api/queues/:queueName/clean/:queueStatus', p],
      ['PUT', '/api/queues/:queueName/:jobId/clean', p],
      ['PUT', '/api/queues/:queueName/empty', p],
      ['PUT', '/api/queues/:queueName/obliterate', p],
      ['PUT', '/api/queues/:queueName/promote', p],
      ['POST', '/api/queues/:queueName/add', p],
      ['PATCH', '/api/queues/:queueName/:jobId/update-data', p],
      ['POST', '/api/queues/:queueName/:jobId/retry', p],
      ['PUT', undefined, p],
      ['DELETE', '/api/queues/:queueName/:jobId', p],
    ] as const)
      expect(classifyDashboardRequest(method, route, params), `${method} ${route}`).toEqual({ kind: 'refused' });
  });
});
