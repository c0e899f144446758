import { type TStreamView, ZStreamCreateInput, ZStreamUpdateInput } from '@modula/contracts';
import { describe, expect, it } from 'vitest';
import { EMPTY_DRAFT, streamCreateInput, streamDraftOf, streamUpdateInput } from './stream-input.ts';

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

const ID = '0192f0e4-6b1c-7c3e-9d2a-4f5b6c7d8e9f';
const stream = (target: TStreamView['target'], name = 'SIEM'): Pick<TStreamView, 'id' | 'name' | 'target'> => ({ id: ID, name, target });

describe('streamDraftOf', () => {
  it('starts from the stream’s name and target settings, with the credential empty', () => {
    const splunk = stream({ kind: 'SPLUNK', url: 'https://splunk.example.com:8088', source: 'pos', sourcetype: 'modula:audit' });
    expect(streamDraftOf(splunk)).toMatchObject({ name: 'SIEM', kind: 'SPLUNK', url: 'https://splunk.example.com:8088', source: 'pos', index: '', secret: '' });
    const s3 = stream({
      kind: 'S3',
      bucket: 'audit',
      region: 'eu-west-1',
      prefix: 'logs/',
      endpoint: 'https://minio.example.com',
      forcePathStyle: true,
      accessKeyId: 'AKIA1',
    });
    expect(streamDraftOf(s3)).toMatchObject({
      kind: 'S3',
      bucket: 'audit',
      region: 'eu-west-1',
      prefix: 'logs/',
      endpoint: 'https://minio.example.com',
      forcePathStyle: true,
    });
  });
});

describe('streamUpdateInput', () => {
  const webhook = stream({ kind: 'WEBHOOK', url: 'https://siem.example.com/h' });
  const splunk = stream({ kind: 'SPLUNK', url: 'https://splunk.example.com:8088', source: 'modula-audit', sourcetype: 'modula:audit', index: 'audit' });
  const datadog = stream({ kind: 'DATADOG', url: 'https://http-intake.logs.datadoghq.eu', service: 'modula-audit', tags: 'env:prod' });
  const s3 = stream({ kind: 'S3', bucket: 'audit', region: 'eu-west-1', prefix: '', forcePathStyle: false, accessKeyId: 'AKIA1' });

  it('sends nothing but the id when nothing changed, whatever the kind (an empty prefix stays empty)', () => {
    for (const s of [webhook, splunk, datadog, s3]) expect(streamUpdateInput(s, streamDraftOf(s))).toEqual({ id: ID });
  });

  it('keeps an S3 stream’s empty prefix when another field of its target changes (the default would move its objects)', () => {
    const input = streamUpdateInput(s3, { ...streamDraftOf(s3), region: 'eu-central-1' });
    expect(input).toMatchObject({ id: ID, target: { kind: 'S3', region: 'eu-central-1', prefix: '' } });
    expect(ZStreamUpdateInput.parse(input).target).toMatchObject({ prefix: '' });
  });

  it('sends a new name alone, so the target (and the failure count it would reset) is left as it is', () => {
    const input = streamUpdateInput(splunk, { ...streamDraftOf(splunk), name: ' Splunk (EU) ' });
    expect(input).toEqual({ id: ID, name: 'Splunk (EU)' });
    expect(ZStreamUpdateInput.safeParse(input).success).toBe(true);
  });

  it('sends the whole target of the same kind when one of its fields changed, and a webhook never a secret', () => {
    const input = streamUpdateInput(webhook, { ...streamDraftOf(webhook), name: 'SIEM (EU)', url: 'https://eu.siem.example.com/h', secret: 'typed-anyway' });
    expect(input).toEqual({ id: ID, name: 'SIEM (EU)', target: { kind: 'WEBHOOK', url: 'https://eu.siem.example.com/h' } });
    const cleared = streamUpdateInput(datadog, { ...streamDraftOf(datadog), tags: '' });
    expect(cleared).toEqual({ id: ID, target: { kind: 'DATADOG', url: 'https://http-intake.logs.datadoghq.eu', service: 'modula-audit' } });
    for (const i of [input, cleared]) expect(ZStreamUpdateInput.safeParse(i).success).toBe(true);
  });

  it('leaves an empty credential out (the current one stays) and sends a typed one, with or without a new target', () => {
    const moved = { ...streamDraftOf(splunk), url: 'https://collector.example.net:8088' };
    expect(streamUpdateInput(splunk, moved)).toEqual({
      id: ID,
      target: { kind: 'SPLUNK', url: 'https://collector.example.net:8088', index: 'audit', source: 'modula-audit', sourcetype: 'modula:audit' },
    });
    expect(streamUpdateInput(splunk, { ...moved, secret: 'hec-token-new' })).toMatchObject({ secret: 'hec-token-new' });
    const rotated = streamUpdateInput(s3, { ...streamDraftOf(s3), secret: 's3-secret-new' });
    expect(rotated).toEqual({ id: ID, secret: 's3-secret-new' });
    expect(ZStreamUpdateInput.safeParse(rotated).success).toBe(true);
  });
});
