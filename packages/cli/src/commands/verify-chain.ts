import { verifyChain } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './index.ts';
import { withOrm } from './with-orm.ts';

export const verifyChainCommand: TCommand = {
  summary: "Recomputes a tenant's hash chain from the stored rows; exit 0 when intact, else prints the first broken seq.",
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
    const result = await withOrm((orm) => verifyChain(orm, tenantId));
    printJson(result);
    return result.ok ? 0 : 2;
  },
};
