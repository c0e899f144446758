import { ZStreamCreateInput } from '@modula/contracts';
import { describe, expect, it } from 'vitest';
import { EMPTY_DRAFT, streamCreateInput } from './stream-input.ts';

describe('streamCreateInput', () => {
  it('sends a webhook’s URL and no secret (the service generates it)', () => {
    const input = streamCreateInput({ ...EMPTY_DRAFT, name: ' SIEM ', url: 'https://siem.example.com/h ', secret: 'left over' });
    expect(input).toEqual({ name: 'SIEM', target: { kind: 'WEBHOOK', url: 'https://siem.example.com/h' } });
    expect(ZStreamCreateInput.safeParse(input).success).toBe(true);
  });

  it('sends only the chosen kind’s fields, leaving empty optional ones to the contract’s defaults', () => {
    const common = { ...EMPTY_DRAFT, name: 'x', url: 'https://h.example.com', secret: 'credential-1234', bucket: 'kept-out', index: '' };
    const splunk = streamCreateInput({ ...common, kind: 'SPLUNK', index: 'audit' });
    expect(splunk).toEqual({ name: 'x', target: { kind: 'SPLUNK', url: 'https://h.example.com', index: 'audit' }, secret: 'credential-1234' });
    expect(ZStreamCreateInput.parse(splunk).target).toMatchObject({ source: 'modula-audit', sourcetype: 'modula:audit' });
    const datadog = streamCreateInput({ ...common, kind: 'DATADOG', tags: 'env:prod' });
    expect(datadog).toEqual({ name: 'x', target: { kind: 'DATADOG', url: 'https://h.example.com', tags: 'env:prod' }, secret: 'credential-1234' });
    const s3 = streamCreateInput({ ...common, kind: 'S3', bucket: 'audit-bucket', accessKeyId: 'AKIAEXAMPLE', forcePathStyle: true });
    expect(s3).toEqual({
      name: 'x',
      target: { kind: 'S3', bucket: 'audit-bucket', accessKeyId: 'AKIAEXAMPLE', region: 'us-east-1', prefix: 'modula-audit/', forcePathStyle: true },
      secret: 'credential-1234',
    });
    for (const input of [splunk, datadog, s3]) expect(ZStreamCreateInput.safeParse(input).success).toBe(true);
  });
});
