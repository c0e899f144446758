import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Integrity you can prove: signed checkpoints of each tenant's chain head (kept forever,
 * append-only like the log), the public keys that ever signed (published at
 * /.well-known/modula-audit/keys.json, never removed so old checkpoints stay verifiable), and
 * the export packs. Hand-written like the initial migration: RLS, grants, triggers.
 */
export class Migration20261122030000_integrity extends Migration {
  override name = 'Migration20261122030000_integrity';

  override async up(): Promise<void> {
    this.addSql(`create table signing_keys (
      key_id text primary key check (length(key_id) between 1 and 128),
      algorithm text not null check (algorithm = 'Ed25519'),
      public_key text not null,
      created_at timestamptz not null default now())`);
    this.addSql(`comment on table signing_keys is 'Every public key that ever signed a checkpoint or export; published, never removed'`);

    this.addSql(`create table checkpoints (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      seq bigint not null check (seq >= 0),
      hash text not null,
      merkle_root text not null,
      created_at timestamptz not null,
      key_id text not null references signing_keys(key_id),
      signature text not null,
      frontier text[] not null,
      primary key (tenant_id, id))`);
    this.addSql(
      `comment on column checkpoints.frontier is 'Roots of the perfect subtrees of the Merkle tree at seq (largest first): the next checkpoint extends them instead of rehashing the log'`,
    );
    this.addSql('create index checkpoints_by_seq on checkpoints (tenant_id, seq desc, created_at desc)');

    this.addSql(`create table exports (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      format text not null check (format in ('csv', 'pdf')),
      filter jsonb not null,
      status text not null check (status in ('PENDING', 'READY', 'FAILED')),
      requested_by_user_id uuid,
      requested_by_name text,
      requested_by_email text,
      created_at timestamptz not null default now(),
      completed_at timestamptz,
      file_name text,
      rows bigint,
      sha256 text,
      signature text,
      error text,
      primary key (tenant_id, id))`);

    for (const table of ['checkpoints', 'signing_keys']) {
      this.addSql(`create trigger ${table}_no_update_delete before update or delete on ${table} for each row execute function refuse_change()`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function refuse_change()`);
    }
    for (const table of ['checkpoints', 'exports']) {
      this.addSql(`alter table ${table} enable row level security`);
      this.addSql(`alter table ${table} force row level security`);
      this.addSql(`create policy ${table}_tenant on ${table}
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    }
    this.addSql('revoke all on signing_keys, checkpoints, exports from public');
    // public keys are public: any transaction may read and register them (RLS does not apply)
    this.addSql(`grant select, insert on signing_keys, checkpoints to ${APP_ROLE}`);
    this.addSql(`grant select, insert, update on exports to ${APP_ROLE}`);
  }
}
