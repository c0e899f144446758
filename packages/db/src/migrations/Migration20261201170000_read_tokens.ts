import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Read tokens (issue 16, item 1): a tenant's credentials for machines that read its log. Only the
 * SHA-256 of each token's random part is kept (a stolen table yields no token). Row-level security
 * like every tenant table; the runtime reads and adds its tenant's tokens and may set only when one
 * was last used and when it was revoked — never its hash, name, expiry or maker — and deletes none.
 */
export class Migration20261201170000_read_tokens extends Migration {
  override name = 'Migration20261201170000_read_tokens';

  override async up(): Promise<void> {
    this.addSql(`create table read_tokens (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      name text not null check (char_length(name) between 1 and 80),
      token_hash bytea not null check (octet_length(token_hash) = 32),
      created_by_user_id uuid,
      created_by_name text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      last_used_at timestamptz,
      revoked_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, token_hash),
      check (expires_at > created_at and expires_at <= created_at + interval '366 days'))`);
    this.addSql('alter table read_tokens enable row level security');
    this.addSql('alter table read_tokens force row level security');
    this.addSql(`create policy read_tokens_tenant on read_tokens
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
    this.addSql('revoke all on read_tokens from public');
    this.addSql(`grant select, insert on read_tokens to ${APP_ROLE}`);
    this.addSql(`grant update (last_used_at, revoked_at) on read_tokens to ${APP_ROLE}`);
    this.addSql(
      `comment on table read_tokens is 'Read-only credentials of a tenant for machines (issue 16); token_hash is the SHA-256 of the token''s secret part, never the token'`,
    );
  }
}
