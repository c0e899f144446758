import {
  isBranchOrTenantLifecycle,
  isWrittenByTheService,
  LIMITS,
  nullAsAbsent,
  ZAuditEventInput,
  ZUuid,
  type TAcceptedEvent,
  type TIssue,
} from '@modula/contracts';
import type { TApiKeyScope } from '../accounts/api-keys.ts';
import type { TAppErrorCode } from '../app-error.ts';
import { redactEvent } from './redaction.ts';

/**
 * Who is sending: a tenant's API key, or a module of the monolith (any tenant). `apiKeyId`: the
 * key's id (what its writes record as their credential); `keyId`: a fingerprint of the key (never
 * the key), what its ingest rate is counted by.
 */
export type TIngestPrincipal = { kind: 'apiKey'; tenantId: string; apiKeyId: string; scope: TApiKeyScope; keyId?: string } | { kind: 'system' };

/**
 * An event refused at acceptance, with its position in the request. `code` says why, for the
 * caller to map (ingest.record answers it as the tRPC code): VALIDATION_FAILED for an event that is
 * not valid (size, schema, unknown tenant), FORBIDDEN for a valid event the API key may not send
 * (another tenant's, an action only the service writes, the lifecycle from a device's key). The
 * issues' messages are for people; nothing decides on them.
 */
export interface TRejection {
  index: number;
  eventId?: string;
  code: Extract<TAppErrorCode, 'VALIDATION_FAILED' | 'FORBIDDEN'>;
  issues: TIssue[];
}

export interface TJudgedEvents {
  /** Accepted events with their position in the request. */
  accepted: { index: number; event: TAcceptedEvent }[];
  rejected: TRejection[];
}

/**
 * The eventId to name a refused event by: a UUID in its one spelling (lower case, as `accepted`
 * answers it), anything else as sent (cut short), so the sender can still tell which event it was.
 */
function eventIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('eventId' in raw) || typeof raw.eventId !== 'string') return undefined;
  const uuid = ZUuid.safeParse(raw.eventId);
  return uuid.success ? uuid.data : raw.eventId.slice(0, 64);
}

/** The event's size as UTF-8 JSON; counted exactly only when it could be over `limit` (a UTF-16 unit is at most 3 bytes). */
function serializedBytes(raw: unknown, limit: number): number | undefined {
  try {
    const text = JSON.stringify(raw);
    if (text === undefined) return undefined;
    return text.length * 3 <= limit ? text.length : Buffer.byteLength(text);
  } catch {
    return undefined; // cycles, BigInt: the schema explains what is wrong
  }
}

/**
 * Judges each event on its own: size, schema, tenant of the caller; then redacts it and
 * normalises `occurredAt` to UTC. One bad event never affects the others.
 */
export function judgeEvents(rawEvents: unknown[], principal: TIngestPrincipal): TJudgedEvents {
  const result: TJudgedEvents = { accepted: [], rejected: [] };
  rawEvents.forEach((raw, index) => {
    const eventId = eventIdOf(raw);
    const reject = (issues: TIssue[], code: TRejection['code'] = 'VALIDATION_FAILED') =>
      result.rejected.push({ index, ...(eventId ? { eventId } : {}), code, issues });
    const bytes = serializedBytes(raw, LIMITS.eventMaxBytes);
    if (bytes !== undefined && bytes > LIMITS.eventMaxBytes) {
      return reject([{ path: [], message: `event is ${bytes} bytes serialized; at most ${LIMITS.eventMaxBytes} allowed` }]);
    }
    const parsed = ZAuditEventInput.safeParse(nullAsAbsent(raw));
    if (!parsed.success) {
      return reject(parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })));
    }
    if (principal.kind === 'apiKey' && parsed.data.tenantId !== principal.tenantId) {
      return reject([{ path: ['tenantId'], message: 'FORBIDDEN: not the tenant of this API key' }], 'FORBIDDEN');
    }
    if (principal.kind === 'apiKey' && isWrittenByTheService(parsed.data.action)) {
      const message = `FORBIDDEN: ${parsed.data.action} is recorded by the audit service itself, never sent with an API key`;
      return reject([{ path: ['action'], message }], 'FORBIDDEN');
    }
    if (principal.kind === 'apiKey' && principal.scope === 'device' && isBranchOrTenantLifecycle(parsed.data.action)) {
      const message = `FORBIDDEN: a device's API key may not send ${parsed.data.action}: the branch and tenant lifecycle comes from the platform (a platform key, or the system caller)`;
      return reject([{ path: ['action'], message }], 'FORBIDDEN');
    }
    const { event, redactedPaths } = redactEvent(parsed.data);
    result.accepted.push({ index, event: normalizeEvent({ ...event, occurredAt: new Date(event.occurredAt).toISOString(), redactedPaths }) });
  });
  return result;
}

/** Groups accepted events by tenant (a system caller may send several tenants in one batch). */
export function groupByTenant(events: TAcceptedEvent[]): Map<string, TAcceptedEvent[]> {
  const groups = new Map<string, TAcceptedEvent[]>();
  for (const event of events) {
    const group = groups.get(event.tenantId);
    if (group) group.push(event);
    else groups.set(event.tenantId, [event]);
  }
  return groups;
}

/**
 * `null` and a missing key mean the same here; dropping them makes a resend hash the same. So does a
 * context with nothing in it: all-null members leave `{}` (nullAsAbsent), which stores exactly what
 * no context stores. The worker applies it again to what it reads from a job (an earlier version's).
 */
export function normalizeEvent(event: TAcceptedEvent): TAcceptedEvent {
  const emptyContext = event.context !== undefined && Object.keys(event.context).length === 0;
  // the worker reads every event through here: no copy of one that has nothing to drop
  if (event.branchId !== null && event.before !== null && event.after !== null && !emptyContext) return event;
  const out = { ...event };
  if (out.branchId === null) delete out.branchId;
  if (out.before === null) delete out.before;
  if (out.after === null) delete out.after;
  if (emptyContext) delete out.context;
  return out;
}
