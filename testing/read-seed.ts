import { CATALOG, describeEvent, type TAction, type TAuditEventInput } from '@modula/contracts';
import { v7 as uuidv7 } from 'uuid';
import { makeEvent, provisionBranch } from './events.ts';

const ACTORS = [
  { type: 'USER', id: 'u-ana', role: 'ADMIN', name: 'Ana Álvarez' },
  { type: 'USER', id: 'u-ben', role: 'MANAGER', name: 'Ben Brook' },
  { type: 'USER', id: 'u-carl', role: 'CASHIER', name: 'Carl Cashier' },
  { type: 'SYSTEM', name: 'Sync recovery' },
] as const;
const ACTIONS: TAction[] = [
  'SALE_FINALIZED',
  'VOID_REQUESTED',
  'VOID_APPROVED',
  'CASH_SESSION_OPENED',
  'CASH_PAID_IN',
  'MENU_ITEM_UPDATED',
  'STOCK_ITEM_CREATED',
  'DISCOUNT_UPDATED',
  'POLICY_UPDATED',
  'CHECK_IN_CREATED',
];
const REASONS = ['PERMISSION_DENIED', 'POLICY_BLOCKED', 'VALIDATION_FAILED'] as const;

/** What a seeded event is stored as (no freezes in the seed, so outcome = claimed outcome). */
export interface TSeeded {
  input: TAuditEventInput;
  module: string;
  description: string;
}

/**
 * A deterministic variety of events of a tenant over the last days: two branches, four actors, ten
 * actions of eight modules, every outcome, three reasons, invoices, sessions; some share an
 * occurredAt so that seq has to break ties.
 */
export function seedEvents(tenantId: string, branches: [string, string], count: number, base = Date.now() - 3 * 86_400_000): TSeeded[] {
  const out: TSeeded[] = [];
  for (let i = 0; i < count; i++) {
    const action = ACTIONS[i % ACTIONS.length]!;
    const actor = ACTORS[i % ACTORS.length]!;
    const outcome = i % 7 === 0 ? 'REJECTED' : i % 11 === 0 ? 'FAILED' : 'SUCCESS';
    const tenantLevel = action === 'POLICY_UPDATED';
    const entity = { type: i % 2 === 0 ? 'INVOICE' : 'ITEM', id: `e-${i % 13}`, label: i % 2 === 0 ? `INV-${1000 + (i % 13)}` : `Espresso ${i % 5}` };
    const input = makeEvent(tenantId, {
      eventId: uuidv7(),
      action,
      outcome,
      ...(outcome === 'REJECTED' ? { reason: REASONS[i % REASONS.length] } : {}),
      actor: { ...actor },
      entity,
      ...(tenantLevel ? {} : { branchId: branches[i % 2] }),
      // every 5th event shares the instant of the one before
      occurredAt: new Date(base + Math.floor(i / 5) * 5 * 60_000 + (i % 5 === 4 ? 3 : i % 5) * 60_000).toISOString(),
      context: { sessionId: `s-${i % 9}`, ip: `10.0.0.${i % 17}` },
    });
    out.push({ input, module: CATALOG[action].module, description: describeEvent(action, input.actor, input.entity) });
  }
  return out;
}

export function provisionBoth(tenantId: string, branches: [string, string]): TAuditEventInput[] {
  const at = new Date(Date.now() - 10 * 86_400_000).toISOString();
  return [provisionBranch(tenantId, branches[0], at, 'Harbour Street'), provisionBranch(tenantId, branches[1], at, 'Airport')];
}
