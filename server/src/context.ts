import type { TConfig } from '@modula/config';
import type { Orm } from '@modula/db';
import type { TIngestPrincipal, TReadTokenHolder, TSession } from '@modula/domain';
import type { CoalescingEnqueuer, IngestQueue, TRedis } from '@modula/queue';
import type { Logger } from 'pino';
import type { IngestMetrics } from './http/metrics.ts';

/** Long-lived parts every procedure may use; built once per process. */
export interface TServices {
  config: TConfig;
  orm: Orm;
  redis: TRedis;
  ingestQueue: IngestQueue;
  /** Where accepted events go: concurrent callers of one tenant share a job. */
  enqueuer: CoalescingEnqueuer;
  metrics: IngestMetrics;
  log: Logger;
}

export interface TContext {
  services: TServices;
  /** Who may ingest: an API key's tenant, the in-process system caller, or nobody. */
  principal: TIngestPrincipal | null;
  /** The viewer's signed-in session (cookie), if any; absent for in-process callers. */
  session?: TSession | null;
  /** A tenant's read token (`Authorization: Bearer mrt_…`), if the request carried a valid one: reads only (issue 16). */
  readToken?: TReadTokenHolder | null;
  /** The HTTP side of a request: client address and the session cookie. Absent for in-process callers. */
  http?: THttpSide;
}

export interface THttpSide {
  ip: string | null;
  /** The raw session cookie, for sign-out. */
  sessionToken: string | undefined;
  setSessionCookie(token: string): void;
  clearSessionCookie(): void;
  /** The known-device cookie (a browser that signed in to an account before), for sign-in. */
  deviceToken?: string | undefined;
  setDeviceCookie?(token: string, maxAgeSeconds: number): void;
}

/** The context of an in-process module of the monolith: may ingest for any tenant. */
export function createSystemContext(services: TServices): TContext {
  return { services, principal: { kind: 'system' } };
}
