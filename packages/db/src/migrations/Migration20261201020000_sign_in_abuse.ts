import { Migration } from '@mikro-orm/migrations';

/**
 * One-time recovery codes of the second factor (given at TOTP enrolment): only their HMACs, each
 * removed when used.
 */
export class Migration20261201020000_sign_in_abuse extends Migration {
  override name = 'Migration20261201020000_sign_in_abuse';

  override async up(): Promise<void> {
    this.addSql(`alter table users add column recovery_codes text[] not null default '{}'`);
    this.addSql(`comment on column users.recovery_codes is 'HMACs (server secret) of the unused one-time recovery codes of the second factor'`);
  }
}
