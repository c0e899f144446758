import { FREEZE_TRANSITIONS, type TAcceptedEvent, type TIngestJob, type TQuarantineReason } from '@modula/contracts';
import { dbOf, sql, type Em } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { buildStoredRow, canonicalMembersOf, contentHashOf, type TStoredRow } from './event-row.ts';
import { freezeDenial, type TFreezeTransition } from './freeze-rule.ts';
import { insertAuditRows, insertQuarantine, type TQuarantineRow } from './store-sql.ts';

export interface TStoreOutcome {
  stored: { eventId: string; seq: number }[];
  /** Resends of events already stored with the same content: no-ops. */
  duplicates: number;
  quarantined: { eventId: string; reason: TQuarantineReason }[];
  /** Events naming a branch not provisioned yet: to be retried later. */
  waiting: TAcceptedEvent[];
}

interface Options {
  /** True when these events have waited for their branch as long as allowed: quarantine instead. */
  lastBranchWait: boolean;
}

interface BranchState { known: Set<string>; foreign: Set<string>; }
/** A stored lifecycle event of a branch: `at` is its occurredAt (ISO, UTC, so it sorts as text). */
interface TBranchChange { id: string; name?: string; at: string; provisions: boolean }

/**
 * The worker's rules (DESIGN 1–5) applied to one batch of one tenant inside one transaction
 * that `em` already holds with the tenant set. All rows are written with a few multi-row
 * statements. Throws only for transient faults; every permanent problem becomes a quarantine row.
 */
export async function storeBatch(em: Em, job: TIngestJob, { lastBranchWait }: Options): Promise<TStoreOutcome> {
  const db = dbOf(em);
  const { tenantId, receivedAt } = job;
  const provenance = job.provenance ?? null;
  const outcome: TStoreOutcome = { stored: [], duplicates: 0, quarantined: [], waiting: [] };
  const quarantine: TQuarantineRow[] = [];
  const members = job.events.map(canonicalMembersOf);
  const hashes = job.events.map((e, i) => contentHashOf(e, members[i]));
  const toQuarantine = (event: TAcceptedEvent, contentHash: string, reason: TQuarantineReason, detail: string) => {
    quarantine.push({ tenantId, id: uuidv7(), eventId: event.eventId, reason, detail, contentHash, payload: event, receivedAt, provenance });
    outcome.quarantined.push({ eventId: event.eventId, reason });
  };

  const tenant = await sql`select 1 from tenants where id = ${tenantId}`.execute(db);
  if (tenant.rows.length === 0) {
    job.events.forEach((e, i) => toQuarantine(e, hashes[i]!, 'UNKNOWN_TENANT', 'no such tenant'));
    await insertQuarantine(db, quarantine);
    return outcome;
  }

  // The head row's lock serialises appends of this tenant: seq stays gap-free under any concurrency.
  const head = (await sql<{ seq: string; hash: string }>`select seq, hash from lock_chain_head(${tenantId}::uuid)`.execute(db)).rows[0]!;
  let seq = Number(head.seq);
  let prevHash = head.hash;

  const eventIds = job.events.map((e) => e.eventId);
  const existing = new Map((await sql<{ event_id: string; content_hash: string }>`
    select event_id, content_hash from audit_events where tenant_id = ${tenantId} and event_id = any(${eventIds}::uuid[])`
    .execute(db)).rows.map((r) => [r.event_id, r.content_hash]));

  const branchIds = [...new Set(job.events.map((e) => e.branchId).filter((b): b is string => Boolean(b)))];
  const branches = await loadBranchState(em, branchIds);
  const transitions = await loadTransitions(em, tenantId, branchIds);

  const rows: TStoredRow[] = [];
  const newTransitions: (TFreezeTransition & { seq: number })[] = [];
  const branchChanges: TBranchChange[] = [];

  for (const [i, event] of job.events.entries()) {
    const contentHash = hashes[i]!;
    const seen = existing.get(event.eventId);
    if (seen !== undefined) {
      if (seen === contentHash) outcome.duplicates++;
      else toQuarantine(event, contentHash, 'DUPLICATE_CONFLICT', 'this eventId was already stored with different content');
      continue;
    }
    const branchId = event.branchId ?? null;
    if (branchId) {
      if (branches.foreign.has(branchId)) {
        toQuarantine(event, contentHash, 'CONTEXT_MISMATCH', 'branchId belongs to another tenant');
        continue;
      }
      const provisions = event.action === 'BRANCH_PROVISIONED' && event.outcome === 'SUCCESS';
      if (provisions && !branches.known.has(branchId)) {
        if (!(await claimBranch(em, branchId))) {
          branches.foreign.add(branchId);
          toQuarantine(event, contentHash, 'CONTEXT_MISMATCH', 'branchId belongs to another tenant');
          continue;
        }
        branches.known.add(branchId);
      }
      // A refused provisioning names a branch that may never exist; it is still worth keeping.
      const refusedProvisioning = event.action === 'BRANCH_PROVISIONED' && !provisions;
      if (!branches.known.has(branchId) && !refusedProvisioning) {
        if (lastBranchWait) toQuarantine(event, contentHash, 'UNKNOWN_BRANCH', 'no BRANCH_PROVISIONED arrived for this branchId');
        else outcome.waiting.push(event);
        continue;
      }
    }

    const denial = freezeDenial(event, transitions);
    seq += 1;
    const row = buildStoredRow({ event, contentHash, id: uuidv7(), seq, prevHash, receivedAt, denial, members: members[i], provenance });
    prevHash = row.hash;
    rows.push(row);
    existing.set(event.eventId, contentHash);
    outcome.stored.push({ eventId: event.eventId, seq });

    if (row.outcome !== 'SUCCESS') continue;
    const transition = FREEZE_TRANSITIONS[event.action];
    if (transition) {
      const t = { branchId: transition.scope === 'branch' ? branchId : null, occurredAt: Date.parse(event.occurredAt), seq, frozen: transition.frozen };
      transitions.push(t);
      newTransitions.push(t);
    }
    if (branchId && event.action.startsWith('BRANCH_')) {
      branchChanges.push({ id: branchId, name: branchNameOf(event), at: event.occurredAt, provisions: event.action === 'BRANCH_PROVISIONED' });
    }
  }

  await insertAuditRows(db, rows);
  await insertQuarantine(db, quarantine);
  await insertTransitions(em, tenantId, newTransitions);
  await applyBranchChanges(em, tenantId, branchChanges, transitions);
  if (rows.length > 0) {
    // the database checks that the rows just written are all there and link before the head moves
    await sql`select advance_chain_head(${tenantId}::uuid, ${seq}::bigint, ${prevHash})`.execute(db);
  }
  return outcome;
}

async function loadBranchState(em: Em, branchIds: string[]): Promise<BranchState> {
  if (branchIds.length === 0) return { known: new Set(), foreign: new Set() };
  const db = dbOf(em);
  const known = await sql<{ id: string }>`select id from branches where id = any(${branchIds}::uuid[])`.execute(db);
  const foreign = await sql<{ id: string }>`select foreign_branches as id from foreign_branches(${branchIds}::uuid[])`.execute(db);
  return { known: new Set(known.rows.map((r) => r.id)), foreign: new Set(foreign.rows.map((r) => r.id)) };
}

async function claimBranch(em: Em, branchId: string): Promise<boolean> {
  const r = await sql<{ mine: boolean }>`select claim_branch(${branchId}::uuid) as mine`.execute(dbOf(em));
  return r.rows[0]?.mine === true;
}

async function loadTransitions(em: Em, tenantId: string, branchIds: string[]): Promise<TFreezeTransition[]> {
  const r = await sql<{ branch_id: string | null; occurred_at: Date; seq: string; frozen: boolean }>`
    select branch_id, occurred_at, seq, frozen from freeze_transitions
    where tenant_id = ${tenantId} and (branch_id is null or branch_id = any(${branchIds}::uuid[]))`.execute(dbOf(em));
  return r.rows.map((t) => ({ branchId: t.branch_id, occurredAt: new Date(t.occurred_at).getTime(), seq: Number(t.seq), frozen: t.frozen }));
}

async function insertTransitions(em: Em, tenantId: string, transitions: TFreezeTransition[]): Promise<void> {
  if (transitions.length === 0) return;
  const rows = transitions.map((t) => ({ tenant_id: tenantId, seq: t.seq, branch_id: t.branchId, occurred_at: new Date(t.occurredAt).toISOString(), frozen: t.frozen }));
  await sql`insert into freeze_transitions (tenant_id, seq, branch_id, occurred_at, frozen)
    select tenant_id, seq, branch_id, occurred_at, frozen
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(tenant_id uuid, seq bigint, branch_id uuid, occurred_at timestamptz, frozen boolean)`
    .execute(dbOf(em));
}

/**
 * Keeps the branch projection in step with the lifecycle events just stored, by when they happened:
 * provisioned_at is the provisioning's occurredAt, the name is the one of the latest rename by
 * occurredAt (ties: the one acknowledged last), and the status is the freeze state now.
 */
async function applyBranchChanges(em: Em, tenantId: string, changes: TBranchChange[], transitions: TFreezeTransition[]): Promise<void> {
  const db = dbOf(em);
  const ids = [...new Set(changes.map((c) => c.id))];
  for (const id of ids) {
    const mine = changes.filter((c) => c.id === id);
    const named = mine.filter((c) => c.name).reduce<TBranchChange | undefined>((latest, c) => (!latest || c.at >= latest.at ? c : latest), undefined);
    const provisionedAt = mine.find((c) => c.provisions)?.at ?? mine[0]!.at;
    const status = currentStatus(transitions, id);
    await sql`insert into branches (tenant_id, id, name, name_at, status, provisioned_at, updated_at)
      values (${tenantId}, ${id}, ${named?.name ?? id}, ${named?.at ?? provisionedAt}, ${status}, ${provisionedAt}, now())
      on conflict (tenant_id, id) do update set
        name = case when excluded.name_at >= branches.name_at and ${named !== undefined} then excluded.name else branches.name end,
        name_at = case when excluded.name_at >= branches.name_at and ${named !== undefined} then excluded.name_at else branches.name_at end,
        status = excluded.status, updated_at = now()`.execute(db);
  }
}

function currentStatus(transitions: TFreezeTransition[], branchId: string): 'ACTIVE' | 'FROZEN' {
  const latest = transitions.filter((t) => t.branchId === branchId)
    .sort((a, b) => a.occurredAt - b.occurredAt || a.seq - b.seq).at(-1);
  return latest?.frozen ? 'FROZEN' : 'ACTIVE';
}

/** Only provisioning and updates name a branch: the new name (after.name), else the label of the branch entity. */
function branchNameOf(event: TAcceptedEvent): string | undefined {
  if (event.action !== 'BRANCH_PROVISIONED' && event.action !== 'BRANCH_UPDATED') return undefined;
  if (typeof event.after?.name === 'string' && event.after.name) return event.after.name;
  return event.entity && event.entity.id === event.branchId ? event.entity.label : undefined;
}
