import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities/index.ts';
import { Migration20261122000000_initial } from './migrations/Migration20261122000000_initial.ts';
import { Migration20261122010000_auth } from './migrations/Migration20261122010000_auth.ts';
import { Migration20261122020000_devices } from './migrations/Migration20261122020000_devices.ts';
import { Migration20261122030000_integrity } from './migrations/Migration20261122030000_integrity.ts';
import { Migration20261122045000_read_paths } from './migrations/Migration20261122045000_read_paths.ts';
import { Migration20261122050000_session_purge } from './migrations/Migration20261122050000_session_purge.ts';
import { Migration20261201000000_branch_name_at } from './migrations/Migration20261201000000_branch_name_at.ts';
import { Migration20261201010000_least_privilege } from './migrations/Migration20261201010000_least_privilege.ts';
import { Migration20261201020000_sign_in_abuse } from './migrations/Migration20261201020000_sign_in_abuse.ts';
import { Migration20261201030000_user_admin } from './migrations/Migration20261201030000_user_admin.ts';
import { Migration20261201040000_tenant_limits } from './migrations/Migration20261201040000_tenant_limits.ts';
import { Migration20261201050000_operators } from './migrations/Migration20261201050000_operators.ts';
import { Migration20261201060000_provenance } from './migrations/Migration20261201060000_provenance.ts';
import { Migration20261201070000_signing_keys_owner_only } from './migrations/Migration20261201070000_signing_keys_owner_only.ts';
import { Migration20261201080000_read_paths_2 } from './migrations/Migration20261201080000_read_paths_2.ts';
import { Migration20261201090000_password_history } from './migrations/Migration20261201090000_password_history.ts';
import { Migration20261201110000_people_and_counts } from './migrations/Migration20261201110000_people_and_counts.ts';
import { Migration20261201111000_saved_views } from './migrations/Migration20261201111000_saved_views.ts';
import { Migration20261201120000_tenant_time_zone } from './migrations/Migration20261201120000_tenant_time_zone.ts';
import { Migration20261201140000_export_pack_store } from './migrations/Migration20261201140000_export_pack_store.ts';
import { Migration20261201160000_partition_by_tenant } from './migrations/Migration20261201160000_partition_by_tenant.ts';
import { Migration20261201161000_retention_offboarding } from './migrations/Migration20261201161000_retention_offboarding.ts';
import { Migration20261201162000_expired_event_ids } from './migrations/Migration20261201162000_expired_event_ids.ts';
import { Migration20261201170000_read_tokens } from './migrations/Migration20261201170000_read_tokens.ts';
import { Migration20261201180000_log_streams } from './migrations/Migration20261201180000_log_streams.ts';
import { Migration20261201190000_alerts } from './migrations/Migration20261201190000_alerts.ts';
import { Migration20261202090000_alert_hold } from './migrations/Migration20261202090000_alert_hold.ts';
import { Migration20261202100000_fair_stream_sweep } from './migrations/Migration20261202100000_fair_stream_sweep.ts';
import { Migration20261202120000_expiry_updates_counts } from './migrations/Migration20261202120000_expiry_updates_counts.ts';
import { Migration20261202140000_api_key_scope } from './migrations/Migration20261202140000_api_key_scope.ts';
import { Migration20261203090000_server_secret_check } from './migrations/Migration20261203090000_server_secret_check.ts';
import { Migration20261203100000_delivery_targets_shown } from './migrations/Migration20261203100000_delivery_targets_shown.ts';
import { Migration20261203120000_offboarding_holds_head } from './migrations/Migration20261203120000_offboarding_holds_head.ts';
import { guardPool } from './pool-guard.ts';

export type Orm = MikroORM;
export type Em = EntityManager;

interface OrmOptions {
  url: string;
  poolMax?: number;
}

/** Migrations are listed, not discovered: the schema is exactly these, in this order. */
const MIGRATIONS = [
  { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
  { name: 'Migration20261122010000_auth', class: Migration20261122010000_auth },
  { name: 'Migration20261122020000_devices', class: Migration20261122020000_devices },
  { name: 'Migration20261122030000_integrity', class: Migration20261122030000_integrity },
  { name: 'Migration20261122045000_read_paths', class: Migration20261122045000_read_paths },
  { name: 'Migration20261122050000_session_purge', class: Migration20261122050000_session_purge },
  { name: 'Migration20261201000000_branch_name_at', class: Migration20261201000000_branch_name_at },
  { name: 'Migration20261201010000_least_privilege', class: Migration20261201010000_least_privilege },
  { name: 'Migration20261201020000_sign_in_abuse', class: Migration20261201020000_sign_in_abuse },
  { name: 'Migration20261201030000_user_admin', class: Migration20261201030000_user_admin },
  { name: 'Migration20261201040000_tenant_limits', class: Migration20261201040000_tenant_limits },
  { name: 'Migration20261201050000_operators', class: Migration20261201050000_operators },
  { name: 'Migration20261201060000_provenance', class: Migration20261201060000_provenance },
  { name: 'Migration20261201070000_signing_keys_owner_only', class: Migration20261201070000_signing_keys_owner_only },
  { name: 'Migration20261201080000_read_paths_2', class: Migration20261201080000_read_paths_2 },
  { name: 'Migration20261201090000_password_history', class: Migration20261201090000_password_history },
  { name: 'Migration20261201110000_people_and_counts', class: Migration20261201110000_people_and_counts },
  { name: 'Migration20261201111000_saved_views', class: Migration20261201111000_saved_views },
  { name: 'Migration20261201120000_tenant_time_zone', class: Migration20261201120000_tenant_time_zone },
  { name: 'Migration20261201140000_export_pack_store', class: Migration20261201140000_export_pack_store },
  { name: 'Migration20261201160000_partition_by_tenant', class: Migration20261201160000_partition_by_tenant },
  { name: 'Migration20261201161000_retention_offboarding', class: Migration20261201161000_retention_offboarding },
  { name: 'Migration20261201162000_expired_event_ids', class: Migration20261201162000_expired_event_ids },
  { name: 'Migration20261201170000_read_tokens', class: Migration20261201170000_read_tokens },
  { name: 'Migration20261201180000_log_streams', class: Migration20261201180000_log_streams },
  { name: 'Migration20261201190000_alerts', class: Migration20261201190000_alerts },
  { name: 'Migration20261202090000_alert_hold', class: Migration20261202090000_alert_hold },
  { name: 'Migration20261202100000_fair_stream_sweep', class: Migration20261202100000_fair_stream_sweep },
  { name: 'Migration20261202120000_expiry_updates_counts', class: Migration20261202120000_expiry_updates_counts },
  { name: 'Migration20261202140000_api_key_scope', class: Migration20261202140000_api_key_scope },
  { name: 'Migration20261203090000_server_secret_check', class: Migration20261203090000_server_secret_check },
  { name: 'Migration20261203100000_delivery_targets_shown', class: Migration20261203100000_delivery_targets_shown },
  { name: 'Migration20261203120000_offboarding_holds_head', class: Migration20261203120000_offboarding_holds_head },
];

export async function createOrm({ url, poolMax = 10 }: OrmOptions): Promise<Orm> {
  return MikroORM.init({
    clientUrl: url,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, snapshot: false, transactional: true, allOrNothing: true },
    pool: { min: 0, max: poolMax },
    // nothing waits forever on a database that went away: connecting and each query are bounded
    driverOptions: { connectionTimeoutMillis: 10_000, query_timeout: 120_000, onPoolCreated: guardPool },
    debug: false,
    allowGlobalContext: false,
    // the runtime never trusts an implicit search_path or a forgotten tenant: see withTenant
    sessionContext: 'transaction',
  });
}

export async function migrate(url: string): Promise<string[]> {
  const orm = await createOrm({ url, poolMax: 2 });
  try {
    const done = await orm.migrator.up();
    return done.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
