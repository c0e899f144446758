import { createOrm, dbOf, sql, withNoTenant } from '@modula/db';
import { surveySealedValues, type TSealedSurvey } from './sealed-values.ts';
import { secretCheckValue } from './server-keys.ts';

export type TRecordedSecret = {
  /** This secret's check value is the one recorded now. */
  recorded: boolean;
  /** Another secret's check value was recorded before: replaced by this one. */
  replaced: boolean;
  survey: TSealedSurvey;
};

/**
 * The owner names the installation's server secret (README "A lost server secret"): its check value
 * replaces the one recorded, which the runtime may never change. For a secret lost (everything it
 * sealed is gone with it) and for a database whose values were sealed under two secrets, where
 * only the operator knows which one the servers had. Nothing sealed is touched: what this secret does
 * not open is surveyed and answered, and only `acceptUnopenable` records over it (an operator who
 * gave the wrong file finds out here, before any server starts). Run while no server or worker runs:
 * one still holding the secret before would go on sealing under it.
 */
export async function recordServerSecret(ownerUrl: string, serverSecret: Buffer, opts: { acceptUnopenable: boolean }): Promise<TRecordedSecret> {
  const orm = await createOrm({ url: ownerUrl, poolMax: 2 });
  try {
    const survey = await surveySealedValues(orm, serverSecret);
    const check = secretCheckValue(serverSecret);
    const before = (await withNoTenant(orm, (em) => sql<{ check_value: string }>`select check_value from server_secret_check`.execute(dbOf(em)))).rows[0];
    if (before?.check_value === check) return { recorded: true, replaced: false, survey };
    if (survey.unopened.length > 0 && !opts.acceptUnopenable) return { recorded: false, replaced: false, survey };
    // as the owner itself, not the runtime role: only the owner may remove the row
    await orm.em.fork().transactional(async (em) => {
      await sql`delete from server_secret_check`.execute(dbOf(em));
      await sql`insert into server_secret_check (check_value) values (${check})`.execute(dbOf(em));
    });
    return { recorded: true, replaced: before !== undefined, survey };
  } finally {
    await orm.close(true);
  }
}
