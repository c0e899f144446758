import { Migration } from '@mikro-orm/migrations';

/**
 * The branch projection follows when things happened: a branch's name is the one of its latest
 * rename by occurredAt, so a till that syncs an older rename days later does not overwrite it.
 * Branches named before this column existed count as named when provisioned.
 */
export class Migration20261201000000_branch_name_at extends Migration {
  override name = 'Migration20261201000000_branch_name_at';

  override async up(): Promise<void> {
    this.addSql('alter table branches add column name_at timestamptz');
    this.addSql('update branches set name_at = provisioned_at');
    this.addSql('alter table branches alter column name_at set not null');
  }
}
