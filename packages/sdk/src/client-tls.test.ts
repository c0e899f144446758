import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditOutbox, createAuditClient } from './index.ts';

/**
 * The API key travels in every request (`Authorization: Bearer …`): over plain http anyone on the
 * shop's Wi-Fi reads it and writes the tenant's log. TLS for every connection but this machine's
 * own (ASVS V9.1.1); a LAN without TLS is an explicit choice (`allowInsecureHttp`).
 */
const TENANT = '0190a000-0000-7000-8000-000000000001';
const API_KEY = 'mak_0190a0000000700080000000000000001_secret';

/** A fetch that records what would have gone on the wire and answers like time.now. */
function recordingFetch() {
  const sent: { url: string; authorization: string | null }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    sent.push({ url, authorization: new Headers(init?.headers).get('authorization') });
    return new Response(JSON.stringify({ result: { data: { now: new Date().toISOString() } } }), { headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { sent, fetch };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-tls-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the API key never leaves the machine unencrypted', () => {
  it('createAuditClient refuses an http:// service on another host, before anything is sent', async () => {
    for (const url of ['http://audit.example.com', 'http://10.0.0.5:3000', 'http://[fd00::5]:3000', 'HTTP://Audit.Example.com/']) {
      const { sent, fetch } = recordingFetch();
      let refused: unknown;
      try {
        await createAuditClient({ url, apiKey: API_KEY, fetch }).time.now.query();
      } catch (err) {
        refused = err;
      }
      expect(sent, `${url}: the key went out in clear`).toEqual([]);
      expect(String(refused), url).toMatch(/https/);
    }
  });

  it('AuditOutbox.open refuses it too, and sends nothing', async () => {
    const { sent, fetch } = recordingFetch();
    await expect(AuditOutbox.open({ url: 'http://audit.example.com', apiKey: API_KEY, tenantId: TENANT, dir, fetch, autoSync: false })).rejects.toThrow(
      /https/,
    );
    expect(sent).toEqual([]);
  });

  it('takes https anywhere, http on this machine, and http elsewhere only when asked to', async () => {
    for (const url of ['https://audit.example.com', 'http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) {
      const { sent, fetch } = recordingFetch();
      await createAuditClient({ url, apiKey: API_KEY, fetch }).time.now.query();
      expect(sent, url).toHaveLength(1);
    }
    const { sent, fetch } = recordingFetch();
    await createAuditClient({ url: 'http://10.0.0.5:3000', apiKey: API_KEY, fetch, allowInsecureHttp: true }).time.now.query();
    expect(sent).toEqual([{ url: 'http://10.0.0.5:3000/trpc/time.now', authorization: `Bearer ${API_KEY}` }]);
  });
});
