import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TAuditEventInput } from '@modula/contracts';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { makeEvent } from './events.ts';

export interface TReceivedMail {
  rcptTo: string[];
  mail: ParsedMail;
}

/** A real SMTP server on the loopback (no TLS, no login) that keeps every message it accepts, parsed as a mail client would. */
export async function startSmtp(): Promise<{ url: string; received: TReceivedMail[]; close(): Promise<void> }> {
  const received: TReceivedMail[] = [];
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
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
  const port = (smtp.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}

export interface TReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver: answers each POST with `status(path)` and keeps the raw body (to verify its signature byte for byte). */
export async function startReceiver(status: (path: string) => number = () => 204): Promise<{ url: string; posts: TReceivedPost[]; close(): Promise<void> }> {
  const posts: TReceivedPost[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status(req.url ?? '')).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** LOGIN_FAILED events of one account, one a minute from `startMs` (an address when given). */
export function failedSignIns(tenantId: string, n: number, opts: { account: string; name?: string; ip?: string; startMs?: number }): TAuditEventInput[] {
  const start = opts.startMs ?? Date.now() - 50 * 60_000;
  return Array.from({ length: n }, (_, i) =>
    makeEvent(tenantId, {
      action: 'LOGIN_FAILED',
      outcome: 'FAILED',
      actor: { type: 'USER', id: opts.account, role: 'CASHIER', name: opts.name ?? opts.account },
      entity: undefined,
      occurredAt: new Date(start + i * 60_000).toISOString(),
      ...(opts.ip ? { context: { ip: opts.ip } } : {}),
    }),
  );
}
