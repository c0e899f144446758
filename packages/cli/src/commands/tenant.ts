import { createTenant } from '@modula/domain';
import { printJson, required, type TCommand } from './helpers.ts';
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
