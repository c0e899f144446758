import { resolveServerSecret, type TConfig } from '@modula/config';
import type { TAuthSettings } from '@modula/domain';

export const SESSION_COOKIE = 'modula_session';
/**
 * The name behind HTTPS: a browser keeps a `__Host-` cookie only when it was set with Secure,
 * Path=/ and no Domain, so no sibling subdomain or plain-HTTP page can plant or overwrite it.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** The session cookie's name in use: `__Host-modula_session` with COOKIE_SECURE, `modula_session` without (the prefix requires Secure). */
export function sessionCookieName(config: TConfig): string {
  return config.COOKIE_SECURE ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}
const cache = new WeakMap<TConfig, TAuthSettings>();

/** The sign-in and session settings of a configuration (the server secret read or generated once). */
export function authSettingsOf(config: TConfig): TAuthSettings {
  let settings = cache.get(config);
  if (!settings) {
    settings = {
      serverSecret: resolveServerSecret(config),
      idleMinutes: config.SESSION_IDLE_MINUTES,
      absoluteHours: config.SESSION_ABSOLUTE_HOURS,
      backoffAfter: config.LOGIN_BACKOFF_AFTER,
      backoffMs: config.LOGIN_BACKOFF_MS,
      lockMinutes: config.LOGIN_LOCK_MINUTES,
    };
    cache.set(config, settings);
  }
  return settings;
}
