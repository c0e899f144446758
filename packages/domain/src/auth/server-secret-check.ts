import { dbOf, sql, withNoTenant, type Orm } from '@modula/db';
import { secretCheckValue } from './server-keys.ts';

/**
 * Whether a process holds the server secret this database is served with (review F §5): compared
 * through the check value the first server or worker recorded (server_secret_check). 'unrecorded'
 * until a server of this version has started: nothing to compare with yet.
 */
export type TSecretMatch = 'same' | 'other' | 'unrecorded';

export async function matchServerSecret(orm: Orm, serverSecret: Buffer): Promise<TSecretMatch> {
  const row = (await withNoTenant(orm, (em) => sql<{ check_value: string }>`select check_value from server_secret_check`.execute(dbOf(em)))).rows[0];
  if (!row) return 'unrecorded';
  return row.check_value === secretCheckValue(serverSecret) ? 'same' : 'other';
}

/**
 * For a server or worker at start: records its secret's check value when none is recorded, and
 * refuses (throws) when another secret's is. A server with another secret could open nothing sealed
 * here (no Admin's two-factor, no stream's credential) and would seal what no other server opens.
 */
export async function assertServerSecretOfDatabase(orm: Orm, serverSecret: Buffer): Promise<void> {
  await withNoTenant(orm, (em) =>
    sql`insert into server_secret_check (check_value) values (${secretCheckValue(serverSecret)}) on conflict (one) do nothing`.execute(dbOf(em)),
  );
  if ((await matchServerSecret(orm, serverSecret)) === 'other')
    throw new Error(
      'the server secret (SERVER_SECRET, SERVER_SECRET_FILE or DATA_DIR/server-secret) is not the one this database is served with: ' +
        "nothing sealed in it would open (Admins' two-factor, log streams' and alert webhooks' credentials). Give every server and worker the installation's secret (README \"Running on several machines\")",
    );
}
