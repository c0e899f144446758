import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { sendableWebhookUrl, shownWebhookUrl } from '../alerts/alert-webhook-urls.ts';
import { openAlertWebhookSecret } from '../alerts/alert-webhooks.ts';
import { allTenantIds } from '../integrity/checkpoints.ts';
import { openStreamSecret, openStreamUrl } from '../streams/stream-settings.ts';
import { sealedUrlsOf } from '../streams/stream-urls.ts';
import { decryptSecret } from './server-keys.ts';

/** What the server secret seals: a user's TOTP secret, a log stream's credential and URLs, an alert webhook's signing secret and URL. */
export type TSealedKind = 'two-factor' | 'stream' | 'alert-webhook';

/**
 * A row holding values sealed under the server secret, as an operator finds it again: its tenant,
 * kind and id, and a label (the user's email, the stream's name, the webhook's display form: never
 * a URL's path). `enrolled`: a two-factor confirmed (one only begun is made anew at the next sign-in).
 */
export type TSealedRow = { tenantId: string; kind: TSealedKind; id: string; label: string; enrolled?: boolean };

/** How many rows of each kind one secret opens (every sealed value of the row), and the rows it does not. */
export type TSealedSurvey = { opened: Record<TSealedKind, number>; unopened: TSealedRow[] };

type TOpen = (serverSecret: Buffer) => unknown;
type TReadRow = { row: TSealedRow; opens: TOpen[] };

async function sealedRowsOf(orm: Orm, tenantId: string): Promise<TReadRow[]> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const users = await sql<{ id: string; email: string; totp_secret_enc: string; totp_enrolled: boolean }>`
      select id, email, totp_secret_enc, totp_enrolled from users where tenant_id = ${tenantId} and totp_secret_enc is not null`.execute(db);
    const streams = await sql<{ id: string; name: string; secret_sealed: string | null; settings: unknown }>`
      select id, name, secret_sealed, settings from stream_destinations where tenant_id = ${tenantId}`.execute(db);
    const webhooks = await sql<{ id: string; url: string; secret_sealed: string }>`
      select id, url, secret_sealed from alert_webhooks where tenant_id = ${tenantId}`.execute(db);
    const rows: TReadRow[] = [
      ...users.rows.map((u) => ({
        row: { tenantId, kind: 'two-factor' as const, id: u.id, label: u.email, enrolled: u.totp_enrolled },
        opens: [(k: Buffer) => decryptSecret(k, u.totp_secret_enc)],
      })),
      ...streams.rows.map((s) => ({
        row: { tenantId, kind: 'stream' as const, id: s.id, label: s.name },
        opens: [
          ...(s.secret_sealed === null ? [] : [(k: Buffer) => openStreamSecret({ serverSecret: k }, s.secret_sealed!)]),
          ...sealedUrlsOf(s.settings).map((box) => (k: Buffer) => openStreamUrl({ serverSecret: k }, box)),
        ],
      })),
      ...webhooks.rows.map((w) => ({
        row: { tenantId, kind: 'alert-webhook' as const, id: w.id, label: shownWebhookUrl(w.url) },
        opens: [(k: Buffer) => openAlertWebhookSecret(k, w.secret_sealed), (k: Buffer) => sendableWebhookUrl(k, w.url)],
      })),
    ];
    return rows.filter((r) => r.opens.length > 0);
  });
}

function opensAll(serverSecret: Buffer, opens: TOpen[]): boolean {
  try {
    for (const open of opens) open(serverSecret);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every value the database holds sealed, tried with this secret, tenant by tenant. Read whole, not
 * sampled: one sample decided before, and a database an earlier CLI sealed into under a secret of
 * its own (a generated DATA_DIR/server-secret) made that stray secret the installation's. Run only
 * while nothing is recorded (once after an upgrade) and by the owner's `cli server-secret record`.
 */
export async function surveySealedValues(orm: Orm, serverSecret: Buffer): Promise<TSealedSurvey> {
  const survey: TSealedSurvey = { opened: { 'two-factor': 0, stream: 0, 'alert-webhook': 0 }, unopened: [] };
  for (const tenantId of await allTenantIds(orm)) {
    for (const { row, opens } of await sealedRowsOf(orm, tenantId)) {
      if (opensAll(serverSecret, opens)) survey.opened[row.kind]++;
      else survey.unopened.push(row);
    }
  }
  return survey;
}

/**
 * Whether the secret surveyed is the installation's, as far as what is sealed can tell.
 * Two-factor secrets decide when there are any, every one of them: only servers seal those (no CLI
 * ever did), so they name the secret the servers had; a stream or webhook that secret does not open
 * was sealed by a CLI under another and has never delivered. Without any, every stream and webhook
 * must open: a CLI may have sealed most of them, so no majority says which secret the servers had.
 * `mixed`: the secret opens some and not others (values sealed under two secrets), which the
 * operator alone can settle; `other`: it opens none.
 */
export function judgeSurvey(survey: TSealedSurvey): 'installation' | 'mixed' | 'other' {
  const unopened = (twoFactor: boolean) => survey.unopened.filter((r) => (r.kind === 'two-factor') === twoFactor).length;
  const twoFactor = { opened: survey.opened['two-factor'], unopened: unopened(true) };
  const deciding =
    twoFactor.opened + twoFactor.unopened > 0 ? twoFactor : { opened: survey.opened.stream + survey.opened['alert-webhook'], unopened: unopened(false) };
  if (deciding.unopened === 0) return 'installation';
  return deciding.opened === 0 ? 'other' : 'mixed';
}

const KIND_NAMES: Record<TSealedKind, string> = { 'two-factor': 'two-factor secret', stream: 'log stream', 'alert-webhook': 'alert webhook' };

/** `2 two-factor secrets, 1 log stream`: counts of a survey in words, for a log line or a refusal. */
export function countedKinds(counts: Record<TSealedKind, number>): string {
  const said = (Object.keys(counts) as TSealedKind[]).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${KIND_NAMES[k]}${counts[k] === 1 ? '' : 's'}`);
  return said.length > 0 ? said.join(', ') : 'nothing';
}

/** The rows a secret does not open, counted by kind. */
export function unopenedCounts(survey: TSealedSurvey): Record<TSealedKind, number> {
  const counts: Record<TSealedKind, number> = { 'two-factor': 0, stream: 0, 'alert-webhook': 0 };
  for (const r of survey.unopened) counts[r.kind]++;
  return counts;
}

/** The first rows a secret does not open, named for an operator by tenant, kind and id: what a log line or refusal lists. */
export function namedRows(rows: TSealedRow[], most = 10): string {
  const byTenant = new Map<string, string[]>();
  for (const r of rows.slice(0, most)) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), `${KIND_NAMES[r.kind]} ${r.id}`]);
  const named = [...byTenant].map(([tenantId, names]) => `tenant ${tenantId}: ${names.join(', ')}`).join('; ');
  return rows.length > most ? `${named}; and ${rows.length - most} more` : named;
}
