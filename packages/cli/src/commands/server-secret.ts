import { existingServerSecret, ZConfig } from '@modula/config';
import { countedKinds, recordServerSecret, unopenedCounts, type TSealedRow } from '@modula/domain';
import { printJson, type TCommand } from './helpers.ts';

const ZSecretSettings = ZConfig.pick({ DATA_DIR: true, SERVER_SECRET: true, SERVER_SECRET_FILE: true });

const ofKind = (rows: TSealedRow[], kind: TSealedRow['kind']) => rows.filter((r) => r.kind === kind);

/** What stays unopenable, by kind, and what brings each back: the operator's list of work. */
function unopenable(rows: TSealedRow[]) {
  return {
    twoFactor: ofKind(rows, 'two-factor').map((r) => ({ tenantId: r.tenantId, userId: r.id, email: r.label, enrolled: r.enrolled === true })),
    streams: ofKind(rows, 'stream').map((r) => ({ tenantId: r.tenantId, id: r.id, name: r.label })),
    alertWebhooks: ofKind(rows, 'alert-webhook').map((r) => ({ tenantId: r.tenantId, id: r.id, url: r.label })),
  };
}

/** A value as one shell word (POSIX single quotes): an email or a stream name may hold a quote or a space. */
const shellWord = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

function whatToDo(rows: ReturnType<typeof unopenable>): string[] {
  const enrolled = rows.twoFactor.filter((u) => u.enrolled);
  return [
    ...enrolled.map((u) => `pnpm --silent cli user reset-2fa --tenant ${u.tenantId} --email ${shellWord(u.email)}`),
    ...(enrolled.length > 0 ? ['(each recorded as TWO_FACTOR_RESET; the user enrols again at the next sign-in, and gets new recovery codes)'] : []),
    ...rows.streams.map(
      (s) =>
        `log stream ${shellWord(s.name)} of tenant ${s.tenantId}: give its credential and URL again in the viewer's Edit, or pnpm --silent cli stream delete --tenant ${s.tenantId} --id ${s.id} and stream create it again`,
    ),
    ...rows.alertWebhooks.map(
      (w) =>
        `alert webhook ${w.url} of tenant ${w.tenantId}: pnpm --silent cli alert webhook-remove --tenant ${w.tenantId} --id ${w.id}, then alert webhook-add it again with its URL`,
    ),
  ];
}

export const serverSecretRecord: TCommand = {
  summary:
    "Records the server secret given here (SERVER_SECRET, SERVER_SECRET_FILE or DATA_DIR/server-secret; never generated) as the installation's, " +
    'in place of the one recorded (server_secret_check), as the owner: DATABASE_OWNER_URL. For a lost secret, or values sealed under two secrets. ' +
    'Stop every server and worker first. Lists what this secret does not open (two-factor secrets, log streams, alert webhooks) and what brings each back; ' +
    'records over them only with --accept-unopenable. Prints {"recorded","replaced","opened","unopenable","whatToDo"}.',
  options: { 'accept-unopenable': { type: 'boolean' } },
  async run(values) {
    // the runtime's login may insert the record once, never replace it
    const ownerUrl = process.env.DATABASE_OWNER_URL;
    if (!ownerUrl) throw new Error('DATABASE_OWNER_URL is required: only the database owner may replace the recorded server secret');
    const secret = existingServerSecret(ZSecretSettings.parse(process.env));
    if (!secret)
      throw new Error('no server secret here: give the one every server and worker will have (SERVER_SECRET_FILE, SERVER_SECRET or DATA_DIR/server-secret)');
    const acceptUnopenable = values['accept-unopenable'] === true;
    const { recorded, replaced, survey } = await recordServerSecret(ownerUrl, secret, { acceptUnopenable });
    const rows = unopenable(survey.unopened);
    const todo = whatToDo(rows);
    const opened = { twoFactor: survey.opened['two-factor'], streams: survey.opened.stream, alertWebhooks: survey.opened['alert-webhook'] };
    printJson({ recorded, replaced, opened, unopenable: rows, whatToDo: todo });
    const unopened = countedKinds(unopenedCounts(survey));
    if (!recorded) {
      console.error(
        `nothing recorded: this server secret does not open ${unopened} sealed in the database (listed in "unopenable"). ` +
          'Is it the installation\'s? If the secret they were sealed under is lost, run again with --accept-unopenable: they stay unopenable, and "whatToDo" brings each back.',
      );
      return 1;
    }
    console.error(
      `${replaced ? 'replaced the recorded server secret with this one' : 'this server secret is the one recorded'} (server_secret_check): ` +
        'servers and workers start with it now, and refuse any other. ' +
        (todo.length > 0 ? `It does not open ${unopened}; what brings them back:\n  ${todo.join('\n  ')}` : 'It opens everything sealed in the database.') +
        (replaced
          ? '\nWhat the secret before signed is no longer accepted: two-factor enrolments under way, read cursors (a page is read again from the start), known-device marks (each browser counts as new until its next full sign-in).'
          : ''),
    );
    return 0;
  },
};
