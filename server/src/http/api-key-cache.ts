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
 * passed since it last was, so a revoked key is refused within a second on every server while
 * PostgreSQL answers, and a busy key costs one lookup a second, not one a request. While PostgreSQL
 * does not answer, a key verified in the last `ttlMs` is taken on trust, so devices keep being
 * acknowledged (ingestion needs only Redis), a key revoked during the outage too. After a failed
 * lookup the database is left alone for `outageBackoffMs`: an outage costs a failed connection now
 * and then, not one a request. Keyed by a hash of the key; a refusal is never remembered.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { key: TApiKeyHolder; checkedAt: number; until: number }>();
  private databaseDownUntil = 0;

  constructor(
    private readonly services: TServices,
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly outageBackoffMs = 2_000,
    private readonly recheckMs = 1_000,
  ) {}

  async holderOf(apiKey: string): Promise<TApiKeyHolder | undefined> {
    const id = apiKeyFingerprint(apiKey);
    const hit = this.entries.get(id);
    const now = Date.now();
    const trusted = hit && hit.until > now ? hit.key : undefined;
    if (trusted && (now - hit!.checkedAt < this.recheckMs || now < this.databaseDownUntil)) return trusted;
    let key: TApiKeyHolder | undefined;
    try {
      key = await authenticateApiKey(this.services.orm, apiKey);
    } catch (err) {
      this.databaseDownUntil = Date.now() + this.outageBackoffMs;
      if (trusted) return trusted;
      throw err;
    }
    this.databaseDownUntil = 0;
    if (!key) {
      this.entries.delete(id);
      return undefined;
    }
    if (this.ttlMs > 0) {
      this.entries.delete(id); // re-inserted last: the oldest entry is the first evicted
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, { key, checkedAt: Date.now(), until: Date.now() + this.ttlMs });
    }
    return key;
  }
}
