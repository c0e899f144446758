import { z } from 'zod';
import { ZAction, ZDenialReason, ZOutcome, ZRole } from './audit-event.ts';
import { MODULES } from './catalog.ts';
import { isRealCalendarDate, safeString, ZUuid } from './safe-values.ts';

export const ZModule = z.enum(MODULES);

/**
 * Text a reader filters by: 1 to `max` characters that PostgreSQL can compare with stored text
 * (no NUL, which text cannot hold; no lone surrogate, which is not Unicode), so bad input is a 400
 * with the issue, never a failed query.
 */
export function readText(max: number) {
  return safeString(max).min(1);
}

/** A string that starts like an ISO date (whether it is one is the format check's to say). */
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}T/;
/** The year of an ISO date-time as written (before its offset applies). */
const yearOf = (iso: string) => Number(iso.slice(0, 4));

/**
 * A date-time a reader filters by: ISO-8601 with an offset (`Z` or `±hh:mm`), a real calendar
 * date, in the years 0001–9999: what the unsigned ISO form can write and ingestion accepts.
 * PostgreSQL has no year 0 (`0000-…` would fail the query), and JavaScript's six-digit years
 * (`+275760-…`) are not ISO-8601 dates a client sends.
 */
export const ZReadTimestamp = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-22T10:15:00.000+01:00' })
  .refine((iso) => !DATE_LIKE.test(iso) || isRealCalendarDate(iso), { error: 'is not a real calendar date' })
  .refine((iso) => !DATE_LIKE.test(iso) || yearOf(iso) >= 1, { error: 'must be a date in the years 0001–9999' });

/** The shortest `search` (in characters, i.e. code points): pg_trgm indexes runs of three. */
export const SEARCH_MIN_CHARS = 3;

/** Filters of `events.list` (and of exports): every field optional, combined with AND. */
export const ZEventsFilter = z.strictObject({
  from: ZReadTimestamp.optional(),
  to: ZReadTimestamp.optional(),
  /** Upper-case UUIDs are the same ids (lower-cased here, as everywhere). */
  branchIds: z.array(ZUuid).max(100).optional(),
  modules: z.array(ZModule).max(20).optional(),
  actions: z.array(ZAction).max(100).optional(),
  actorIds: z.array(readText(128)).max(100).optional(),
  outcomes: z.array(ZOutcome).max(3).optional(),
  reasons: z.array(ZDenialReason).max(6).optional(),
  entityType: readText(128).optional(),
  entityId: readText(128).optional(),
  sessionId: readText(128).optional(),
  /** Everything one credential wrote (`apikey:<id>`, `user:<id>`, …): what a leaked key did. */
  credential: readText(200).optional(),
  /** Events whose context IP is one of these (as stored: text, compared exactly). */
  ips: z.array(readText(64)).max(100).optional(),
  /** Events of one of these devices (`context.deviceId`, compared exactly). */
  deviceIds: z.array(readText(128)).max(100).optional(),
  /** Events whose actor had one of these roles at the time (SYSTEM actors have none). */
  roles: z.array(ZRole).max(3).optional(),
  /** Negation: none of these actions ("not this action"). */
  excludeActions: z.array(ZAction).max(100).optional(),
  /** Negation: no event of these actors ("not this user"); events without an actor id stay. */
  excludeActorIds: z.array(readText(128)).max(100).optional(),
  search: readText(200)
    .refine((s) => [...s].length >= SEARCH_MIN_CHARS, {
      error: `must be at least ${SEARCH_MIN_CHARS} characters: shorter terms cannot use the search index and would read the whole log`,
    })
    .optional(),
});
export type TEventsFilter = z.infer<typeof ZEventsFilter>;

export const ZEventsListInput = ZEventsFilter.extend({
  /** Opaque keyset cursor from a previous page's `nextCursor`; null (a first page) is what tRPC's infinite queries send. */
  cursor: safeString(512).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
  /**
   * Added by tRPC's infinite queries (`infiniteQueryOptions`). Pages only go forward (older
   * events): a cursor pins one snapshot, so paging back is re-reading the pages already shown.
   */
  direction: z.literal('forward', { error: 'events.list pages forward only (older events); keep the pages already read to go back' }).optional(),
});
export type TEventsListInput = z.input<typeof ZEventsListInput>;

export const ZActorView = z.object({
  type: z.enum(['USER', 'SYSTEM']),
  id: z.string().nullable(),
  role: ZRole.nullable(),
  name: z.string().nullable(),
});

export const ZAuditEventView = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  eventId: z.uuid(),
  tenantId: z.uuid(),
  branchId: z.uuid().nullable(),
  module: ZModule,
  action: ZAction,
  description: z.string(),
  outcome: ZOutcome,
  reason: ZDenialReason.nullable(),
  /** What the client claimed; differs from `outcome` when the service denied a frozen branch's action. */
  claimedOutcome: ZOutcome,
  actor: ZActorView,
  entity: z.object({ type: z.string(), id: z.string(), label: z.string().nullable() }).nullable(),
  occurredAt: z.iso.datetime(),
  receivedAt: z.iso.datetime(),
  context: z.object({
    ip: z.string().nullable(),
    sessionId: z.string().nullable(),
    deviceId: z.string().nullable(),
    deviceSeq: z.number().int().nullable(),
    offline: z.boolean().nullable(),
  }),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  redactedPaths: z.array(z.string()),
  /** Who wrote it (see ZProvenance); null for events stored before provenance was kept (record version 1). */
  provenance: z.object({ credential: z.string().nullable(), sourceAddress: z.string().nullable() }).nullable(),
  hash: z.string(),
  prevHash: z.string(),
});
export type TAuditEventView = z.infer<typeof ZAuditEventView>;

export const ZEventsListOutput = z.object({ items: z.array(ZAuditEventView), nextCursor: z.string().nullable() });
export const ZEventsGetInput = z.strictObject({ id: ZUuid });

export const ZBranchView = z.object({ id: z.uuid(), name: z.string(), status: z.enum(['ACTIVE', 'FROZEN']) });
export const ZBranchesListOutput = z.object({ items: z.array(ZBranchView) });

export const ZFailedLoginsInput = z.strictObject({
  from: ZReadTimestamp.optional(),
  to: ZReadTimestamp.optional(),
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  threshold: z.number().int().min(1).max(1000).default(5),
});
export const ZFailedLoginsOutput = z.object({
  items: z.array(
    z.object({
      actorId: z.string(),
      actorName: z.string().nullable(),
      failures: z.number().int(),
      firstAt: z.iso.datetime(),
      lastAt: z.iso.datetime(),
      ips: z.array(z.string()),
    }),
  ),
});

export const ZIntegrityVerifyOutput = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  firstBrokenSeq: z.number().int().nullable(),
  /** Why the log is not intact (null when it is): missing row, altered row, a signed checkpoint it contradicts. */
  reason: z.string().nullable().optional(),
  /** When this check ran (the viewer's badge shows it). */
  checkedAt: z.iso.datetime().optional(),
  /** The latest signed checkpoint the log was checked against (null when none exists yet). */
  lastCheckpoint: z.object({ seq: z.number().int(), createdAt: z.iso.datetime(), keyId: z.string() }).nullable().optional(),
  /** How many signed checkpoints were checked (signature, chain hash and Merkle root at their seq). */
  checkpointsChecked: z.number().int().optional(),
  /**
   * Where the recomputation started: the seq of the latest signed checkpoint (its signature and its
   * chain hash checked against the stored row; `checked` counts the events after it), or null for a
   * full verification from event 1.
   */
  fromCheckpointSeq: z.number().int().nullable().optional(),
  /**
   * Keys `signing_keys` lists that the server does not trust (never pinned on its host: a key a
   * database superuser could have added); a checkpoint signed by one does not verify. Absent when none.
   */
  notTrustedKeys: z.array(z.string()).optional(),
});
/** `integrity.verify`: from the latest checkpoint (default), or `{ full: true }` from event 1 (one at a time per tenant). */
export const ZIntegrityVerifyInput = z.strictObject({ full: z.boolean().optional() }).optional();

// --- sign-in (the viewer's own) ---
export const ZLoginInput = z
  .strictObject({
    email: z.email().max(254),
    password: z.string().min(1).max(1024),
    totp: z
      .string()
      .regex(/^\d{6}$/, { error: 'must be the 6-digit code from the authenticator app' })
      .optional(),
    /** One of the one-time recovery codes given at enrolment, in place of `totp` (case, dashes and spaces do not matter). */
    recoveryCode: z
      .string()
      .regex(/^[0-9A-Za-z -]{10,16}$/, { error: 'must be a recovery code such as abcde-12345' })
      .optional(),
  })
  .refine((v) => !(v.totp && v.recoveryCode), { error: 'send either totp or recoveryCode, not both', path: ['recoveryCode'] });
export const ZLoginOutput = z.discriminatedUnion('status', [
  z.object({ status: z.literal('OK') }),
  z.object({ status: z.literal('TOTP_REQUIRED') }),
  z.object({
    status: z.literal('TOTP_ENROLLMENT_REQUIRED'),
    enrollmentToken: z.string(),
    otpauthUrl: z.string(),
    /** The otpauth URL as a QR code (PNG data URL) for the authenticator app; shown once. */
    qrDataUrl: z.string(),
    /** The secret in base32 for typing it in by hand; shown once, never again. */
    secret: z.string(),
  }),
]);
export type TLoginOutput = z.infer<typeof ZLoginOutput>;
export const ZConfirmTotpInput = z.strictObject({
  enrollmentToken: z.string().min(1).max(512),
  code: z.string().regex(/^\d{6}$/, { error: 'must be the 6-digit code from the authenticator app' }),
});
export const ZMeOutput = z.object({
  userId: z.uuid(),
  tenantId: z.uuid(),
  tenantName: z.string(),
  /** The tenant's IANA time zone (e.g. Europe/Madrid; UTC unless set): the viewer can show times in it instead of the browser's. */
  tenantTimeZone: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: ZRole,
});
export type TMeOutput = z.infer<typeof ZMeOutput>;
export const ZLogoutOutput = z.object({ status: z.literal('OK') });
export const ZConfirmTotpOutput = z.object({
  status: z.literal('OK'),
  /** One-time codes that can each replace a TOTP code once (a lost phone); shown this once, stored hashed. */
  recoveryCodes: z.array(z.string()),
});
/** The signed-in user's own password change; the other sessions of the user are revoked. */
export const ZChangePasswordInput = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});
export const ZChangePasswordOutput = z.object({ status: z.literal('OK'), sessionsRevoked: z.number().int() });
export type TFailedLoginsInput = z.input<typeof ZFailedLoginsInput>;
export type TFailedLoginsOutput = z.infer<typeof ZFailedLoginsOutput>;
export type TIntegrityVerifyOutput = z.infer<typeof ZIntegrityVerifyOutput>;
export type TBranchView = z.infer<typeof ZBranchView>;
/** Input of procedures that take none (`{}` or nothing). */
export const ZNoInput = z.strictObject({}).optional();
