import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { chainHash, GENESIS_HASH, type TChainRecord } from './chain.ts';

export interface TChainVerification {
  ok: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  /** The first seq whose row is missing, out of place, or does not hash to what the chain says. */
  firstBrokenSeq: number | null;
}

const PAGE = 5000;

interface Row {
  tenant_id: string; seq: string; id: string; event_id: string; branch_id: string | null; module: string; action: string;
  description: string; outcome: string; reason: string | null; claimed_outcome: string; actor_type: string;
  actor_id: string | null; actor_role: string | null; actor_name: string | null; entity_type: string | null;
  entity_id: string | null; entity_label: string | null; occurred_at: string; received_at: string; ip: string | null;
  session_id: string | null; device_id: string | null; device_seq: string | null; offline: boolean | null;
  before: Record<string, unknown> | null; after: Record<string, unknown> | null; metadata: Record<string, unknown> | null;
  redacted_paths: string[]; content_hash: string; prev_hash: string; hash: string;
}

function toRecord(r: Row): TChainRecord {
  return {
    tenantId: r.tenant_id, seq: Number(r.seq), id: r.id, eventId: r.event_id, branchId: r.branch_id, module: r.module,
    action: r.action, description: r.description, outcome: r.outcome, reason: r.reason, claimedOutcome: r.claimed_outcome,
    actorType: r.actor_type, actorId: r.actor_id, actorRole: r.actor_role, actorName: r.actor_name,
    entityType: r.entity_type, entityId: r.entity_id, entityLabel: r.entity_label, occurredAt: r.occurred_at,
    receivedAt: r.received_at, ip: r.ip, sessionId: r.session_id, deviceId: r.device_id,
    deviceSeq: r.device_seq === null ? null : Number(r.device_seq), offline: r.offline, before: r.before, after: r.after,
    metadata: r.metadata, redactedPaths: r.redacted_paths, contentHash: r.content_hash,
  };
}

/**
 * Recomputes a tenant's chain from its stored rows, page by page in seq order: every seq from 1
 * present once, each prev_hash equal to the hash before it, each hash equal to its recomputation,
 * and the last row equal to the recorded head (a deleted tail leaves the head pointing past it).
 */
export async function verifyChain(orm: Orm, tenantId: string): Promise<TChainVerification> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const head = (await sql<{ seq: string; hash: string }>`select seq, hash from chain_heads where tenant_id = ${tenantId}`.execute(db)).rows[0];
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    const broken = (seq: number) => ({ ok: false, checked, headSeq: Number(head?.seq ?? 0), headHash: head?.hash ?? GENESIS_HASH, firstBrokenSeq: seq });
    for (;;) {
      const page = await sql<Row>`
        select tenant_id, seq, id, event_id, branch_id, module, action, description, outcome, reason, claimed_outcome,
          actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label,
          to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
          to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as received_at,
          ip, session_id, device_id, device_seq, offline, before, after, metadata, redacted_paths, content_hash, prev_hash, hash
        from audit_events where tenant_id = ${tenantId} and seq >= ${expectedSeq} order by seq limit ${PAGE}`.execute(db);
      for (const row of page.rows) {
        const record = toRecord(row);
        if (record.seq !== expectedSeq || row.prev_hash !== prevHash || chainHash(prevHash, record) !== row.hash) return broken(expectedSeq);
        prevHash = row.hash;
        expectedSeq += 1;
        checked += 1;
      }
      if (page.rows.length < PAGE) break;
    }
    const headSeq = Number(head?.seq ?? 0);
    if (headSeq !== checked || (head && head.hash !== prevHash)) return broken(checked + 1);
    return { ok: true, checked, headSeq, headHash: prevHash, firstBrokenSeq: null };
  });
}
