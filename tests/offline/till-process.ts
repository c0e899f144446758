// A till as a separate process, for the crash test: records sales at its branch into its outbox as
// fast as it can and prints each event once record() has resolved (it is then on disk). Killed with
// SIGKILL. Arguments: dir url tenantId branchId.
import { AuditOutbox } from '@modula/sdk';

const [dir, url, tenantId, branchId] = process.argv.slice(2) as [string, string, string, string];
if (!branchId) throw new Error('usage: till-process.ts DIR URL TENANT_ID BRANCH_ID');
const outbox = await AuditOutbox.open({ url, apiKey: 'mak_unused', tenantId, dir, deviceId: 'till-crash', startupProbeMs: 500 });
for (let n = 0; ; n++) {
  const event = await outbox.record({
    action: 'SALE_FINALIZED',
    outcome: 'SUCCESS',
    branchId,
    actor: { type: 'USER', id: 'cashier-7', role: 'CASHIER' },
    after: { total: n, note: 'x'.repeat(n % 500) },
  });
  process.stdout.write(`${event.eventId} ${event.context?.deviceSeq}\n`);
}
