import { randomUUID } from 'node:crypto';
import { shownWebhookUrl } from '../../packages/domain/src/alerts/alert-webhook-urls.ts';
import { databaseMigratedTo, type TMigratedDatabase } from '../../testing/migrated-database.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Migration20261203100000_delivery_targets_shown: webhook deliveries an earlier version recorded
 * with the webhook's whole URL in `target` (its path or query may be its credential: README "URLs
 * that may be their own credential") keep only its display form, scheme, host and a marker, in every
 * tenant. A database migrated up to the migration before, given such rows, then migrated on.
 */
let db: TMigratedDatabase;

/** recipient → [target before, target after] */
const TARGETS: Record<string, [string, string]> = {
  'webhook:slack': ['https://hooks.slack.com/services/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', 'https://hooks.slack.com/[REDACTED]'],
  'webhook:chat': ['https://chat.googleapis.com/v1/spaces/AAAAx1/messages?key=AIzaSyDdI0hCZtE6vySjMm&token=Zq8e2Lw', 'https://chat.googleapis.com/[REDACTED]'],
  'webhook:port': ['http://receiver.example.test:8443/in?sig=abc', 'http://receiver.example.test:8443/[REDACTED]'],
  'webhook:user': ['https://ops:pa55@receiver.example.test/', 'https://receiver.example.test/[REDACTED]'],
  'webhook:query-only': ['https://receiver.example.test?t=1', 'https://receiver.example.test/[REDACTED]'],
  // the host as a URL's: lower-cased, its default port dropped; what no URL parser reads shows nothing
  'webhook:case': ['HTTPS://Hooks.Example.TEST:443/Path/Token', 'https://hooks.example.test/[REDACTED]'],
  'webhook:port80': ['http://receiver.example.test:80/in', 'http://receiver.example.test/[REDACTED]'],
  'webhook:not-a-url': ['hooks.example.test/in/token', '[REDACTED]'],
  // a display form that kept part of the path (written by hand, or a version before 5778a9e)
  'webhook:half-shown': ['https://hooks.example.test/acct/123/[REDACTED]', 'https://hooks.example.test/[REDACTED]'],
  // what needs no change: a bare origin, a display form already, a mail's addresses
  'webhook:origin': ['https://receiver.example.test/', 'https://receiver.example.test/'],
  'webhook:bare': ['https://receiver.example.test', 'https://receiver.example.test'],
  'webhook:shown': ['https://hooks.slack.com/[REDACTED]', 'https://hooks.slack.com/[REDACTED]'],
  email: ['owner@example.test, ops@example.test', 'owner@example.test, ops@example.test'],
};

const targets = async () =>
  Object.fromEntries(
    (await db.su.query('select tenant_id, recipient, target from alert_deliveries order by tenant_id, recipient')).rows.map((r) => [
      `${r.tenant_id}/${r.recipient}`,
      r.target,
    ]),
  );

const tenants = [randomUUID(), randomUUID()];

beforeAll(async () => {
  db = await databaseMigratedTo('Migration20261203090000_server_secret_check');
  for (const tenantId of tenants) {
    const alertId = randomUUID();
    await db.su.query('insert into tenants (id, name) values ($1, $2)', [tenantId, `Before shown targets ${tenantId}`]);
    await db.su.query(
      `insert into alerts (tenant_id, id, rule, subject, window_start, window_minutes, first_at, last_at, count, threshold, filter)
       values ($1, $2, 'LOGIN_FAILURES_ACCOUNT', 'cashier', now(), 60, now(), now(), 6, 5, '{}')`,
      [tenantId, alertId],
    );
    for (const [recipient, [target]] of Object.entries(TARGETS))
      await db.su.query('insert into alert_deliveries (tenant_id, alert_id, recipient, channel, target) values ($1, $2, $3, $4, $5)', [
        tenantId,
        alertId,
        recipient,
        recipient === 'email' ? 'EMAIL' : 'WEBHOOK',
        target,
      ]);
  }
}, 60_000);
afterAll(() => db?.drop());

describe("webhook deliveries recorded with the webhook's whole URL", () => {
  it('are rewritten as the service shows them (alerts.list reads a target through shownWebhookUrl)', () => {
    for (const [recipient, [before, after]] of Object.entries(TARGETS)) if (recipient !== 'email') expect(shownWebhookUrl(before), recipient).toBe(after);
  });

  it('keep only its display form, in every tenant; the table stays under forced row-level security', async () => {
    const expected = (i: 0 | 1) => Object.fromEntries(tenants.flatMap((t) => Object.entries(TARGETS).map(([r, pair]) => [`${t}/${r}`, pair[i]])));
    expect(await targets()).toEqual(expected(0));
    await db.owner.migrator.up();
    expect(await targets()).toEqual(expected(1));
    const forced = await db.su.query(`select relforcerowsecurity from pg_class where oid = 'alert_deliveries'::regclass`);
    expect(forced.rows[0].relforcerowsecurity).toBe(true);
  }, 60_000);
});
