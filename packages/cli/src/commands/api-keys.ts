import { administrationEvent, createApiKey, listApiKeys, revokeApiKey } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

const tenantOf = (values: Record<string, unknown>) => z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));

export const apiKeyCreate: TCommand = {
  summary:
    'Creates another ingestion API key for the tenant (e.g. one per module or till fleet, to rotate without downtime); ' +
    'prints {"apiKeyId","apiKey"} (the key is shown only once).',
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    const created = await withOrm((orm) => createApiKey(orm, tenantId));
    await recordAdministration([administrationEvent(tenantId, 'API_KEY_CREATED', operatorActor(), { type: 'API_KEY', id: created.apiKeyId })]);
    printJson(created);
    return 0;
  },
};

export const apiKeyList: TCommand = {
  summary: 'Lists the tenant\'s API keys, newest first: {"items":[{"id","createdAt","revokedAt"}]} (keys themselves are never stored).',
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    printJson({ items: await withOrm((orm) => listApiKeys(orm, tenantId)) });
    return 0;
  },
};

export const apiKeyRevoke: TCommand = {
  summary:
    'Revokes an API key, given by its id or by the key itself (--key); prints {"id","revokedAt"}. ' +
    'Servers that verified the key in the last API_KEY_CACHE_SECONDS keep accepting it until their cache entry expires.',
  options: { tenant: { type: 'string' }, key: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOf(values);
    const key = required(values, 'key');
    if (!z.uuid().safeParse(key).success && !key.startsWith('mak_')) throw new Error('--key must be an API key id (UUID) or the key itself (mak_…)');
    const revoked = await withOrm((orm) => revokeApiKey(orm, tenantId, key));
    if (!revoked) {
      console.error(`tenant ${tenantId} has no such API key`);
      return 1;
    }
    await recordAdministration([
      administrationEvent(tenantId, 'API_KEY_REVOKED', operatorActor(), { type: 'API_KEY', id: revoked.id }, { metadata: { revokedAt: revoked.revokedAt } }),
    ]);
    printJson(revoked);
    return 0;
  },
};
