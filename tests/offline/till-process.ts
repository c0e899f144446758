// A till as a separate process, for the crash test: records sales into its outbox as fast as it can
// and prints each event once record() has resolved (it is then on disk). Killed with SIGKILL.
import { AuditOutbox } from '@modula/sdk';

const [dir, url, tenantId] = process.argv.slice(2) as [string, string, string];
const outbox = await AuditOutbox.open({ url, apiKey: 'mak_unused', tenantId, dir, deviceId: 'till-crash', startupProbeMs: 500 });
for (let n = 0; ; n++) {
  const event = await outbox.record({
    action: 'SALE_FINALIZED', outcome: 'SUCCESS', actor: { type: 'USER', id: 'cashier-7', role: 'CASHIER' },
    after: { total: n, note: 'x'.repeat(n % 500) },
  });
  process.stdout.write(`${event.eventId} ${event.context?.deviceSeq}\n`);
}
