import { createHash } from 'node:crypto';
import { authenticateApiKey, type TApiKeyScope } from '@modula/domain';
import type { TServices } from '../context.ts';

/** A key's SHA-256 (base64url): names the key in caches and rate-limit counters without being it. */
export function apiKeyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('base64url');
}

/** Whose a key is: its tenant, and its id (its writes' credential). */
export interface TApiKeyHolder {
  tenantId: string;
  apiKeyId: string;
  scope: TApiKeyScope;
}

/**
 * Verified API keys. A key is looked up again at the database once `recheckMs` (a second) has
 * passed since it last was, so a revoked key is refused within a second or two on every server
 * while PostgreSQL answers. While PostgreSQL does not answer, a key verified in the last `ttlMs` is
 * taken on trust, so devices keep being acknowledged (ingestion needs only Redis), a key revoked
 * during the outage too: a lookup that fails, or that a known key waits for longer than
 * `deadlineMs` (a database that hangs rather than refuses), is answered from memory, and the
 * database is left alone for `outageBackoffMs`. Concurrent lookups of one key are one lookup.
 * Keyed by a hash of the key; a refusal is never remembered.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { key: TApiKeyHolder; checkedAt: number; until: number }>();
  private readonly inFlight = new Map<string, Promise<TApiKeyHolder | undefined>>();
  private databaseDownUntil = 0;

  constructor(
    private readonly services: TServices,
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly outageBackoffMs = 2_000,
    private readonly recheckMs = 1_000,
    private readonly deadlineMs = 300,
  ) {}

  async holderOf(apiKey: string): Promise<TApiKeyHolder | undefined> {
    const id = apiKeyFingerprint(apiKey);
    const hit = this.entries.get(id);
    const now = Date.now();
    const trusted = hit && hit.until > now ? hit.key : undefined;
    if (trusted && (now - hit!.checkedAt < this.recheckMs || now < this.databaseDownUntil)) return trusted;
    const lookup = this.lookup(id, apiKey);
    // a key never verified has nothing to fall back on: it waits (a failure answers 503)
    if (!trusted) return lookup;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.deadlineMs);
      timer.unref();
    });
    const answer = await Promise.race([lookup.catch(() => trusted), late]);
    clearTimeout(timer);
    if (answer !== 'late') return answer;
    this.databaseDownUntil = Date.now() + this.outageBackoffMs;
    return trusted;
  }

  /** One lookup of the key at a time; its answer updates the cache whoever waits for it. */
  private lookup(id: string, apiKey: string): Promise<TApiKeyHolder | undefined> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const lookup = authenticateApiKey(this.services.orm, apiKey)
      .then(
        (key) => {
          this.databaseDownUntil = 0;
          if (!key) this.entries.delete(id);
          else if (this.ttlMs > 0) {
            this.entries.delete(id); // re-inserted last: the oldest entry is the first evicted
            if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
            this.entries.set(id, { key, checkedAt: Date.now(), until: Date.now() + this.ttlMs });
          }
          return key;
        },
        (err: unknown) => {
          this.databaseDownUntil = Date.now() + this.outageBackoffMs;
          throw err;
        },
      )
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, lookup);
    return lookup;
  }
}
