import { administrationEvent, createApiKey, listApiKeys, revokeApiKey } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, tenantOption, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

export const apiKeyCreate: TCommand = {
  summary:
    'Creates another ingestion API key for the tenant (e.g. one per till fleet, to rotate without downtime); --scope device (default: ' +
    'what happens at a till) or platform (also the branch and tenant lifecycle: BRANCH_*, TENANT_*); ' +
    'prints {"apiKeyId","apiKey","scope"} (the key is shown only once).',
  options: { tenant: { type: 'string' }, scope: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const scope = z.enum(['device', 'platform'], { error: '--scope must be device or platform' }).parse(values.scope ?? 'device');
    const created = await withOrm((orm) => createApiKey(orm, tenantId, scope));
    await recordAdministration([
      administrationEvent(tenantId, 'API_KEY_CREATED', operatorActor(), { type: 'API_KEY', id: created.apiKeyId }, { metadata: { scope } }),
    ]);
    printJson(created);
    return 0;
  },
};

export const apiKeyList: TCommand = {
  summary: 'Lists the tenant\'s API keys, newest first: {"items":[{"id","scope","createdAt","revokedAt"}]} (keys themselves are never stored).',
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    printJson({ items: await withOrm((orm) => listApiKeys(orm, tenantId)) });
    return 0;
  },
};

export const apiKeyRevoke: TCommand = {
  summary:
    'Revokes an API key, given by its id or by the key itself (--key); prints {"id","revokedAt"}. ' +
    'Every server refuses it within a second (while PostgreSQL is down, a server that verified it in the last API_KEY_CACHE_SECONDS still takes it).',
  options: { tenant: { type: 'string' }, key: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
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
