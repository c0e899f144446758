import { Migration } from '@mikro-orm/migrations';

/**
 * What an ingest key may send. A `device` key (a till, a kitchen screen) sends what happens at the
 * device; a `platform` key (the Tenant/Branch service of another process) also sends the branch and
 * tenant lifecycle — BRANCH_PROVISIONED, BRANCH_FROZEN/UNFROZEN, TENANT_FROZEN/UNFROZEN — which
 * decide how the freeze rule judges every later event. A till's key that could send BRANCH_UNFROZEN
 * would let the device the rule judges escape it. Keys made before this migration keep all they
 * could do (`platform`); keys made from now on are `device` unless asked otherwise.
 */
export class Migration20261202140000_api_key_scope extends Migration {
  override name = 'Migration20261202140000_api_key_scope';

  override async up(): Promise<void> {
    this.addSql(`alter table api_keys add column scope text not null default 'platform' check (scope in ('device', 'platform'))`);
    this.addSql(`alter table api_keys alter column scope set default 'device'`);
  }
}
