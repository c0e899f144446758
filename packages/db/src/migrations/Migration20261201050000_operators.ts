import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Operators are not tenant Admins (issue 12, item 9): the queue dashboard holds every tenant's job
 * payloads, so it takes a credential of its own, kept outside every tenant.
 * - `operators`: one row per credential (`cli operator create`), with only the SHA-256 of its
 *   256-bit secret. Never deleted; revoking sets `revoked_at` once, for good (the runtime may
 *   write that column only, and a trigger refuses every other change, including un-revoking).
 * - `operator_actions`: what operators did with it (sign-ins to the dashboard, retries, creation
 *   and revocation of credentials). Append-only for every role, like the audit log.
 */
export class Migration20261201050000_operators extends Migration {
  override name = 'Migration20261201050000_operators';

  override async up(): Promise<void> {
    this.addSql(`create table operators (
      id uuid primary key,
      name text not null unique check (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
      secret_hash bytea not null check (length(secret_hash) = 32),
      created_at timestamptz not null default now(),
      revoked_at timestamptz)`);
    this.addSql(
      `comment on table operators is 'Credentials of the operators of the service (queue dashboard), separate from every tenant''s accounts; only the SHA-256 of each secret'`,
    );

    this.addSql(`create function operators_revoke_only() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'UPDATE' then
          raise exception 'operators are never removed, only revoked: % refused', tg_op using errcode = 'insufficient_privilege';
        end if;
        if new.id is distinct from old.id or new.name is distinct from old.name or new.secret_hash is distinct from old.secret_hash
           or new.created_at is distinct from old.created_at or (old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at)
           or new.revoked_at is null then
          raise exception 'an operator can only be revoked, once: change of % refused', old.name using errcode = 'insufficient_privilege';
        end if;
        return new;
      end $$`);
    this.addSql(`create trigger operators_revoke_only before update or delete on operators for each row execute function operators_revoke_only()`);
    this.addSql(`create trigger operators_no_truncate before truncate on operators for each statement execute function operators_revoke_only()`);

    this.addSql(`create table operator_actions (
      id uuid primary key,
      operator_name text not null references operators(name),
      action text not null check (action in ('OPERATOR_CREATED', 'OPERATOR_REVOKED', 'SIGN_IN', 'RETRY_JOB', 'RETRY_FAILED_JOBS')),
      occurred_at timestamptz not null default now(),
      client_address text,
      detail jsonb not null default '{}'::jsonb)`);
    this.addSql('create index operator_actions_by_operator on operator_actions (operator_name, occurred_at)');
    this.addSql(
      `comment on table operator_actions is 'What operators did: dashboard sign-ins (once per credential, address and hour), retries, credentials created and revoked; append-only'`,
    );
    this.addSql(`create trigger operator_actions_no_update_delete before update or delete on operator_actions for each row execute function refuse_change()`);
    this.addSql(`create trigger operator_actions_no_truncate before truncate on operator_actions for each statement execute function refuse_change()`);

    this.addSql('revoke all on operators, operator_actions from public');
    this.addSql(`grant select, insert on operators, operator_actions to ${APP_ROLE}`);
    this.addSql(`grant update (revoked_at) on operators to ${APP_ROLE}`);
  }
}
