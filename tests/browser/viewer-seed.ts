import type { TAuditEventInput } from '@modula/contracts';
import { randomUUID } from 'node:crypto';
import { makeEvent, provisionBranch } from '../../testing/events.ts';
import { ingestStored } from '../../testing/ingest.ts';
import { seedEvents } from '../../testing/read-seed.ts';
import type { TestStack } from '../../testing/stack.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * An instant of today (UTC, the browser's zone in these tests) `minutesAgo` before now, but never
 * before today's midnight, so "Today" holds it even when the test runs just after midnight.
 */
function today(minutesAgo: number, now = Date.now()): string {
  const midnight = new Date(now).setUTCHours(0, 0, 0, 0);
  return new Date(Math.max(midnight + (60 - minutesAgo) * 1000, now - minutesAgo * MINUTE)).toISOString();
}

export const SESSION = 'sess-till7-morning';
export const SUSPECT = 'u-mallory';

/** What the browser tests look for, and how many of each the log holds. */
export interface TViewerSeed {
  branches: { harbour: string; airport: string };
  todayRejected: number;
  sessionEvents: number;
  suspectFailures: number;
}

/**
 * A tenant's log as an owner would investigate it: two branches, a few days of ordinary events
 * (synced late), and today a menu price change with a redacted PIN, a refused void, a sale on a
 * frozen branch that the device still reported as a success, one till session, and a burst of
 * failed sign-ins of one account two days ago; till 7 skipped some of its event numbers.
 */
export async function seedViewerLog(stack: TestStack, tenantId: string): Promise<TViewerSeed> {
  const harbour = randomUUID();
  const airport = randomUUID();
  const longAgo = new Date(Date.now() - 10 * DAY).toISOString();
  await ingestStored(stack, tenantId, [provisionBranch(tenantId, harbour, longAgo, 'Harbour Street'), provisionBranch(tenantId, airport, longAgo, 'Airport')]);

  const cashier = { type: 'USER', id: 'u-carl', role: 'CASHIER', name: 'Carl Cashier' } as const;
  const manager = { type: 'USER', id: 'u-ben', role: 'MANAGER', name: 'Ben Brook' } as const;
  const till = { sessionId: SESSION, ip: '10.0.0.7', deviceId: 'till-7' };
  const inSession: TAuditEventInput[] = [
    makeEvent(tenantId, {
      action: 'CASH_SESSION_OPENED',
      branchId: harbour,
      occurredAt: today(50),
      actor: cashier,
      entity: { type: 'CASH_SESSION', id: 'cs-77', label: 'Till 7 morning' },
      context: { ...till, deviceSeq: 1041 },
      after: { float: 150, currency: 'EUR' },
    }),
    makeEvent(tenantId, {
      action: 'MENU_ITEM_UPDATED',
      branchId: harbour,
      occurredAt: today(40),
      actor: manager,
      entity: { type: 'MENU_ITEM', id: 'mi-espresso', label: 'Espresso' },
      context: { ...till, deviceSeq: 1042 },
      before: { name: 'Espresso', price: 2.5, tax: { rate: 0.07 }, modifiers: ['extra shot'], kitchenNote: 'none' },
      after: { name: 'Espresso', price: 2.8, tax: { rate: 0.19 }, modifiers: ['extra shot', 'oat milk'], managerPin: '4321' },
    }),
    makeEvent(tenantId, {
      action: 'VOID_APPROVED',
      branchId: harbour,
      occurredAt: today(30),
      actor: cashier,
      outcome: 'REJECTED',
      reason: 'PERMISSION_DENIED',
      entity: { type: 'INVOICE', id: 'inv-1042', label: 'INV-1042' },
      context: { ...till, deviceSeq: 1043 },
    }),
  ];
  const freeze = makeEvent(tenantId, {
    action: 'BRANCH_FROZEN',
    branchId: airport,
    occurredAt: today(25),
    actor: { type: 'USER', id: 'u-ana', role: 'ADMIN', name: 'Ana Álvarez' },
    entity: { type: 'BRANCH', id: airport, label: 'Airport' },
  });
  await ingestStored(stack, tenantId, [...inSession, freeze]);
  // recorded offline on a till that did not know its branch had been frozen
  const frozenSale = makeEvent(tenantId, {
    action: 'SALE_FINALIZED',
    branchId: airport,
    occurredAt: today(20),
    actor: cashier,
    entity: { type: 'INVOICE', id: 'inv-2001', label: 'INV-2001' },
    after: { total: 18.4, currency: 'EUR', lines: [{ sku: 'ESP', qty: 2 }] },
    context: { deviceId: 'till-3', deviceSeq: 88, offline: true, ip: '10.0.1.3', sessionId: 'sess-till3' },
  });
  // till 7's numbers 1044–1050 never arrived (and nothing before 1041 did either)
  const afterGap = makeEvent(tenantId, {
    action: 'CASH_PAID_IN',
    branchId: harbour,
    occurredAt: today(10),
    actor: cashier,
    entity: { type: 'CASH_SESSION', id: 'cs-77', label: 'Till 7 morning' },
    after: { amount: 20, currency: 'EUR' },
    context: { deviceId: 'till-7', deviceSeq: 1051, ip: '10.0.0.7' },
  });
  const failures = Array.from({ length: 6 }, (_, i) =>
    makeEvent(tenantId, {
      action: 'LOGIN_FAILED',
      outcome: 'FAILED',
      occurredAt: new Date(Date.now() - 2 * DAY + i * 4 * MINUTE).toISOString(),
      actor: { type: 'USER', id: SUSPECT, name: 'mallory@example.test' },
      entity: { type: 'USER', id: SUSPECT, label: 'mallory@example.test' },
      context: { ip: i % 2 === 0 ? '203.0.113.9' : '198.51.100.23' },
    }),
  );
  // more than one page of the log (50), so that scrolling has older events to fetch
  const history = seedEvents(tenantId, [harbour, airport], 90).map((s) => s.input);
  await ingestStored(stack, tenantId, [frozenSale, afterGap, ...failures, ...history]);
  return {
    branches: { harbour, airport },
    todayRejected: 2, // the refused void and the sale on the frozen branch
    sessionEvents: inSession.length,
    suspectFailures: failures.length,
  };
}
