import { DATADOG_DEFAULT_URL, type TStreamKind, type TStreamTargetInput } from '@modula/contracts';

/** What the "New log stream" dialog holds while an Admin types: every kind's fields, as typed. */
export interface TStreamDraft {
  name: string;
  kind: TStreamKind;
  /** WEBHOOK, SPLUNK (the HEC base URL), DATADOG (the logs intake) */
  url: string;
  /** SPLUNK's HEC token, DATADOG's API key, S3's secret access key (a webhook's is generated) */
  secret: string;
  index: string;
  source: string;
  sourcetype: string;
  service: string;
  tags: string;
  bucket: string;
  region: string;
  prefix: string;
  endpoint: string;
  forcePathStyle: boolean;
  accessKeyId: string;
}

export const EMPTY_DRAFT: TStreamDraft = {
  name: '',
  kind: 'WEBHOOK',
  url: '',
  secret: '',
  index: '',
  source: '',
  sourcetype: '',
  service: '',
  tags: '',
  bucket: '',
  region: 'us-east-1',
  prefix: 'modula-audit/',
  endpoint: '',
  forcePathStyle: false,
  accessKeyId: '',
};

/** The URL a kind starts with when chosen: Datadog's default intake, nothing for the others. */
export function defaultUrlOf(kind: TStreamKind): string {
  return kind === 'DATADOG' ? DATADOG_DEFAULT_URL : '';
}

/** A field left empty is left out, so the contract's default applies (Splunk's source, S3's region…). */
const given = <K extends string>(key: K, value: string): Partial<Record<K, string>> => (value.trim() ? ({ [key]: value.trim() } as Record<K, string>) : {});

/**
 * The streams.create input of a draft, exactly as ZStreamCreateInput takes it: the chosen kind's
 * fields only, in the target, and the credential beside it (none for a webhook: the service
 * generates its signing secret and shows it once). The service validates it; this only shapes it.
 */
export function streamCreateInput(draft: TStreamDraft): { name: string; target: TStreamTargetInput; secret?: string } {
  const name = draft.name.trim();
  const secret = draft.secret ? { secret: draft.secret } : {};
  switch (draft.kind) {
    case 'WEBHOOK':
      return { name, target: { kind: 'WEBHOOK', url: draft.url.trim() } };
    case 'SPLUNK':
      return {
        name,
        target: {
          kind: 'SPLUNK',
          url: draft.url.trim(),
          ...given('index', draft.index),
          ...given('source', draft.source),
          ...given('sourcetype', draft.sourcetype),
        },
        ...secret,
      };
    case 'DATADOG':
      return { name, target: { kind: 'DATADOG', ...given('url', draft.url), ...given('service', draft.service), ...given('tags', draft.tags) }, ...secret };
    case 'S3':
      return {
        name,
        target: {
          kind: 'S3',
          bucket: draft.bucket.trim(),
          accessKeyId: draft.accessKeyId.trim(),
          ...given('region', draft.region),
          ...(draft.prefix ? { prefix: draft.prefix } : {}),
          ...given('endpoint', draft.endpoint),
          ...(draft.forcePathStyle ? { forcePathStyle: true } : {}),
        },
        ...secret,
      };
  }
}
