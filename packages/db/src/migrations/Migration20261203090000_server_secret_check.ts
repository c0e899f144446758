import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Which server secret this database is served with (review F §5). Everything sealed in it — the
 * Admins' TOTP secrets, the streams' and alert webhooks' credentials and URLs — opens only under
 * that secret, yet nothing in the database said which one it was: an operator's CLI with a stray
 * DATA_DIR/server-secret sealed under its own, and a server given another secret started and failed
 * every sign-in. The first server or worker to start records a check value (an HMAC of a fixed text
 * under a key derived from the secret: it tells secrets apart and reveals none); the others, and the
 * CLI before it seals anything, compare theirs to it. One row, written once: the runtime may insert
 * and read it, never change it; only the owner can remove it (a lost secret: README "Running on several machines").
 */
export class Migration20261203090000_server_secret_check extends Migration {
  override name = 'Migration20261203090000_server_secret_check';

  override async up(): Promise<void> {
    this.addSql(`create table server_secret_check (
      one boolean primary key default true check (one),
      check_value text not null,
      recorded_at timestamptz not null default now()
    )`);
    this.addSql('revoke all on server_secret_check from public');
    this.addSql(`grant select, insert on server_secret_check to ${APP_ROLE}`);
    this.addSql(
      `comment on table server_secret_check is 'The check value of the server secret this database is served with (one row, written once by the first server or worker)'`,
    );
  }
}
