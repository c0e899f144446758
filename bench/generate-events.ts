import { ACTIONS, CATALOG, type TAuditEventInput } from '@modula/contracts';

const NAMES = ['Ana', 'Ben', 'Chloé', 'Dario', 'Eun-ji', 'Farah', 'Gustav', 'Hana'];
const ROLES = ['ADMIN', 'MANAGER', 'CASHIER'] as const;
/** Actions a benchmark may send without a provisioned branch (no branch-only lifecycle). */
const TENANT_ACTIONS = ACTIONS.filter((a) => CATALOG[a].module !== 'BRANCH' && CATALOG[a].module !== 'TENANT');

/** A realistic event without a branch: actor, target, small before/after, sometimes offline and late. */
export function generateEvent(tenantId: string, eventId: string, i = Math.floor(Math.random() * 1e9)): TAuditEventInput {
  const action = TENANT_ACTIONS[i % TENANT_ACTIONS.length]!;
  const offline = i % 10 === 0;
  const occurredAt = new Date(Date.now() - (offline ? 3_600_000 * (1 + (i % 48)) : i % 5000)).toISOString();
  const outcome = i % 17 === 0 ? 'REJECTED' : i % 23 === 0 ? 'FAILED' : 'SUCCESS';
  return {
    eventId, tenantId, action, outcome, ...(outcome === 'REJECTED' ? { reason: 'PERMISSION_DENIED' as const } : {}),
    actor: { type: 'USER', id: `user-${i % 500}`, role: ROLES[i % 3]!, name: NAMES[i % NAMES.length]! },
    entity: { type: 'RECORD', id: `rec-${i % 10_000}`, label: `#${1000 + (i % 9000)}` },
    occurredAt,
    before: { price: 12.5, qty: i % 7 },
    after: { price: 13, qty: (i % 7) + 1 },
    metadata: { source: 'bench', terminal: `till-${i % 12}` },
    context: { ip: `10.0.${i % 200}.${i % 250}`, sessionId: `sess-${i % 2000}`, deviceId: `till-${i % 12}`, offline },
  };
}
