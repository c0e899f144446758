/**
 * How another module of the Modula monolith records audit events: the in-process caller, with
 * the same validation as HTTP and a system context that may write for any tenant.
 *
 * Runnable against a system started with `npm start`:
 *   pnpm exec tsx examples/record-from-module.ts TENANT_ID
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '@modula/config';
import { createServices, createSystemCaller } from '@modula/server';
import { v7 as uuidv7 } from 'uuid';

const tenantId = process.argv[2];
if (!tenantId) throw new Error('usage: pnpm exec tsx examples/record-from-module.ts TENANT_ID');
const runtime = existsSync('.data/runtime.json') ? JSON.parse(readFileSync('.data/runtime.json', 'utf8')) : {};
const services = await createServices(
  loadConfig({
    DATABASE_URL: process.env.DATABASE_URL ?? runtime.databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? runtime.redisUrl,
    LOG_LEVEL: 'warn',
  }),
);
const audit = createSystemCaller(services);

// The policy module records a change once it is committed.
const { eventId } = await audit.ingest.record({
  eventId: uuidv7(),
  tenantId,
  action: 'POLICY_UPDATED',
  outcome: 'SUCCESS',
  actor: { type: 'USER', id: 'manager-12', role: 'MANAGER', name: 'Maria Manager' },
  entity: { type: 'POLICY', id: 'refunds', label: 'Refund policy' },
  occurredAt: new Date().toISOString(),
  before: { maxRefund: 50 },
  after: { maxRefund: 80 },
});
// Acknowledged means durably queued; the worker stores it a moment later.
await new Promise((r) => setTimeout(r, 500));
const { statuses } = await audit.ingest.status({ tenantId, eventIds: [eventId] });
console.log(JSON.stringify(statuses[0]));
await services.close();
