import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import nodemailer from 'nodemailer';
import { exportUrls, findExportRow, type TExportRow } from './export-requests.ts';

export interface TExportMailSettings {
  /** SMTP_URL, validated by the config at start. */
  smtpUrl: string;
  from: string;
  /** Where the viewer is served: the first PUBLIC_ORIGIN, else http://HOST:PORT. */
  origin: string;
  retentionHours: number;
}

export interface TMail {
  to: string;
  subject: string;
  text: string;
}

export type TExportMailOutcome = 'SENT' | 'NOT_READY' | 'ALREADY_SENT' | 'NO_RECIPIENT';

/**
 * The mail announcing a ready pack, for the Admin who asked: where to download it (a link into the
 * viewer, which asks them to sign in: the link itself opens nothing), its checksum and until when
 * it is kept. Nothing secret: no session, no key, no token — a forwarded mail gives no access.
 */
export function exportReadyMail(row: TExportRow, tenantName: string, s: Pick<TExportMailSettings, 'origin' | 'retentionHours'>): TMail {
  const { url, manifestUrl } = exportUrls(row.id);
  const format = row.format.toUpperCase();
  const keptUntil = new Date(Date.parse(row.completed_at ?? new Date().toISOString()) + s.retentionHours * 3_600_000).toISOString();
  return {
    to: row.requested_by_email!,
    subject: `Audit log export ready: ${format}, ${row.rows} events (${tenantName})`,
    text: [
      `Hello ${row.requested_by_name ?? row.requested_by_email},`,
      '',
      `the ${format} export of the audit log of ${tenantName} that you asked for on ${row.created_at} is ready: ${row.rows} events.`,
      '',
      `Download it (sign in as an Admin of ${tenantName}):`,
      `${s.origin}${url}`,
      '',
      'Its signed manifest, for verify-export:',
      `${s.origin}${manifestUrl}`,
      '',
      `SHA-256 of the file: ${row.sha256}`,
      `The file is kept until ${keptUntil}; the manifest stays.`,
      '',
      '— Modula Audit',
    ].join('\n'),
  };
}

/** One SMTP transport per process (nodemailer opens a connection per message). */
export function createMailer(s: TExportMailSettings) {
  const transport = nodemailer.createTransport(s.smtpUrl, { from: s.from });
  return {
    send: (mail: TMail) => transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text }),
    close: () => transport.close(),
  };
}

/**
 * Mails the link of a READY pack to whoever asked for it, once: `exports.mailed_at` is set after
 * the server took the message, and a later attempt (a retried job) sends nothing. A pack asked for
 * by an operator (CLI: no email) is not mailed. A failure throws (the job retries) and changes
 * nothing about the pack, which stays READY.
 */
export async function mailReadyExport(
  orm: Orm,
  mailer: { send(mail: TMail): Promise<unknown> },
  s: TExportMailSettings,
  tenantId: string,
  exportId: string,
): Promise<TExportMailOutcome> {
  const found = await withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const row = await findExportRow(db, tenantId, exportId);
    const extra = (
      await sql<{ mailed: boolean; tenant_name: string }>`select e.mailed_at is not null as mailed, t.name as tenant_name
      from exports e join tenants t on t.id = e.tenant_id where e.tenant_id = ${tenantId} and e.id = ${exportId}`.execute(db)
    ).rows[0];
    return row && extra ? { row, ...extra } : undefined;
  });
  if (found?.row.status !== 'READY') return 'NOT_READY';
  if (found.mailed) return 'ALREADY_SENT';
  if (!found.row.requested_by_email) return 'NO_RECIPIENT';
  await mailer.send(exportReadyMail(found.row, found.tenant_name, s));
  await withTenant(orm, tenantId, (em) =>
    sql`update exports set mailed_at = now() where tenant_id = ${tenantId} and id = ${exportId} and mailed_at is null`.execute(dbOf(em)),
  );
  return 'SENT';
}
