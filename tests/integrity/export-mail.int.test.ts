import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { mailReadyExport } from '@modula/domain';
import { createRedis, ExportQueue } from '@modula/queue';
import { startExportWorker, type TExportWorker } from '@modula/worker';
import { simpleParser, type ParsedMail } from 'mailparser';
import { pino } from 'pino';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually } from '../../testing/events.ts';
import { exportWhenReady } from '../../testing/exports.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { signedInAdmin, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * The seed lesson: a pack's download link is mailed to the Admin who asked for it, when SMTP_URL
 * is set. Sent by nodemailer to a real SMTP server (smtp-server, same authors) that this test runs
 * on the loopback, with a login; the message is parsed as a mail client would (mailparser).
 */
const SMTP_PASSWORD = 'smtp-secret-Zq81';
const ORIGIN = 'https://audit.bistro.test';
const received: { rcptTo: string[]; mail: ParsedMail }[] = [];
let smtp: SMTPServer;
let smtpPort: number;
let stack: TestStack;
let tenantId: string;
let apiKey: string;
let admin: Awaited<ReturnType<typeof signedInAdmin>>;

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'modula' && auth.password === SMTP_PASSWORD) callback(null, { user: 'modula' });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ rcptTo: (session.envelope.rcptTo as SMTPServerAddress[]).map((a) => a.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;
  stack = await startStack({ env: { ...VIEWER_ENV, DATA_DIR: mkdtempSync(join(tmpdir(), 'modula-mail-')) } });
  ({ tenantId, apiKey } = await stack.createTenant('Bistro Uno'));
  admin = await signedInAdmin(stack, tenantId);
});
afterAll(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

/** An export worker whose mail settings are `smtpUrl`, its log lines kept. */
function exportWorker(smtpUrl: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = { ...stack.config, SMTP_URL: smtpUrl, MAIL_FROM: 'Modula Audit <audit@bistro.test>', PUBLIC_ORIGIN: [ORIGIN] };
  return { worker: startExportWorker(config, stack.services.orm, pino({ level: 'info' }, sink)), lines, config };
}

describe('with SMTP_URL, a ready pack is mailed to the Admin who asked for it', () => {
  let worker: TExportWorker;
  let ready: Awaited<ReturnType<typeof exportWhenReady>>;
  let settings: ReturnType<typeof exportWorker>;
  beforeAll(async () => {
    settings = exportWorker(`smtp://modula:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}`);
    worker = settings.worker;
    ready = await exportWhenReady(stack, admin.cookie, 'csv');
  });
  afterAll(() => worker?.close());

  it('to that Admin, with the subject, the link in the body and no secret', async () => {
    const message = await eventually(async () => received.find((m) => m.mail.text?.includes(ready.exportId)), 15_000);
    expect(message.rcptTo).toEqual([admin.email]);
    expect(message.mail.to && 'text' in message.mail.to ? message.mail.to.text : '').toBe(admin.email);
    expect(message.mail.from?.text).toContain('audit@bistro.test');
    expect(message.mail.subject).toBe(`Audit log export ready: CSV, ${ready.rows} events (Bistro Uno)`);
    const body = message.mail.text ?? '';
    expect(body).toContain(`${ORIGIN}/exports/${ready.exportId}/file`);
    expect(body).toContain(`${ORIGIN}/exports/${ready.exportId}/manifest`);
    expect(body).toContain(ready.sha256);
    const session = admin.cookie.split(';')[0]!.split('=').slice(1).join('=');
    expect(session.length).toBeGreaterThan(10);
    const raw = JSON.stringify(message.mail.headerLines) + body + (message.mail.html || '');
    for (const secret of [session, apiKey, SMTP_PASSWORD, VIEWER_ENV.SERVER_SECRET, admin.secret ?? 'no-totp-secret']) expect(raw).not.toContain(secret);
  });

  it('once: a re-run of the mail job sends nothing more', async () => {
    // the job records the mail once the SMTP server has taken it, a moment after the server's own
    // callback (which the test above waits for): a re-run is judged after that record
    await eventually(async () => {
      const [row] = await queryRows<{ mailed: boolean }>(stack.databaseSuperuserUrl, 'select mailed_at is not null as mailed from exports where id = $1', [
        ready.exportId,
      ]);
      return row?.mailed || undefined;
    }, 15_000);
    const sent: unknown[] = [];
    const again = await mailReadyExport(
      stack.services.orm,
      { send: async (m) => sent.push(m) },
      { smtpUrl: settings.config.SMTP_URL, from: settings.config.MAIL_FROM, origin: ORIGIN, retentionHours: 168 },
      tenantId,
      ready.exportId,
    );
    expect(again).toBe('ALREADY_SENT');
    expect(sent).toEqual([]);
  });
});

describe('a mail that cannot be sent', () => {
  it('leaves the pack READY, logs the failure without the SMTP password, and is retried by the job registry’s policy', async () => {
    const wrong = 'wrong-password-Kx42';
    const { worker, lines } = exportWorker(`smtp://modula:${wrong}@127.0.0.1:${smtpPort}`);
    try {
      const before = received.length;
      const ready = await exportWhenReady(stack, admin.cookie, 'csv');
      const failure = await eventually(async () => lines.find((l) => l.includes('export mail failed') && l.includes(ready.exportId)), 15_000);
      expect(JSON.parse(failure)).toMatchObject({ level: 40, tenantId, exportId: ready.exportId, attempt: 1, code: 'EAUTH' });
      expect(lines.join('')).not.toContain(wrong);
      expect((await trpc(stack, 'query', 'exports.get', { exportId: ready.exportId }, { cookie: admin.cookie })).data).toMatchObject({ status: 'READY' });
      expect(received.length).toBe(before);
      const redis = createRedis(stack.config, 'producer');
      const queue = new ExportQueue(redis, stack.config.QUEUE_PREFIX);
      try {
        const job = await eventually(async () => {
          const j = await queue.queue.getJob(`export-mail-${ready.exportId}`);
          return j && (await j.getState()) === 'delayed' ? j : undefined;
        });
        expect(job.attemptsMade).toBe(1);
        expect(job.opts.attempts).toBe(8);
      } finally {
        await queue.close();
        redis.disconnect();
      }
    } finally {
      await worker.close();
    }
  });
});
