import { ZStreamView, type TStreamCreateInput, type TStreamTarget, type TStreamUpdateInput, type TStreamView } from '@modula/contracts';
import { dbOf, sql, withTenant, type Db, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';
import { isoUtc } from '../read/event-view.ts';
import { sealStreamSecret, type TStreamSettings } from './stream-settings.ts';
import { needsReseal, resealedSettings, sameUrls, shownTarget, storedSettings } from './stream-urls.ts';
import { checkTargetUrl, type TTargetPolicy } from './target-guard.ts';
import { newWebhookSecret } from './webhook-signature.ts';

type TStreamRow = {
  id: string;
  name: string;
  settings: unknown;
  status: string;
  paused_reason: string | null;
  cursor_seq: string;
  head_seq: string;
  lag_seconds: string | null;
  consecutive_failures: number;
  next_attempt_at: string | null;
  last_delivery_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  created_at: string;
  updated_at: string;
};

// one statement answers the list: the tenant's head for the lag in events, and the oldest
// undelivered event's receivedAt for the lag in seconds (one index step on (tenant_id, seq))
const SELECT = sql`select s.id, s.name, s.settings, s.status, s.paused_reason, s.cursor_seq, s.consecutive_failures,
  ${isoUtc('s.next_attempt_at')} as next_attempt_at, ${isoUtc('s.last_delivery_at')} as last_delivery_at, s.last_error,
  ${isoUtc('s.last_error_at')} as last_error_at, ${isoUtc('s.created_at')} as created_at, ${isoUtc('s.updated_at')} as updated_at,
  coalesce(h.seq, 0) as head_seq,
  (select extract(epoch from now() - e.received_at) from audit_events e
    where e.tenant_id = s.tenant_id and e.seq > s.cursor_seq order by e.seq limit 1) as lag_seconds
  from stream_destinations s left join chain_heads h on h.tenant_id = s.tenant_id`;

function toStreamView(r: TStreamRow): TStreamView {
  const cursor = Number(r.cursor_seq);
  const head = Number(r.head_seq);
  return ZStreamView.parse({
    id: r.id,
    name: r.name,
    target: shownTarget(r.settings),
    status: r.status,
    pausedReason: r.paused_reason,
    cursorSeq: cursor,
    headSeq: head,
    lagEvents: Math.max(0, head - cursor),
    lagSeconds: r.lag_seconds === null ? 0 : Math.max(0, Math.round(Number(r.lag_seconds) * 1000) / 1000),
    lastDeliveryAt: r.last_delivery_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    consecutiveFailures: r.consecutive_failures,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

async function readStream(db: Db, tenantId: string, id: string): Promise<TStreamView> {
  const row = (await sql<TStreamRow>`${SELECT} where s.tenant_id = ${tenantId} and s.id = ${id}::uuid`.execute(db)).rows[0];
  if (!row) throw new AppError('NOT_FOUND', `no log stream ${id}`);
  return toStreamView(row);
}

/** Every URL of a target, checked against the installation's policy (https, no private address). */
export function checkTarget(target: TStreamTarget, policy: TTargetPolicy): void {
  if (target.kind === 'S3') {
    if (target.endpoint) checkTargetUrl(target.endpoint, policy);
    return;
  }
  checkTargetUrl(target.url, policy);
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505' || /duplicate key|unique/i.test((err as Error).message ?? '');
}

/**
 * The tenant's log streams, oldest first, with their cursor, lag and last error. A target URL that
 * is its own credential is shown as its display form (stream-urls.ts); given `s`, one an earlier
 * version stored in clear is sealed now (lazy reseal).
 */
export async function listStreams(orm: Orm, tenantId: string, s?: Pick<TStreamSettings, 'serverSecret'>): Promise<TStreamView[]> {
  return withTenant(orm, tenantId, async (em) => {
    const { rows } = await sql<TStreamRow>`${SELECT} where s.tenant_id = ${tenantId} order by s.created_at, s.id`.execute(dbOf(em));
    if (s) await resealStoredUrls(dbOf(em), s, tenantId, rows);
    return rows.map(toStreamView);
  });
}

/**
 * Lazy reseal: rewrites the settings of rows an earlier version stored with a credential URL in
 * clear, sealed. Only if unchanged since read; updated_at stays (no Admin changed anything).
 */
export async function resealStoredUrls(
  db: Db,
  s: Pick<TStreamSettings, 'serverSecret'>,
  tenantId: string,
  rows: { id: string; settings: unknown }[],
): Promise<void> {
  for (const r of rows) {
    if (!needsReseal(r.settings)) continue;
    await sql`update stream_destinations set settings = ${JSON.stringify(resealedSettings(s, r.settings))}::jsonb
      where tenant_id = ${tenantId} and id = ${r.id}::uuid and settings = ${JSON.stringify(r.settings)}::jsonb`.execute(db);
  }
}

export async function getStream(orm: Orm, tenantId: string, id: string): Promise<TStreamView> {
  return withTenant(orm, tenantId, (em) => readStream(dbOf(em), tenantId, id));
}

/**
 * Adds a destination, delivering from the tenant's first stored event. A webhook without a secret
 * gets a generated one, returned here once (`signingSecret`); the others need their credential.
 */
export async function createStream(
  orm: Orm,
  s: Pick<TStreamSettings, 'serverSecret' | 'policy'>,
  tenantId: string,
  input: TStreamCreateInput,
): Promise<{ stream: TStreamView; signingSecret?: string }> {
  checkTarget(input.target, s.policy);
  const generated = input.target.kind === 'WEBHOOK' && !input.secret ? newWebhookSecret() : undefined;
  const secret = input.secret ?? generated;
  if (!secret) throw new AppError('VALIDATION_FAILED', `a ${input.target.kind} stream needs its credential (secret)`);
  const id = uuidv7();
  try {
    const stream = await withTenant(orm, tenantId, async (em) => {
      const db = dbOf(em);
      await sql`insert into stream_destinations (tenant_id, id, name, kind, settings, secret_sealed)
        values (${tenantId}, ${id}, ${input.name}, ${input.target.kind}, ${JSON.stringify(storedSettings(s, input.target))}::jsonb, ${sealStreamSecret(s, secret)})`.execute(
        db,
      );
      return readStream(db, tenantId, id);
    });
    return { stream, ...(generated ? { signingSecret: generated } : {}) };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', `a log stream named "${input.name}" exists`);
    throw err;
  }
}

/**
 * Where a kind's credential itself travels, in a header the receiver reads (Splunk's HEC token,
 * Datadog's API key); null where it only signs (a webhook's HMAC secret, S3's SigV4 secret key).
 */
function credentialOrigin(t: TStreamTarget): string | null {
  return t.kind === 'SPLUNK' || t.kind === 'DATADOG' ? new URL(t.url).origin : null;
}

/**
 * Changes a destination's name, target or credential. A new target or credential clears its
 * failure count and backoff (the Admin fixed something); the cursor stays.
 */
export async function updateStream(
  orm: Orm,
  s: Pick<TStreamSettings, 'serverSecret' | 'policy'>,
  tenantId: string,
  input: TStreamUpdateInput,
): Promise<{ before: TStreamView; stream: TStreamView; credentialChanged: boolean; urlChanged: boolean; signingSecret?: string }> {
  try {
    return await withTenant(orm, tenantId, async (em) => {
      const db = dbOf(em);
      // locked until this change commits: a concurrent one reads what this one wrote
      const locked = (
        await sql<{ settings: unknown }>`select settings from stream_destinations where tenant_id = ${tenantId} and id = ${input.id}::uuid for update`.execute(
          db,
        )
      ).rows[0];
      const before = await readStream(db, tenantId, input.id);
      if (input.expectedUpdatedAt !== undefined && Date.parse(input.expectedUpdatedAt) !== Date.parse(before.updatedAt))
        throw new AppError(
          'PRECONDITION_FAILED',
          `the log stream "${before.name}" was changed at ${before.updatedAt}, after the version this change was made from (${input.expectedUpdatedAt}): open it again`,
        );
      const target = input.target ?? before.target;
      if (input.target) checkTarget(input.target, s.policy);
      const generated = input.rotateSecret && target.kind === 'WEBHOOK' && !input.secret ? newWebhookSecret() : undefined;
      const secret = input.secret ?? generated;
      if (target.kind !== before.target.kind && !secret)
        throw new AppError('VALIDATION_FAILED', `a stream that becomes ${target.kind} needs its credential (secret)`);
      // a kept credential goes only where it was given for: else changing the URL would hand it to any host
      const travelsTo = credentialOrigin(target);
      if (!secret && travelsTo !== credentialOrigin(before.target))
        throw new AppError('VALIDATION_FAILED', `the stream's credential is sent to its host: give it again (secret) to send it to ${travelsTo}`);
      // an S3 secret key signs for its own access key id only: a new id with the old secret would fail every delivery
      if (!secret && target.kind === 'S3' && before.target.kind === 'S3' && target.accessKeyId !== before.target.accessKeyId)
        throw new AppError('VALIDATION_FAILED', `a new access key id needs its secret key: give it (secret) with ${target.accessKeyId}`);
      const reset = input.target !== undefined || secret !== undefined;
      // a URL given back as shown keeps its sealed one; no new target keeps the row's (sealed now if it was not)
      const settings = input.target ? storedSettings(s, input.target, locked?.settings) : resealedSettings(s, locked?.settings);
      await sql`update stream_destinations set name = ${input.name ?? before.name}, settings = ${JSON.stringify(settings)}::jsonb,
          secret_sealed = coalesce(${secret === undefined ? null : sealStreamSecret(s, secret)}, secret_sealed),
          consecutive_failures = case when ${reset} then 0 else consecutive_failures end,
          next_attempt_at = case when ${reset} then null else next_attempt_at end,
          updated_at = now()
        where tenant_id = ${tenantId} and id = ${input.id}::uuid`.execute(db);
      return {
        before,
        stream: await readStream(db, tenantId, input.id),
        credentialChanged: secret !== undefined,
        urlChanged: !sameUrls(s, locked?.settings, settings),
        ...(generated ? { signingSecret: generated } : {}),
      };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', `a log stream named "${input.name}" exists`);
    throw err;
  }
}

/** Pauses (by an Admin) or resumes a destination; resuming clears its failures and backoff and delivers from its cursor. */
export async function setStreamPaused(orm: Orm, tenantId: string, id: string, paused: boolean): Promise<{ stream: TStreamView; changed: boolean }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const before = await readStream(db, tenantId, id);
    if ((before.status === 'PAUSED') === paused) return { stream: before, changed: false };
    await (paused
      ? sql`update stream_destinations set status = 'PAUSED', paused_reason = 'ADMIN', updated_at = now() where tenant_id = ${tenantId} and id = ${id}::uuid`
      : sql`update stream_destinations set status = 'ACTIVE', paused_reason = null, consecutive_failures = 0, next_attempt_at = null, updated_at = now()
          where tenant_id = ${tenantId} and id = ${id}::uuid`
    ).execute(db);
    return { stream: await readStream(db, tenantId, id), changed: true };
  });
}

export async function deleteStream(orm: Orm, tenantId: string, id: string): Promise<TStreamView> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const before = await readStream(db, tenantId, id);
    await sql`delete from stream_destinations where tenant_id = ${tenantId} and id = ${id}::uuid`.execute(db);
    return before;
  });
}
