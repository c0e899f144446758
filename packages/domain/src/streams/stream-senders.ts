import { WEBHOOK_SIGNATURE_HEADER, type TAuditEventView, type TStreamTarget } from '@modula/contracts';
import { REDACTED } from '../ingest/redaction.ts';
import { guardedAgents, postBody } from './stream-http.ts';
import { checkTargetUrl, type TTargetPolicy } from './target-guard.ts';
import { signWebhook } from './webhook-signature.ts';

/** A destination as the sender needs it: its target and its credential, opened. */
export interface TSendableDestination {
  tenantId: string;
  id: string;
  target: TStreamTarget;
  secret: string | null;
}

export interface TSendContext {
  policy: TTargetPolicy;
  agents: ReturnType<typeof guardedAgents>;
  timeoutMs: number;
}

/** The batch being delivered: consecutive stored events of one tenant, in `seq` order. */
export interface TSendBatch {
  firstSeq: number;
  lastSeq: number;
  events: TAuditEventView[];
  test?: boolean;
}

/** A delivery the destination did not take: `status` when it answered. The message names no credential. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Appends `path` to a base URL unless the Admin already gave the full endpoint. */
function endpoint(base: string, path: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(path) ? trimmed : `${trimmed}${path}`;
}

/**
 * The receiver's answer as a delivery error quotes it, without the credential the request carried: a
 * debugging proxy or an intake may echo the headers it got, and the error is stored, shown to Admins,
 * logged and recorded in the log. A start of it cut off at the end of the answer's excerpt goes too.
 */
function withoutCredential(answer: string, credential: string | null): string {
  if (!credential) return answer;
  const text = answer.replaceAll(credential, REDACTED);
  for (let n = Math.min(credential.length - 1, text.length); n > 0; n--) if (text.endsWith(credential.slice(0, n))) return text.slice(0, -n);
  return text;
}

async function post(url: string, headers: Record<string, string>, body: string, ctx: TSendContext, credential: string | null): Promise<number> {
  let answer: Awaited<ReturnType<typeof postBody>>;
  try {
    answer = await postBody(url, headers, body, ctx);
  } catch (err) {
    throw new DeliveryError(`${new URL(url).host}: ${(err as Error).message}`);
  }
  const quoted = withoutCredential(answer.body, credential).slice(0, 200);
  if (answer.status < 200 || answer.status > 299)
    throw new DeliveryError(`${new URL(url).host} answered ${answer.status}${quoted ? `: ${quoted}` : ''}`, answer.status);
  return answer.status;
}

function need(secret: string | null, what: string): string {
  if (!secret) throw new DeliveryError(`the destination has no ${what}: set one`);
  return secret;
}

/** What streams.test sends where the format needs a record: marked `test`, with no event of the log. */
function testRecord(d: Pick<TSendableDestination, 'tenantId' | 'id'>) {
  return { test: true, message: 'Modula Audit log stream test', tenantId: d.tenantId, destinationId: d.id, seq: 0, date: new Date().toISOString() };
}

/** S3 object key of a batch: by tenant, destination and seq range (zero-padded, so keys sort in seq order). */
export function s3BatchKey(prefix: string, d: Pick<TSendableDestination, 'tenantId' | 'id'>, b: Pick<TSendBatch, 'firstSeq' | 'lastSeq' | 'test'>): string {
  const pad = (n: number) => String(n).padStart(20, '0');
  return `${prefix}${d.tenantId}/${d.id}/${b.test ? `test-${Date.now()}` : `${pad(b.firstSeq)}-${pad(b.lastSeq)}`}.ndjson`;
}

/**
 * Delivers one batch to a destination, in the receiver's own format; resolves with the HTTP status
 * once the receiver took it (2xx), throws DeliveryError otherwise. Every event carries its `seq`.
 */
export async function sendBatch(d: TSendableDestination, batch: TSendBatch, ctx: TSendContext): Promise<number> {
  const t = d.target;
  switch (t.kind) {
    case 'WEBHOOK': {
      const body = JSON.stringify({
        tenantId: d.tenantId,
        destinationId: d.id,
        firstSeq: batch.firstSeq,
        lastSeq: batch.lastSeq,
        events: batch.events,
        ...(batch.test ? { test: true } : {}),
      });
      const signature = signWebhook(need(d.secret, 'signing secret'), body, Math.floor(Date.now() / 1000));
      return post(t.url, { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signature }, body, ctx, d.secret);
    }
    case 'SPLUNK': {
      // HEC's batch form: one JSON object per event, one after the other
      const hec = (time: number, seq: number, event: unknown) =>
        JSON.stringify({
          time,
          source: t.source,
          sourcetype: t.sourcetype,
          ...(t.index ? { index: t.index } : {}),
          fields: { tenantId: d.tenantId, seq },
          event,
        });
      const body = batch.test ? hec(Date.now() / 1000, 0, testRecord(d)) : batch.events.map((e) => hec(Date.parse(e.occurredAt) / 1000, e.seq, e)).join('\n');
      return post(
        endpoint(t.url, '/services/collector/event'),
        { 'content-type': 'application/json', authorization: `Splunk ${need(d.secret, 'HEC token')}` },
        body,
        ctx,
        d.secret,
      );
    }
    case 'DATADOG': {
      const extra = t.tags ? `,${t.tags}` : '';
      const test = {
        ddsource: 'modula-audit',
        service: t.service,
        hostname: 'modula-audit',
        ddtags: `tenant:${d.tenantId},test:true${extra}`,
        ...testRecord(d),
      };
      const body = JSON.stringify(
        batch.test
          ? [test]
          : batch.events.map((e) => ({
              ddsource: 'modula-audit',
              service: t.service,
              hostname: 'modula-audit',
              ddtags: `tenant:${d.tenantId},action:${e.action},outcome:${e.outcome}${extra}`,
              message: e.description,
              date: e.occurredAt,
              seq: e.seq,
              modula: e,
            })),
      );
      return post(endpoint(t.url, '/api/v2/logs'), { 'content-type': 'application/json', 'dd-api-key': need(d.secret, 'API key') }, body, ctx, d.secret);
    }
    case 'S3': {
      if (t.endpoint) checkTargetUrl(t.endpoint, ctx.policy);
      // loaded by the first S3 delivery: the SDK takes half a second to load, in every process that imports the domain
      const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
      const client = new S3Client({
        region: t.region,
        ...(t.endpoint ? { endpoint: t.endpoint } : {}),
        forcePathStyle: t.forcePathStyle,
        credentials: { accessKeyId: t.accessKeyId, secretAccessKey: need(d.secret, 'secret access key') },
        maxAttempts: 1,
        // its own agents: destroying the client destroys them
        requestHandler: { ...guardedAgents(ctx.policy), requestTimeout: ctx.timeoutMs, connectionTimeout: ctx.timeoutMs },
      });
      const Body = (batch.test ? [testRecord(d)] : batch.events).map((e) => `${JSON.stringify(e)}\n`).join('');
      try {
        // the SDK's timeouts are per connect and per idle socket: an endpoint that answers a byte at a
        // time would hold the delivery (and a worker slot) for ever; STREAM_TIMEOUT_MS is the whole request's
        await client.send(new PutObjectCommand({ Bucket: t.bucket, Key: s3BatchKey(t.prefix, d, batch), Body, ContentType: 'application/x-ndjson' }), {
          abortSignal: AbortSignal.timeout(ctx.timeoutMs),
        });
        return 200;
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? null;
        throw new DeliveryError(`S3 ${t.bucket}: ${(err as Error).name}: ${(err as Error).message.slice(0, 200)}`, status);
      } finally {
        client.destroy();
      }
    }
  }
}
