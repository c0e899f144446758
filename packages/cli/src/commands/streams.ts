import { ZStreamTarget, type TStreamView } from '@modula/contracts';
import { administrationEvent, createStream, deleteStream, listStreams, setStreamPaused, streamSettings } from '@modula/domain';
import { z } from 'zod';
import { cliConfig, installationSecret, installationSecretIfHere } from '../runtime-config.ts';
import { printJson, required, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

const tenantOf = (values: Record<string, unknown>) => z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
const idOf = (values: Record<string, unknown>) => z.uuid({ error: '--id must be a log stream id (UUID)' }).parse(required(values, 'id'));

/** The stream in its record: the target, never the credential. */
function recorded(tenantId: string, action: 'STREAM_CREATED' | 'STREAM_PAUSED' | 'STREAM_RESUMED' | 'STREAM_DELETED', s: TStreamView) {
  const described = { name: s.name, target: s.target, status: s.status };
  return administrationEvent(
    tenantId,
    action,
    operatorActor(),
    { type: 'LOG_STREAM', id: s.id, label: s.name },
    action === 'STREAM_DELETED' ? { before: described } : { after: described },
  );
}

const str = { type: 'string' } as const;

export const streamCreate: TCommand = {
  summary:
    'Creates a log stream: --tenant ID --name NAME --kind WEBHOOK|SPLUNK|DATADOG|S3 and its target: --url (WEBHOOK, SPLUNK: the HEC base URL, ' +
    'DATADOG: the intake, default https://http-intake.logs.datadoghq.com), [--source --sourcetype --index] (SPLUNK), [--service --tags] (DATADOG), ' +
    '--bucket --access-key-id [--region --prefix --endpoint --path-style] (S3); --secret: the HMAC secret (WEBHOOK, generated when absent), ' +
    'HEC token, API key or S3 secret key (or MODULA_STREAM_SECRET, kept out of the shell history). Prints {"stream",…,"signingSecret"?} (shown once).',
  options: {
    tenant: str,
    name: str,
    kind: str,
    url: str,
    secret: str,
    source: str,
    sourcetype: str,
    index: str,
    service: str,
    tags: str,
    bucket: str,
    region: str,
    prefix: str,
    endpoint: str,
    'path-style': { type: 'boolean' },
    'access-key-id': str,
  },
  async run(values) {
    const tenantId = tenantOf(values);
    const kind = required(values, 'kind').toUpperCase();
    const pick = (...names: string[]) => Object.fromEntries(names.filter((n) => typeof values[n] === 'string').map((n) => [n, values[n]]));
    const target = ZStreamTarget.parse(
      kind === 'S3'
        ? {
            kind,
            ...pick('bucket', 'region', 'prefix', 'endpoint'),
            forcePathStyle: values['path-style'] === true,
            accessKeyId: values['access-key-id'],
          }
        : { kind, ...pick('url', 'source', 'sourcetype', 'index', 'service', 'tags') },
    );
    const secret = (values.secret as string | undefined) ?? process.env.MODULA_STREAM_SECRET;
    const config = cliConfig();
    const created = await withOrm(async (orm) => {
      // checked first: streamSettings would generate a secret where there is none
      await installationSecret(config, orm);
      return createStream(orm, streamSettings(config), tenantId, { name: required(values, 'name'), target, ...(secret ? { secret } : {}) });
    });
    await recordAdministration([recorded(tenantId, 'STREAM_CREATED', created.stream)]);
    printJson(created);
    return 0;
  },
};

export const streamList: TCommand = {
  summary:
    'Lists the tenant\'s log streams: {"items":[{"id","name","target","status","cursorSeq","headSeq","lagEvents","lagSeconds","lastDeliveryAt","lastError",…}]}.',
  options: { tenant: str },
  async run(values) {
    const tenantId = tenantOf(values);
    // shown redacted either way; sealed in place only with the installation's own secret
    const items = await withOrm(async (orm) => {
      const serverSecret = await installationSecretIfHere(cliConfig(), orm);
      return listStreams(orm, tenantId, serverSecret ? { serverSecret } : undefined);
    });
    printJson({ items });
    return 0;
  },
};

function pauseCommand(paused: boolean): TCommand {
  return {
    summary: paused
      ? 'Pauses a log stream (--tenant ID --id STREAM): nothing more is delivered until it is resumed; prints {"stream"}.'
      : 'Resumes a paused log stream (--tenant ID --id STREAM) from its cursor, clearing its failure count; prints {"stream"}.',
    options: { tenant: str, id: str },
    async run(values) {
      const tenantId = tenantOf(values);
      const { stream, changed } = await withOrm((orm) => setStreamPaused(orm, tenantId, idOf(values), paused));
      if (changed) await recordAdministration([recorded(tenantId, paused ? 'STREAM_PAUSED' : 'STREAM_RESUMED', stream)]);
      printJson({ stream });
      return 0;
    },
  };
}

export const streamPause = pauseCommand(true);
export const streamResume = pauseCommand(false);

export const streamDelete: TCommand = {
  summary: 'Deletes a log stream (--tenant ID --id STREAM) and its cursor; prints {"deleted":true}.',
  options: { tenant: str, id: str },
  async run(values) {
    const tenantId = tenantOf(values);
    const stream = await withOrm((orm) => deleteStream(orm, tenantId, idOf(values)));
    await recordAdministration([recorded(tenantId, 'STREAM_DELETED', stream)]);
    printJson({ deleted: true });
    return 0;
  },
};
