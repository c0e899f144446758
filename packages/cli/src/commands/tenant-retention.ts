import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dbOf, sql, withTenant } from '@modula/db';
import {
  administrationEvent,
  assertTenantPresent,
  expireTenantPrefix,
  loadSigner,
  offboardTenant,
  packStoresOf,
  setTenantRetention,
  storedTombstone,
  tombstoneValid,
  type TTombstone,
} from '@modula/domain';
import { z } from 'zod';
import { cliConfig } from '../runtime-config.ts';
import { printJson, tenantOption, type TCommand } from './helpers.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { trustedKeyring } from './trusted-keys.ts';
import { withOrm } from './with-orm.ts';

/**
 * The login that may call remove_tenant_rows (as the maintenance role): DATABASE_MAINTENANCE_URL (a
 * dedicated login granted modula_audit_maintenance), else DATABASE_OWNER_URL, else the owner of the
 * local cluster `npm start` runs (its password in DATA_DIR/postgres/secrets.json). Never the runtime's.
 */
export function maintenanceUrl(databaseUrl: string, dataDir: string): string {
  const given = process.env.DATABASE_MAINTENANCE_URL ?? process.env.DATABASE_OWNER_URL;
  if (given) return given;
  const secrets = join(dataDir, 'postgres', 'secrets.json');
  if (!existsSync(secrets)) {
    throw new Error('removing rows needs the maintenance role: set DATABASE_MAINTENANCE_URL (a login granted modula_audit_maintenance) or DATABASE_OWNER_URL');
  }
  // npm start's local cluster: its maintenance login (holding only EXECUTE on remove_tenant_rows), else the owner
  const local = JSON.parse(readFileSync(secrets, 'utf8')) as { owner: string; maintenance?: string };
  const url = new URL(databaseUrl);
  url.username = local.maintenance ? 'modula_audit_maint' : 'modula_audit';
  url.password = local.maintenance ?? local.owner;
  return url.toString();
}

export const tenantRetention: TCommand = {
  summary:
    'Sets how long the tenant\'s events are kept: --keep-days N (events received more than N days ago expire: archived in a signed pack, then removed) or --forever (the default: for the subscription); recorded as POLICY_UPDATED; prints {"tenantId","keepDays","previous"}.',
  options: { tenant: { type: 'string' }, 'keep-days': { type: 'string' }, forever: { type: 'boolean' } },
  async run(values) {
    const tenantId = tenantOption(values);
    if ((values.forever === true) === (values['keep-days'] !== undefined)) throw new Error('give exactly one of --keep-days N and --forever');
    const keepDays = values.forever === true ? null : z.coerce.number().int().min(1).max(365_000).parse(values['keep-days']);
    const set = await withOrm((orm) => setTenantRetention(orm, tenantId, keepDays));
    await recordAdministration([
      administrationEvent(
        tenantId,
        'POLICY_UPDATED',
        operatorActor(),
        { type: 'TENANT_SETTING', id: 'retention', label: 'retention' },
        { before: { retentionDays: set.previous }, after: { retentionDays: keepDays } },
      ),
    ]);
    printJson(set);
    return 0;
  },
};

export const tenantExpire: TCommand = {
  summary:
    "Expires the tenant's events now (what the scheduled job does): a signed checkpoint at the cut, a signed archive pack of the events that go (DATA_DIR/archives/<tenant>/), then removal through remove_tenant_rows as the maintenance role; --through-seq N cuts there instead of by the retention period; prints what was removed.",
  options: { tenant: { type: 'string' }, 'through-seq': { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const through = values['through-seq'] === undefined ? undefined : z.coerce.number().int().min(1).parse(values['through-seq']);
    const config = cliConfig();
    await withOrm((orm) => assertTenantPresent(orm, tenantId));
    const expiry = await withOrm((orm) =>
      expireTenantPrefix(
        orm,
        maintenanceUrl(config.DATABASE_URL, config.DATA_DIR),
        loadSigner(config),
        config.DATA_DIR,
        tenantId,
        through,
        packStoresOf(orm, config).writeTo,
      ),
    );
    if (expiry) {
      await recordAdministration([
        administrationEvent(
          tenantId,
          'EVENTS_EXPIRED',
          operatorActor(),
          { type: 'CHAIN_RANGE', id: `${expiry.fromSeq}-${expiry.toSeq}`, label: `events ${expiry.fromSeq} to ${expiry.toSeq}` },
          {
            metadata: {
              fromSeq: expiry.fromSeq,
              toSeq: expiry.toSeq,
              removed: expiry.removed,
              archiveExportId: expiry.archive.exportId,
              checkpointSeq: expiry.checkpoint.seq,
            },
          },
        ),
      ]);
    }
    printJson(expiry ?? { tenantId, removed: 0 });
    return 0;
  },
};

export const tenantOffboard: TCommand = {
  summary:
    'Offboards a tenant: records TENANT_OFFBOARDING_STARTED, builds the final signed pack (--out DIR, default DATA_DIR/offboarded/<tenant>/), removes every row of the tenant from every table and leaves a signed tombstone; prints {"tombstone","pack","tombstoneFile"}. Stop its ingest first.',
  options: { tenant: { type: 'string' }, out: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const config = cliConfig();
    await withOrm((orm) => assertTenantPresent(orm, tenantId));
    const started = administrationEvent(tenantId, 'TENANT_OFFBOARDING_STARTED', operatorActor());
    await recordAdministration([started]);
    const result = await withOrm(async (orm) => {
      // the record of the offboarding goes into the final pack: wait until the worker stored it
      for (let i = 0; ; i++) {
        const stored = await withTenant(orm, tenantId, (em) =>
          sql<{ n: number }>`select count(*)::int as n from audit_events where tenant_id = ${tenantId} and event_id = ${started.eventId}`.execute(dbOf(em)),
        );
        if (stored.rows[0]!.n > 0) break;
        if (i >= 60) throw new Error(`the TENANT_OFFBOARDING_STARTED event was not stored within 30 s: is a worker running?`);
        await new Promise((r) => setTimeout(r, 500));
      }
      return offboardTenant(
        orm,
        maintenanceUrl(config.DATABASE_URL, config.DATA_DIR),
        loadSigner(config),
        config.DATA_DIR,
        tenantId,
        values.out as string | undefined,
      );
    });
    printJson(result);
    return 0;
  },
};

export const verifyTombstoneCommand: TCommand = {
  summary:
    "Checks an offboarded tenant's tombstone (FILE, or the one the database keeps with --tenant ID) against the service's public key (--public-key KEY: a PEM or keys.json); exit 0 when its signature verifies, 2 with the reason when not; 1 when it is the tombstone of another tenant than --tenant ID.",
  options: { tenant: { type: 'string' }, 'public-key': { type: 'string' } },
  async run(values, positionals) {
    const file = positionals[0];
    let tombstone: TTombstone | undefined;
    if (file) tombstone = JSON.parse(readFileSync(file, 'utf8')) as TTombstone;
    else tombstone = await withOrm((orm) => storedTombstone(orm, tenantOption(values)));
    if (!tombstone) throw new Error('usage: verify-tombstone FILE | --tenant ID [--public-key KEY] (no tombstone found)');
    const check = tombstoneValid(trustedKeyring(values['public-key'] as string | undefined), tombstone);
    const facts = {
      tenantId: tombstone.tenantId,
      fromSeq: tombstone.fromSeq,
      toSeq: tombstone.toSeq,
      finalHash: tombstone.finalHash,
      packSha256: tombstone.packSha256,
      offboardedAt: tombstone.offboardedAt,
    };
    // a valid tombstone of another tenant (a FILE, or a row planted under this tenant) is not this tenant's
    const expected = values.tenant === undefined ? undefined : tenantOption(values);
    if (check.ok && expected !== undefined && tombstone.tenantId !== expected) {
      const reason = `this is the tombstone of tenant ${tombstone.tenantId} (${tombstone.tenantName}), not of ${expected}`;
      printJson({ ok: false, reason, ...facts });
      console.error(`REFUSED: ${reason}`);
      return 1;
    }
    printJson({ ...check, ...facts });
    return check.ok ? 0 : 2;
  },
};
