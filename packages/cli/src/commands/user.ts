import { ZRole } from '@modula/contracts';
import { administrationEvent, createUser } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

export const userCreate: TCommand = {
  summary: 'Creates a user of a tenant with an argon2id password hash; recorded as USER_CREATED in the tenant\'s log; prints {"userId"}.',
  options: { tenant: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
  async run(values) {
    const tenantId = z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
    const email = z.email({ error: '--email must be an email address' }).parse(required(values, 'email'));
    const role = ZRole.parse(required(values, 'role'));
    const password = required(values, 'password');
    const name = typeof values.name === 'string' ? values.name : undefined;
    const { userId } = await withOrm((orm) => createUser(orm, { tenantId, email, password, role, name }));
    await recordAdministration([
      administrationEvent(tenantId, 'USER_CREATED', operatorActor(), { type: 'USER', id: userId, label: email.toLowerCase() }, { after: { role } }),
    ]);
    printJson({ userId });
    return 0;
  },
};
