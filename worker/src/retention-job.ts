import type { TConfig } from '@modula/config';
import type { Orm } from '@modula/db';
import type { TAuditEventInput } from '@modula/contracts';
import { administrationEvent, allTenantIds, expiredThrough, expireTenantPrefix, packStoresOf, type TSigner } from '@modula/domain';
import type { Logger } from 'pino';

/**
 * The scheduled expiry: for each tenant with a retention period whose oldest events are due, a
 * signed checkpoint at the cut, a signed archive pack, then removal as the maintenance role
 * (DATABASE_MAINTENANCE_URL). Without that login nothing is removed: the tenants due are logged.
 * One tenant's failure is logged and the others go on; nothing is removed before its archive exists.
 */
export async function expireDueTenants(
  config: TConfig,
  orm: Orm,
  signer: TSigner,
  log: Logger,
  only?: string,
  record: (event: TAuditEventInput) => Promise<void> = async () => {},
) {
  const tenants = only ? [only] : await allTenantIds(orm);
  const expired: { tenantId: string; fromSeq: number; toSeq: number }[] = [];
  const due: string[] = [];
  for (const tenantId of tenants) {
    try {
      const through = await expiredThrough(orm, tenantId);
      if (through === null) continue;
      if (!config.DATABASE_MAINTENANCE_URL) {
        due.push(tenantId);
        continue;
      }
      const r = await expireTenantPrefix(orm, config.DATABASE_MAINTENANCE_URL, signer, config.DATA_DIR, tenantId, through, packStoresOf(orm, config).writeTo);
      if (r) {
        expired.push({ tenantId, fromSeq: r.fromSeq, toSeq: r.toSeq });
        log.info({ tenantId, fromSeq: r.fromSeq, toSeq: r.toSeq, archive: r.archive.file }, 'expired events archived and removed');
        // DESIGN rule 8: the removal is recorded in the tenant's own log, by the system
        const event = administrationEvent(
          tenantId,
          'EVENTS_EXPIRED',
          { type: 'SYSTEM', id: 'retention', name: 'Retention' },
          { type: 'CHAIN_RANGE', id: `${r.fromSeq}-${r.toSeq}`, label: `events ${r.fromSeq} to ${r.toSeq}` },
          { metadata: { fromSeq: r.fromSeq, toSeq: r.toSeq, removed: r.removed, archiveExportId: r.archive.exportId, checkpointSeq: r.checkpoint.seq } },
        );
        try {
          await record(event);
        } catch (err) {
          // the cut is done and no later run sees it again: say so, with the record to enter by hand
          log.error(
            { tenantId, fromSeq: r.fromSeq, toSeq: r.toSeq, event, err: (err as Error).message },
            'expired events archived and removed, but their EVENTS_EXPIRED record could not be queued',
          );
        }
      }
    } catch (err) {
      log.error({ tenantId, err: (err as Error).message }, 'retention refused');
    }
  }
  if (due.length > 0) log.warn({ tenants: due }, 'events are due to expire but DATABASE_MAINTENANCE_URL is not set: nothing removed');
  return { tenants: tenants.length, expired, due };
}
