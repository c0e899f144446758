import { Migration } from '@mikro-orm/migrations';

/** An operator can disable an account (`cli user disable`): it no longer signs in, and the log keeps its history. */
export class Migration20261201030000_user_admin extends Migration {
  override name = 'Migration20261201030000_user_admin';

  override async up(): Promise<void> {
    this.addSql('alter table users add column disabled_at timestamptz');
    this.addSql(`comment on column users.disabled_at is 'When an operator disabled the account; it cannot sign in from then on'`);
  }
}
