import { dbOf, NotStarting, sql, withNoTenant, type Orm } from '@modula/db';
import { countedKinds, judgeSurvey, namedRows, surveySealedValues, unopenedCounts, type TSealedSurvey } from './sealed-values.ts';
import { secretCheckValue } from './server-keys.ts';

/**
 * Whether a process holds the server secret this database is served with (review F §5): compared
 * through the check value recorded in server_secret_check. 'unrecorded' until a server or worker of
 * this version has started: nothing to compare with yet.
 */
type TSecretMatch = 'same' | 'other' | 'unrecorded';

async function matchServerSecret(orm: Orm, serverSecret: Buffer): Promise<TSecretMatch> {
  const row = (await withNoTenant(orm, (em) => sql<{ check_value: string }>`select check_value from server_secret_check`.execute(dbOf(em)))).rows[0];
  if (!row) return 'unrecorded';
  return row.check_value === secretCheckValue(serverSecret) ? 'same' : 'other';
}

/**
 * True when this is the installation's secret as far as the database can tell: the one recorded;
 * with none recorded yet, one that opens what the database holds sealed as judgeSurvey says (any
 * secret, in a database that holds nothing sealed). For the CLI, before it seals or reseals anything.
 */
export async function isInstallationSecret(orm: Orm, serverSecret: Buffer): Promise<boolean> {
  const match = await matchServerSecret(orm, serverSecret);
  if (match !== 'unrecorded') return match === 'same';
  return judgeSurvey(await surveySealedValues(orm, serverSecret)) === 'installation';
}

const NOT_THE_ONE =
  "the server secret (SERVER_SECRET, SERVER_SECRET_FILE or DATA_DIR/server-secret) is not the one this database is served with: nothing sealed in it would open (Admins' two-factor, log streams' and alert webhooks' credentials). " +
  'Give every server and worker the installation\'s secret (README "Running on several machines"); a secret lost is replaced by the owner with `pnpm --silent cli server-secret record` (README "A lost server secret")';

function mixedRefusal(survey: TSealedSurvey): string {
  return (
    `the server secret (SERVER_SECRET, SERVER_SECRET_FILE or DATA_DIR/server-secret) opens ${countedKinds(survey.opened)} sealed in this database ` +
    `but not ${countedKinds(unopenedCounts(survey))} (${namedRows(survey.unopened)}): they were sealed under more than one secret ` +
    // only servers seal two-factor secrets: two secrets among those means servers were given two
    (survey.unopened.some((r) => r.kind === 'two-factor')
      ? '(servers were given different secrets), '
      : '(a CLI before 2026-12-03 sealed under a server-secret it generated), ') +
    "so which is the installation's is not recorded. " +
    'Start with the secret every server was given; delete what it does not open (cli stream delete, cli alert webhook-remove, cli user reset-2fa) ' +
    'and enter it again once the servers run, or record it over them as the owner: `pnpm --silent cli server-secret record` lists what it does not open (README "A lost server secret")'
  );
}

/**
 * For a server or worker at start: refuses (NotStarting) another secret than the installation's.
 * With none recorded yet (a new database, or one an earlier version served), records this one's
 * check value when judgeSurvey says it is the installation's: the first process to start after an
 * upgrade, given a wrong or freshly generated secret, must not make it the installation's, nor may
 * one value sealed by a stray CLI decide. Recording it is said in `log`, with the streams and
 * webhooks it does not open (sealed by such a CLI: they never delivered), by tenant and id.
 */
export async function assertServerSecretOfDatabase(orm: Orm, serverSecret: Buffer, log: { info(msg: string): void; warn(msg: string): void }): Promise<void> {
  const match = await matchServerSecret(orm, serverSecret);
  if (match === 'same') return;
  if (match === 'other') throw new NotStarting(NOT_THE_ONE);
  const survey = await surveySealedValues(orm, serverSecret);
  const verdict = judgeSurvey(survey);
  if (verdict === 'other') throw new NotStarting(NOT_THE_ONE);
  if (verdict === 'mixed') throw new NotStarting(mixedRefusal(survey));
  const inserted = await withNoTenant(orm, (em) =>
    sql`insert into server_secret_check (check_value) values (${secretCheckValue(serverSecret)}) on conflict (one) do nothing`.execute(dbOf(em)),
  );
  if (Number(inserted.numAffectedRows ?? 0) === 1) {
    log.info('recorded which server secret this database is served with (server_secret_check): a server or worker with another refuses to start');
    if (survey.unopened.length > 0)
      log.warn(
        `${countedKinds(unopenedCounts(survey))} sealed under another server secret (by a CLI before 2026-12-03) cannot deliver: ` +
          `delete them and enter them again (${namedRows(survey.unopened)})`,
      );
    return;
  }
  // another process recorded one first, perhaps between the two statements: it must be this one
  if ((await matchServerSecret(orm, serverSecret)) !== 'same') throw new NotStarting(NOT_THE_ONE);
}
