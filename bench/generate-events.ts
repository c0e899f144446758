import {
  ACTIONS,
  AI_METADATA,
  AI_RISK_LEVELS,
  isAiAction,
  isBranchOrTenantLifecycle,
  isWrittenByTheService,
  requiresBranch,
  type TAction,
  type TAuditEventInput,
} from '@modula/contracts';
import { v5 as uuidv5 } from 'uuid';

const NAMES = ['Ana', 'Ben', 'Chloé', 'Dario', 'Eun-ji', 'Farah', 'Gustav', 'Hana'];
const ROLES = ['ADMIN', 'MANAGER', 'CASHIER'] as const;
/**
 * Actions a benchmark sends at one of its provisioned branches: what devices send, so neither the
 * branch and tenant lifecycle nor what only the service writes (refused from an API key).
 */
const BRANCH_ACTIONS = ACTIONS.filter((a) => !isBranchOrTenantLifecycle(a) && !isWrittenByTheService(a));
/** Those it may send without a branch: a sale, a cash session or stock is refused without its branch. */
const TENANT_WIDE_ACTIONS = BRANCH_ACTIONS.filter((a) => !requiresBranch(a));

const BENCH_NAMESPACE = '6f0a3c1e-2b7d-4e59-9a41-7c3d8e2f1b60';
export const BRANCHES_PER_TENANT = 5;

/** The tenant's benchmark branches: the same ids on every run, so provisioning them again is a no-op (dedupe). */
export function benchBranchIds(tenantId: string): string[] {
  return Array.from({ length: BRANCHES_PER_TENANT }, (_, k) => uuidv5(`${tenantId}/branch/${k}`, BENCH_NAMESPACE));
}

/** BRANCH_PROVISIONED for each bench branch, identical on every run (fixed ids and time), so re-sending stores nothing new. */
export function branchProvisioning(tenantId: string): TAuditEventInput[] {
  return benchBranchIds(tenantId).map((branchId, k) => ({
    eventId: uuidv5(`${tenantId}/provision/${k}`, BENCH_NAMESPACE),
    tenantId,
    action: 'BRANCH_PROVISIONED',
    outcome: 'SUCCESS',
    branchId,
    actor: { type: 'SYSTEM', name: 'Provisioning' },
    entity: { type: 'BRANCH', id: branchId, label: `Branch ${k + 1}` },
    occurredAt: '2025-01-01T08:00:00.000Z',
  }));
}

/** The fields an AI action must carry (trigger, confidence, risk level, who decided); nothing for other actions. */
function aiMetadata(action: TAction, i: number): Record<string, unknown> {
  if (!isAiAction(action)) return {};
  const decided = AI_METADATA[action].decided;
  const person = { id: `user-${i % 500}`, name: NAMES[i % NAMES.length]! };
  return { trigger: 'stock below par level', confidence: (i % 100) / 100, riskLevel: AI_RISK_LEVELS[i % 3]!, ...(decided ? { [decided]: person } : {}) };
}

/**
 * A realistic event: actor, target, small before/after, sometimes offline and late; nine in ten at
 * one of `branches` (so the worker applies the freeze rule to them), the rest (all of them when
 * `branches` is empty) tenant-wide, with an action that does not require a branch.
 */
export function generateEvent(tenantId: string, eventId: string, i = Math.floor(Math.random() * 1e9), branches: string[] = []): TAuditEventInput {
  const atBranch = branches.length > 0 && i % 10 !== 5;
  // With branches, tenant-wide events are every tenth (i ≡ 5 mod 10): index by i / 10 so they cycle through every tenant-wide action.
  const action = atBranch
    ? BRANCH_ACTIONS[i % BRANCH_ACTIONS.length]!
    : TENANT_WIDE_ACTIONS[(branches.length > 0 ? Math.floor(i / 10) : i) % TENANT_WIDE_ACTIONS.length]!;
  const offline = i % 10 === 0;
  const occurredAt = new Date(Date.now() - (offline ? 3_600_000 * (1 + (i % 48)) : i % 5000)).toISOString();
  const outcome = i % 17 === 0 ? 'REJECTED' : i % 23 === 0 ? 'FAILED' : 'SUCCESS';
  return {
    eventId,
    tenantId,
    action,
    outcome,
    ...(outcome === 'REJECTED' ? { reason: 'PERMISSION_DENIED' as const } : {}),
    ...(atBranch ? { branchId: branches[i % branches.length]! } : {}),
    actor: { type: 'USER', id: `user-${i % 500}`, role: ROLES[i % 3]!, name: NAMES[i % NAMES.length]! },
    entity: { type: 'RECORD', id: `rec-${i % 10_000}`, label: `#${1000 + (i % 9000)}` },
    occurredAt,
    before: { price: 12.5, qty: i % 7 },
    after: { price: 13, qty: (i % 7) + 1 },
    metadata: { source: 'bench', terminal: `till-${i % 12}`, ...aiMetadata(action, i) },
    context: { ip: `10.0.${i % 200}.${i % 250}`, sessionId: `sess-${i % 2000}`, deviceId: `till-${i % 12}`, offline },
  };
}
