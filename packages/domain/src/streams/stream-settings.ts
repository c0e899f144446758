import { resolveServerSecret, type TConfig } from '@modula/config';
import { decryptSecret, encryptSecret } from '../auth/server-keys.ts';
import { guardedAgents } from './stream-http.ts';
import type { TTargetPolicy } from './target-guard.ts';

/** What streams need of the configuration, read once per process. */
export interface TStreamSettings {
  serverSecret: Buffer;
  policy: TTargetPolicy;
  agents: ReturnType<typeof guardedAgents>;
  timeoutMs: number;
  batchMax: number;
  batchMaxBytes: number;
  backoffMs: number;
  backoffMaxMs: number;
  pauseAfterFailures: number;
}

export function streamSettings(config: TConfig): TStreamSettings {
  const policy = { allowHttp: config.STREAM_ALLOW_HTTP, allowPrivate: config.STREAM_ALLOW_PRIVATE_ADDRESSES };
  return {
    serverSecret: resolveServerSecret(config),
    policy,
    agents: guardedAgents(policy),
    timeoutMs: config.STREAM_TIMEOUT_MS,
    batchMax: config.STREAM_BATCH_MAX,
    batchMaxBytes: config.STREAM_BATCH_MAX_BYTES,
    backoffMs: config.STREAM_BACKOFF_MS,
    backoffMaxMs: config.STREAM_BACKOFF_MAX_MS,
    pauseAfterFailures: config.STREAM_PAUSE_AFTER_FAILURES,
  };
}

// a key of its own, derived from the server secret: a sealed stream credential never opens as a TOTP secret
const PURPOSE = 'stream-secret';

export function sealStreamSecret(s: Pick<TStreamSettings, 'serverSecret'>, plain: string): string {
  return encryptSecret(s.serverSecret, plain, PURPOSE);
}

export function openStreamSecret(s: Pick<TStreamSettings, 'serverSecret'>, sealed: string): string {
  return decryptSecret(s.serverSecret, sealed, PURPOSE);
}

// another key again: a sealed URL never opens as a credential, nor a credential as a URL
const URL_PURPOSE = 'stream-url';

/** Seals a target URL that is its own credential (stream-urls.ts). */
export function sealStreamUrl(s: Pick<TStreamSettings, 'serverSecret'>, url: string): string {
  return encryptSecret(s.serverSecret, url, URL_PURPOSE);
}

export function openStreamUrl(s: Pick<TStreamSettings, 'serverSecret'>, sealed: string): string {
  return decryptSecret(s.serverSecret, sealed, URL_PURPOSE);
}
