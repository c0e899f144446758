import { resolveServerSecret, type TConfig } from '@modula/config';
import type { TAuthSettings } from '@modula/domain';

export const SESSION_COOKIE = 'modula_session';
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
