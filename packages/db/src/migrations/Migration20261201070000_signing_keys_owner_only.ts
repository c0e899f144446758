import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Only the owner publishes signing keys (issue 12, item 1): `signing_keys` is what verifiers are
 * told the service signs with, so a key the runtime could add (an injection, a bad dependency)
 * would sign a rewritten log that the database then vouches for. The runtime keeps SELECT (it
 * serves keys.json and checks its own key is listed); the owner inserts, through
 * publishSigningKey (`pnpm cli migrate`, `npm start`). Every other role that was granted a write
 * on the table (APP_ROLE, and any login given it directly) loses it.
 */
export class Migration20261201070000_signing_keys_owner_only extends Migration {
  override name = 'Migration20261201070000_signing_keys_owner_only';

  override async up(): Promise<void> {
    this.addSql('revoke insert, update, delete, truncate on signing_keys from public');
    this.addSql(`revoke insert, update, delete, truncate on signing_keys from ${APP_ROLE}`);
    this.addSql(`do $$ declare r record; begin
        for r in select distinct a.grantee::regrole::text as grantee
                 from pg_class c cross join lateral aclexplode(c.relacl) a
                 where c.oid = 'public.signing_keys'::regclass and a.grantee <> 0 and a.grantee <> c.relowner
                   and a.privilege_type in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE') loop
          execute format('revoke insert, update, delete, truncate on public.signing_keys from %s', r.grantee);
        end loop;
      end $$`);
    this.addSql(`grant select on signing_keys to ${APP_ROLE}`);
    this.addSql(
      `comment on table signing_keys is 'Every public key that ever signed a checkpoint or export; published by the owner only (publishSigningKey), never removed'`,
    );
  }
}
