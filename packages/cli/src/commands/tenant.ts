import { administrationEvent, createTenant, setTenantTimeZone } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

export const tenantCreate: TCommand = {
  summary: 'Creates a tenant and its first ingestion API key; prints {"tenantId","apiKey"} (the key is shown only once).',
  options: { name: { type: 'string' } },
  async run(values) {
    const name = required(values, 'name');
    if (name.length > 200) throw new Error('--name is longer than 200 characters');
    printJson(await withOrm((orm) => createTenant(orm, name)));
    return 0;
  },
};

export const tenantSetTimeZone: TCommand = {
  summary:
    'Sets the IANA time zone (e.g. Europe/Madrid; default UTC) the tenant\'s exports show local times in; recorded as POLICY_UPDATED in its log; prints {"tenantId","timeZone","previous"}.',
  options: { tenant: { type: 'string' }, zone: { type: 'string' } },
  async run(values) {
    const tenantId = z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
    const { previous, timeZone } = await withOrm((orm) => setTenantTimeZone(orm, tenantId, required(values, 'zone')));
    await recordAdministration([
      administrationEvent(
        tenantId,
        'POLICY_UPDATED',
        operatorActor(),
        { type: 'TENANT_SETTING', id: 'timeZone', label: 'time zone' },
        { before: { timeZone: previous }, after: { timeZone } },
      ),
    ]);
    printJson({ tenantId, timeZone, previous });
    return 0;
  },
};
