import { dbOf, NotStarting, sql, withNoTenant, withTenant, type Orm } from '@modula/db';
import { openAlertWebhookSecret } from '../alerts/alert-webhooks.ts';
import { allTenantIds } from '../integrity/checkpoints.ts';
import { openStreamSecret } from '../streams/stream-settings.ts';
import { decryptSecret, secretCheckValue } from './server-keys.ts';

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

type TSealedKind = 'totp' | 'stream' | 'alert-webhook';
const OPEN: Record<TSealedKind, (serverSecret: Buffer, sealed: string) => string> = {
  totp: (serverSecret, sealed) => decryptSecret(serverSecret, sealed),
  stream: (serverSecret, sealed) => openStreamSecret({ serverSecret }, sealed),
  'alert-webhook': openAlertWebhookSecret,
};

/** The first value found sealed under the installation's secret (an Admin's TOTP secret, a stream's or a webhook's credential), tenant by tenant; none in a new database. */
async function someSealedValue(orm: Orm): Promise<{ kind: TSealedKind; sealed: string } | undefined> {
  for (const id of await allTenantIds(orm)) {
    const found = await withTenant(
      orm,
      id,
      async (em) =>
        (
          await sql<{ kind: TSealedKind; sealed: string }>`
          (select 'totp' as kind, totp_secret_enc as sealed from users where tenant_id = ${id} and totp_secret_enc is not null limit 1)
          union all (select 'stream', secret_sealed from stream_destinations where tenant_id = ${id} limit 1)
          union all (select 'alert-webhook', secret_sealed from alert_webhooks where tenant_id = ${id} limit 1)
          limit 1`.execute(dbOf(em))
        ).rows[0],
    );
    if (found) return found;
  }
  return undefined;
}

function opens(serverSecret: Buffer, { kind, sealed }: { kind: TSealedKind; sealed: string }): boolean {
  try {
    OPEN[kind](serverSecret, sealed);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when this is the installation's secret as far as the database can tell: the one recorded;
 * with none recorded yet, one that opens what the database holds sealed (any secret, in a database
 * that holds nothing sealed). For the CLI, before it seals or reseals anything.
 */
export async function isInstallationSecret(orm: Orm, serverSecret: Buffer): Promise<boolean> {
  const match = await matchServerSecret(orm, serverSecret);
  if (match !== 'unrecorded') return match === 'same';
  const sealed = await someSealedValue(orm);
  return sealed === undefined || opens(serverSecret, sealed);
}

const NOT_THE_ONE =
  "the server secret (SERVER_SECRET, SERVER_SECRET_FILE or DATA_DIR/server-secret) is not the one this database is served with: nothing sealed in it would open (Admins' two-factor, log streams' and alert webhooks' credentials). " +
  'Give every server and worker the installation\'s secret (README "Running on several machines")';

/**
 * For a server or worker at start: refuses (NotStarting) another secret than the installation's.
 * With none recorded yet (a new database, or one an earlier version served), records this one's
 * check value, unless the database holds values sealed under another: the first process to start
 * after an upgrade, given a wrong or freshly generated secret, must not make it the installation's.
 * Recording it is said in `log`: from then on, the database names its secret.
 */
export async function assertServerSecretOfDatabase(orm: Orm, serverSecret: Buffer, log: { info(msg: string): void }): Promise<void> {
  if (!(await isInstallationSecret(orm, serverSecret))) throw new NotStarting(NOT_THE_ONE);
  const inserted = await withNoTenant(orm, (em) =>
    sql`insert into server_secret_check (check_value) values (${secretCheckValue(serverSecret)}) on conflict (one) do nothing`.execute(dbOf(em)),
  );
  if (Number(inserted.numAffectedRows ?? 0) === 1) {
    log.info('recorded which server secret this database is served with (server_secret_check): a server or worker with another refuses to start');
    return;
  }
  // another process recorded one first, perhaps between the two statements: it must be this one
  if ((await matchServerSecret(orm, serverSecret)) !== 'same') throw new NotStarting(NOT_THE_ONE);
}
