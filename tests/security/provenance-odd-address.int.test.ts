import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../testing/database.ts';
import { eventually, makeEvent } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * Behind a trusted proxy the request's address comes from X-Forwarded-For, which the client
 * writes. Whatever it holds, an acknowledged event must be stored (DESIGN: nothing accepted is
 * ever lost): an address that is not one is recorded as none, never carried into a job the
 * worker cannot read.
 */
let stack: TestStack;
let tenantId: string;
let apiKey: string;

beforeAll(async () => {
  stack = await startStack({ env: { TRUST_PROXY: '127.0.0.1/32' } });
  ({ tenantId, apiKey } = await stack.createTenant('Odd addresses'));
});
afterAll(() => stack?.close());

async function send(forwardedFor: string) {
  const event = makeEvent(tenantId);
  const res = await fetch(`${stack.baseUrl}/trpc/ingest.record`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'x-forwarded-for': forwardedFor },
    body: JSON.stringify(event),
  });
  return { status: res.status, eventId: event.eventId };
}

async function storedAddress(eventId: string): Promise<string | null> {
  const row = await eventually(
    async () =>
      (
        await queryRows<{ source_address: string | null }>(
          stack.databaseSuperuserUrl,
          'select source_address from audit_events where tenant_id = $1 and event_id = $2',
          [tenantId, eventId],
        )
      )[0],
    15_000,
  );
  return row.source_address;
}

describe('the address a client claims through a trusted proxy', () => {
  it('a real client address is recorded as the source', async () => {
    const sent = await send('203.0.113.7');
    expect(sent.status).toBe(200);
    expect(await storedAddress(sent.eventId)).toBe('203.0.113.7');
  });

  for (const [name, value] of [
    ['80 characters of text', 'x'.repeat(80)],
    ['a host name', 'till-7.branch.example'],
    ['an address with a port', '203.0.113.7:51234'],
  ] as const) {
    it(`${name}: acknowledged, stored, the source recorded as none`, async () => {
      const sent = await send(value);
      expect(sent.status).toBe(200);
      expect(await storedAddress(sent.eventId)).toBeNull();
    });
  }
});
