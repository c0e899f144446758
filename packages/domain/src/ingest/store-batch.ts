import type { TAcceptedEvent, TIngestJob, TQuarantineReason } from '@modula/contracts';
import { dbOf, type Em } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { canonicalMembersOf, contentHashOf } from './event-row.ts';
import { insertQuarantine, type TQuarantineRow } from './quarantine-rows.ts';
import { applyBranchChanges, branchChangeOf, type TBranchChange } from './rules/branch-projection.ts';
import { advanceChainHead, appendToChain, insertAuditRows, lockChainHead } from './rules/chain-append.ts';
import {
  dedupe,
  DUPLICATE_CONFLICT_DETAIL,
  earlierContentHashes,
  loadStoredContent,
  pathlessContentHash,
  storedHashesUnderTodaysRules,
} from './rules/dedupe.ts';
import { freezeDenial, insertTransitions, loadTransitions, transitionOf, type TFreezeTransition } from './rules/freeze-denial.ts';
import { judgeBranchContext, loadBranchContext, tenantExists, UNKNOWN_TENANT } from './rules/tenant-context.ts';

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

/** One job of a group stored in one transaction (storeJobs), with its own last-wait flag. */
export interface TJobToStore {
  job: TIngestJob;
  lastBranchWait: boolean;
}

/**
 * The worker's rules (DESIGN 1–5, one file each under rules/) applied to one batch of one tenant
 * inside one transaction that `em` already holds with the tenant set. All rows are written with a
 * few multi-row statements. Throws only for transient faults; every permanent problem becomes a
 * quarantine row.
 */
export async function storeBatch(em: Em, job: TIngestJob, { lastBranchWait }: Options): Promise<TStoreOutcome> {
  return (await storeJobs(em, [{ job, lastBranchWait }]))[0]!;
}

/**
 * storeBatch over several jobs of one tenant, in the order given (their acknowledgement order), in
 * the caller's one transaction: the chain head is locked once, what the jobs name is read once,
 * and their rows are written by the same few statements — what a job and a transaction per small
 * batch spent again and again. Each job keeps its own receivedAt, provenance and outcome; a later
 * job sees what an earlier one stored (a resent event is its duplicate, a freeze applies to it).
 */
export async function storeJobs(em: Em, jobs: TJobToStore[]): Promise<TStoreOutcome[]> {
  const db = dbOf(em);
  const tenantId = jobs[0]!.job.tenantId;
  if (jobs.some((j) => j.job.tenantId !== tenantId)) throw new Error('storeJobs stores jobs of one tenant');
  const outcomes: TStoreOutcome[] = jobs.map(() => ({ stored: [], duplicates: 0, quarantined: [], waiting: [] }));
  const quarantine: TQuarantineRow[] = [];
  const allEvents = jobs.flatMap((j) => j.job.events);
  const members = jobs.map((j) => j.job.events.map(canonicalMembersOf));
  const hashes = jobs.map((j, k) => j.job.events.map((e, i) => contentHashOf(e, members[k]![i])));
  const toQuarantine = (k: number, event: TAcceptedEvent, contentHash: string, { reason, detail }: { reason: TQuarantineReason; detail: string }) => {
    const { receivedAt, provenance } = jobs[k]!.job;
    quarantine.push({
      tenantId,
      id: uuidv7(),
      eventId: event.eventId,
      reason,
      detail,
      contentHash,
      payload: event,
      receivedAt,
      provenance: provenance ?? null,
    });
    outcomes[k]!.quarantined.push({ eventId: event.eventId, reason });
  };

  if (!(await tenantExists(db, tenantId))) {
    jobs.forEach((j, k) => j.job.events.forEach((e, i) => toQuarantine(k, e, hashes[k]![i]!, UNKNOWN_TENANT)));
    await insertQuarantine(db, quarantine);
    return outcomes;
  }

  const chain = await lockChainHead(db, tenantId);
  const stored = await loadStoredContent(
    db,
    tenantId,
    allEvents.map((e) => e.eventId),
  );
  const mismatched = jobs.flatMap((j, k) =>
    j.job.events.filter((e, i) => stored.has(e.eventId) && stored.get(e.eventId) !== hashes[k]![i]).map((e) => e.eventId),
  );
  const storedToday = await storedHashesUnderTodaysRules(db, tenantId, [...new Set(mismatched)]);
  const branchIds = [...new Set(allEvents.map((e) => e.branchId).filter((b): b is string => Boolean(b)))];
  const context = await loadBranchContext(db, branchIds);
  const transitions = await loadTransitions(db, tenantId, branchIds);
  const newTransitions: TFreezeTransition[] = [];
  const branchChanges: TBranchChange[] = [];

  for (const [k, { job, lastBranchWait }] of jobs.entries()) {
    const outcome = outcomes[k]!;
    const provenance = job.provenance ?? null;
    for (const [i, event] of job.events.entries()) {
      const contentHash = hashes[k]![i]!;
      let seen = dedupe(stored, event.eventId, contentHash, () => earlierContentHashes(event, members[k]![i]!));
      if (seen === 'conflict' && storedToday.get(event.eventId) === pathlessContentHash(event)) seen = 'duplicate';
      if (seen === 'duplicate') {
        outcome.duplicates++;
        continue;
      }
      if (seen === 'conflict') {
        toQuarantine(k, event, contentHash, { reason: 'DUPLICATE_CONFLICT', detail: DUPLICATE_CONFLICT_DETAIL });
        continue;
      }
      const verdict = await judgeBranchContext(db, context, event, lastBranchWait);
      if (verdict.kind === 'wait') {
        outcome.waiting.push(event);
        continue;
      }
      if (verdict.kind === 'quarantine') {
        toQuarantine(k, event, contentHash, verdict);
        continue;
      }

      const denial = freezeDenial(event, transitions);
      const row = appendToChain(chain, { event, contentHash, receivedAt: job.receivedAt, denial, members: members[k]![i], provenance });
      stored.set(event.eventId, contentHash);
      outcome.stored.push({ eventId: event.eventId, seq: row.seq });

      if (row.outcome !== 'SUCCESS') continue;
      const transition = transitionOf(event, row.seq);
      if (transition) {
        transitions.push(transition);
        newTransitions.push(transition);
      }
      const change = branchChangeOf(event);
      if (change) branchChanges.push(change);
    }
  }

  await insertAuditRows(db, chain.rows);
  await insertQuarantine(db, quarantine);
  await insertTransitions(db, tenantId, newTransitions);
  await applyBranchChanges(db, tenantId, branchChanges, transitions);
  await advanceChainHead(db, chain);
  return outcomes;
}
