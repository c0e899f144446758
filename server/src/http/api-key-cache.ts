import { createHash } from 'node:crypto';
import { authenticateApiKey } from '@modula/domain';
import type { TServices } from '../context.ts';

/** A key's SHA-256 (base64url): names the key in caches and rate-limit counters without being it. */
export function apiKeyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('base64url');
}

/**
 * Recently verified API keys, so devices keep being acknowledged while PostgreSQL is briefly
 * unreachable (ingestion needs only Redis). Keyed by a hash of the key; failures are not cached.
 * A revoked key keeps working for at most API_KEY_CACHE_SECONDS.
 */
/** Whose a key is: its tenant, and its id (its writes' credential). */
export interface TApiKeyHolder {
  tenantId: string;
  apiKeyId: string;
}

export class ApiKeyCache {
  private readonly entries = new Map<string, { key: TApiKeyHolder; until: number }>();

  constructor(
    private readonly services: TServices,
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  async holderOf(apiKey: string): Promise<TApiKeyHolder | undefined> {
    const id = apiKeyFingerprint(apiKey);
    const hit = this.entries.get(id);
    if (hit && hit.until > Date.now()) return hit.key;
    const key = await authenticateApiKey(this.services.orm, apiKey);
    if (key && this.ttlMs > 0) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, { key, until: Date.now() + this.ttlMs });
    }
    return key;
  }
}
