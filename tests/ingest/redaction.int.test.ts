import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { untilStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/** Secrets as modules and tills really send them; none may reach Redis or PostgreSQL. */
const SECRETS = [
  'hunter2-Sup3rSecret!', // password
  '4821', // PIN
  'tok_9f8e7d6c5b4a39281706', // token
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', // JWT
  'sk_live_51HxAbCdEfGhIjKlMn', // API key
  '4111 1111 1111 1111', // card with spaces
  '5500-0000-0000-0004', // card with dashes
  '4012888888881881', // card plain
  '737', // CVV
  'Zm9vOmJhcg==', // basic auth credentials
];

function corpusEvent(tenantId: string) {
  return makeEvent(tenantId, {
    action: 'POLICY_UPDATED', // tenant level: a SALE_FINALIZED needs a provisioned branch since dddaf66
    entity: { type: 'INVOICE', id: 'inv-1', label: 'Paid with 4111 1111 1111 1111' },
    before: { user: { password: SECRETS[0], pin: SECRETS[1] } },
    after: {
      payment: { cardNumber: SECRETS[6], cvv: SECRETS[8], last4: '0004', holder: 'Ana' },
      note: `customer card ${SECRETS[5]} declined once`,
      managerPIN: '9999',
      shippingAddress: 'Pinewood Road 1',
    },
    metadata: {
      headers: { authorization: `Bearer ${SECRETS[3]}`, 'x-request-id': 'req-1' },
      apiKey: SECRETS[4],
      accessToken: SECRETS[2],
      raw: `card=${SECRETS[7]}&password=${SECRETS[0]}`,
      proxy: `Basic ${SECRETS[9]}`,
      items: [
        { sku: 'A1', qty: 2 },
        { sku: 'B2', secret: 'xyz-also-secret' },
      ],
    },
  });
}

/**
 * Ids, hashes and timestamps are random or time-dependent digits, so a short secret such as a CVV
 * can appear inside them by chance; they are masked before searching for the short secrets (long ones
 * are searched for in the raw text, so masking can never hide a leaked card number). The queue's job
 * id is <tenant>.<ticket>.<8 random hex>: that salt alone holds '737' or '4821' in 0.15 % of runs.
 */
function expectNoSecret(text: string) {
  const masked = withoutGeneratedValues(text);
  for (const secret of SECRETS) expect(secret.length >= 8 ? text : masked).not.toContain(secret);
}

function withoutGeneratedValues(text: string): string {
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.\d+\.[0-9a-f]{8}\b/gi, '<job id>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+(Z|[+-]\d{2}(:?\d{2})?)?/g, '<time>')
    .replace(/\\\\?x[0-9a-f]{16,}/gi, '<bytes>')
    .replace(/\b[0-9a-f]{32,}\b/gi, '<hex>')
    .replace(/\b\d{10,}\b/g, '<number>');
}

let stack: TestStack;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack({ worker: false }); // the job stays in Redis until we look at it
  ({ tenantId } = await stack.createTenant('Redaction'));
});
afterAll(() => stack.close());

describe('secrets never stored (R8)', () => {
  it('redacts by key name and by value pattern before the queue: nothing in Redis, nothing in PostgreSQL', async () => {
    const event = corpusEvent(tenantId);
    const res = await stack.caller.ingest.batch({ events: [event] });
    expect(res.accepted).toEqual([event.eventId]);

    const redis = new Redis(stack.env.REDIS_URL!);
    const dump: string[] = [];
    const keys: string[] = [];
    let cursor = '0';
    do {
      // SCAN: the service's Redis user may not run KEYS (@dangerous)
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${stack.config.QUEUE_PREFIX}:*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'string') dump.push((await redis.get(key)) ?? '');
    }
    redis.disconnect();
    const inRedis = dump.join('\n');
    expect(inRedis).toContain(event.eventId); // the job really is there
    expectNoSecret(inRedis);
    expect(inRedis).not.toContain('xyz-also-secret');

    // while no worker runs, the queue reports the job's age (the operator's lag alert)
    await new Promise((r) => setTimeout(r, 30));
    expect(await stack.services.ingestQueue.lagMs()).toBeGreaterThanOrEqual(30);

    const worker = stack.startWorker();
    await untilStored(stack, tenantId, [event.eventId]);
    await worker.close();

    const db = await connect(stack.databaseSuperuserUrl);
    const row = (await db.query('select * from audit_events where event_id = $1', [event.eventId])).rows[0];
    const everything = (await db.query(`select string_agg(t::text, ' ') as all from audit_events t`)).rows[0].all as string;
    await db.end();
    expectNoSecret(everything);
    expect(everything).not.toContain('4111111111111111');
    expect(row.after.payment).toEqual({ cardNumber: '[REDACTED]', cvv: '[REDACTED]', last4: '0004', holder: 'Ana' });
    expect(row.after.shippingAddress).toBe('Pinewood Road 1'); // "pin" inside a word is not a PIN
    expect(row.after.note).toBe('customer card [REDACTED] declined once');
    expect(row.metadata.headers['x-request-id']).toBe('req-1');
    expect(row.metadata.items[0]).toEqual({ sku: 'A1', qty: 2 });
    expect(row.entity_label).toBe('Paid with [REDACTED]');
    expect(row.redacted_paths).toEqual(
      expect.arrayContaining([
        'before.user.password',
        'before.user.pin',
        'after.payment.cardNumber',
        'after.payment.cvv',
        'after.note',
        'after.managerPIN',
        'metadata.headers.authorization',
        'metadata.apiKey',
        'metadata.accessToken',
        'metadata.raw',
        'metadata.proxy',
        'metadata.items[1].secret',
        'entity.label',
      ]),
    );
  });
});
