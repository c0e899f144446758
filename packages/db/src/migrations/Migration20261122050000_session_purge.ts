import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../roles.ts';

/**
 * Ended sessions are deleted 30 days after they ended (see openSession), so the table stays the
 * size of its live sessions. Sessions are not audit records: every sign-in and sign-out is an
 * event of the log, which keeps them forever.
 */
export class Migration20261122050000_session_purge extends Migration {
  override name = 'Migration20261122050000_session_purge';

  override async up(): Promise<void> {
    this.addSql(`grant delete on sessions to ${APP_ROLE}`);
  }
}
