import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got. */
export interface TReceived {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status the receiver answered with, once it has answered (500 when `answer` threw). */
  status?: number;
}

export interface TReceiver {
  url: string;
  requests: TReceived[];
  /** What the receiver answers next (changeable while it runs). */
  answer: (req: TReceived) => Promise<{ status: number; body?: string; headers?: Record<string, string> }> | { status: number; body?: string };
  close(): Promise<void>;
}

/** A real HTTP server on a free port of 127.0.0.1 that records every request and answers as `answer` says. */
export async function startReceiver(answer: TReceiver['answer'] = () => ({ status: 200 })): Promise<TReceiver> {
  const receiver = { requests: [] as TReceived[], answer } as TReceiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: TReceived = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      receiver.requests.push(received);
      Promise.resolve(receiver.answer(received)).then(
        (a) => {
          received.status = a.status;
          res.writeHead(a.status, { 'content-type': 'application/json', ...('headers' in a ? a.headers : {}) });
          res.end(a.body ?? '{}');
        },
        () => {
          received.status = 500;
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return receiver;
}

/**
 * The README's webhook verification, written here independently of the service's code: the header
 * `t=<unix>,v1=<hex>`, HMAC-SHA256 of `<t>.<raw body>` under the secret, compared in constant time,
 * and a timestamp no further than `toleranceSeconds` from now.
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, rawBody: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!header) return false;
  const fields = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    fields.set(key, [...(fields.get(key) ?? []), part.slice(eq + 1).trim()]);
  }
  const t = Number(fields.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`, 'utf8').digest();
  return (fields.get('v1') ?? []).some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
