import type { TSession } from '@modula/domain';
import { describe, expect, it } from 'vitest';
import { checkOperator, classifyDashboardRequest } from './queue-dashboard-policy.ts';

const session = (role: TSession['role'], email = 'ops@example.test'): TSession =>
  ({ sessionId: 's', tenantId: 't', tenantName: 'T', userId: 'u', email, name: null, role });

describe('checkOperator', () => {
  const list = ['ops@example.test'];
  it('is off for everyone while the allow-list is empty', () => {
    expect(checkOperator(session('ADMIN'), [])).toMatchObject({ ok: false, status: 404 });
    expect(checkOperator(undefined, [])).toMatchObject({ ok: false, status: 404 });
  });
  it('asks for a sign-in, refuses other roles, hides itself from Admins who are not operators', () => {
    expect(checkOperator(undefined, list)).toMatchObject({ ok: false, status: 401 });
    expect(checkOperator(session('MANAGER'), list)).toMatchObject({ ok: false, status: 403 });
    expect(checkOperator(session('CASHIER'), list)).toMatchObject({ ok: false, status: 403 });
    expect(checkOperator(session('ADMIN', 'other@example.test'), list)).toMatchObject({ ok: false, status: 404 });
    expect(checkOperator(session('ADMIN', 'Ops@Example.test'), list)).toMatchObject({ ok: true });
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
    ] as const) expect(classifyDashboardRequest(method, route, params), `${method} ${route}`).toEqual({ kind: 'refused' });
  });
});
