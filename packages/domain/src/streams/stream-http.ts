import http from 'node:http';
import https from 'node:https';
import { checkTargetUrl, guardedLookup, type TTargetPolicy } from './target-guard.ts';

export interface THttpAnswer {
  status: number;
  /** The start of the answer's body (for the destination's last error; never a request header). */
  body: string;
}

/** Agents whose sockets resolve names through the SSRF guard (one pair per policy, reused). */
export function guardedAgents(policy: TTargetPolicy): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const lookup = guardedLookup(policy);
  return { httpAgent: new http.Agent({ keepAlive: true, lookup }), httpsAgent: new https.Agent({ keepAlive: true, lookup }) };
}

/**
 * POSTs `body` to `url` within `timeoutMs` (connect, send and answer together) through the guarded
 * agents. Resolves with any answer; rejects on a refused address, a network error or the timeout.
 */
export function postBody(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
  opts: { timeoutMs: number; policy: TTargetPolicy; agents: ReturnType<typeof guardedAgents> },
): Promise<THttpAnswer> {
  const target = checkTargetUrl(url, opts.policy);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise<THttpAnswer>((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent: target.protocol === 'https:' ? opts.agents.httpsAgent : opts.agents.httpAgent,
        headers: { 'user-agent': 'ModulaAudit-Streams/1', 'content-length': String(bytes.length), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < 2048) chunks.push(chunk);
          kept += chunk.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(bytes);
  });
}
