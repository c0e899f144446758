import { Migration } from '@mikro-orm/migrations';
import { REMOVE_TENANT_ROWS_WITH_COUNTS } from './Migration20261202120000_expiry_updates_counts.ts';

/**
 * Offboarding holds the tenant's chain head from its check to the end. remove_tenant_rows read the
 * head without a lock, then deleted every table of the tenant statement by statement; a store that
 * committed in between (it takes the head FOR UPDATE first) put an event after the signed head,
 * and the next statement deleted it — an acknowledged event gone, in no pack. Now the head is read
 * FOR UPDATE: a store waits until the removal commits, then finds no chain head (its job fails and
 * the event is judged again: no tenant, quarantined), never deleted unseen.
 */
export class Migration20261203120000_offboarding_holds_head extends Migration {
  override name = 'Migration20261203120000_offboarding_holds_head';

  override async up(): Promise<void> {
    this.addSql(REMOVE_TENANT_ROWS_HOLDING_HEAD);
  }
}

const unlocked = 'select seq, hash into head from chain_heads where tenant_id = p_tenant;';
if (!REMOVE_TENANT_ROWS_WITH_COUNTS.includes(unlocked)) throw new Error('remove_tenant_rows changed: update this migration');
/** remove_tenant_rows as this migration leaves it (a later one that changes it starts from this text). */
export const REMOVE_TENANT_ROWS_HOLDING_HEAD = REMOVE_TENANT_ROWS_WITH_COUNTS.replace(
  unlocked,
  'select seq, hash into head from chain_heads where tenant_id = p_tenant for update;',
);
