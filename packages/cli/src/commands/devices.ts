import { findDeviceGaps } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './helpers.ts';
import { withOrm } from './with-orm.ts';

export const devicesGaps: TCommand = {
  summary:
    'Lists runs of device numbers (deviceSeq) with no stored event, per device of the tenant (--device ID: one device): ' +
    '{"items":[{"deviceId","from","to","missing"}]}.',
  options: { tenant: { type: 'string' }, device: { type: 'string' } },
  async run(values) {
    const tenantId = z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
    const deviceId = typeof values.device === 'string' ? values.device : undefined;
    printJson({ items: await withOrm((orm) => findDeviceGaps(orm, tenantId, { deviceId })) });
    return 0;
  },
};
