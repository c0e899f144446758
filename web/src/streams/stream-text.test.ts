import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { lagDuration, lagText, streamDestination, streamErrorText, streamStateText, testResultText } from './stream-text.ts';

const refusal = (code: string, message: string, issues?: { path: (string | number)[]; message: string }[]) =>
  TRPCClientError.from({ error: { message, code: -32600, data: { code, httpStatus: 400, ...(issues ? { issues } : {}) } } });

describe('the log streams texts', () => {
  it('say how far behind a stream is, in events and the oldest waiting event’s age', () => {
    expect(lagText({ lagEvents: 0, lagSeconds: 0 })).toBe('0 events behind');
    expect(lagText({ lagEvents: 1, lagSeconds: 0.2 })).toBe('1 event · 1 s behind');
    expect(lagText({ lagEvents: 1204, lagSeconds: 200 })).toBe('1,204 events · 3 min behind');
    expect(lagDuration(7_300)).toEqual({ unit: 'hour', n: 2 });
    expect(lagDuration(3 * 86_400 + 5)).toEqual({ unit: 'day', n: 3 });
  });

  it('say whether a stream runs, and who or what paused it', () => {
    expect(streamStateText({ status: 'ACTIVE', pausedReason: null, consecutiveFailures: 2 })).toBe('Active');
    expect(streamStateText({ status: 'PAUSED', pausedReason: 'ADMIN', consecutiveFailures: 0 })).toBe('Paused by an Admin');
    expect(streamStateText({ status: 'PAUSED', pausedReason: 'FAILURES', consecutiveFailures: 10 })).toBe('Paused after 10 failed deliveries');
  });

  it('show where a stream delivers, never a credential', () => {
    expect(streamDestination({ kind: 'WEBHOOK', url: 'https://siem.example.com/hook' })).toBe('https://siem.example.com/hook');
    expect(streamDestination({ kind: 'SPLUNK', url: 'https://splunk.example.com:8088', source: 's', sourcetype: 't', index: 'audit' })).toBe(
      'https://splunk.example.com:8088 · index audit',
    );
    expect(streamDestination({ kind: 'S3', bucket: 'audit', region: 'eu-west-1', prefix: 'logs/', forcePathStyle: false, accessKeyId: 'AKIAEXAMPLE' })).toBe(
      's3://audit/logs/ · eu-west-1',
    );
  });

  it('report a test delivery', () => {
    expect(testResultText({ ok: true, status: 200, error: null, ms: 41.6 })).toBe('Test delivered (HTTP 200, 42 ms)');
    expect(testResultText({ ok: false, status: 500, error: 'HTTP 500: boom', ms: 3 })).toBe('Test failed: HTTP 500 — HTTP 500: boom');
    expect(testResultText({ ok: false, status: null, error: null, ms: 3 })).toBe('Test failed: no answer');
  });

  it('say why a change was refused: the field of each issue, else the service’s sentence', () => {
    expect(streamErrorText(refusal('BAD_REQUEST', '[…]', [{ path: ['target', 'url'], message: 'must be an https:// URL' }]))).toBe(
      'URL: must be an https:// URL',
    );
    expect(streamErrorText(refusal('BAD_REQUEST', '127.0.0.1:9 is a private or loopback address: refused'))).toBe(
      '127.0.0.1:9 is a private or loopback address: refused',
    );
    expect(streamErrorText(refusal('INTERNAL_SERVER_ERROR', 'internal error'))).toBe('The service failed. Try again in a moment.');
    expect(streamErrorText(new Error('fetch failed'))).toBe('The service could not be reached. Try again in a moment.');
  });
});
