import { connect as netConnect } from 'node:net';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, postTrpc } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';

/**
 * A device fleet's and an attacker's view of ingest: what a till (or someone holding its key) can
 * send over HTTP, and what it must get back.
 */
let stack: TestStack;
let tenant: { tenantId: string; apiKey: string };

beforeAll(async () => {
  // a short request deadline, so that a request that never completes is seen ending within the test
  stack = await startStack({ worker: false, env: { HTTP_REQUEST_TIMEOUT_SECONDS: '1' } });
  tenant = await stack.createTenant('Device probes');
});
afterAll(() => stack.close());

/** Sends `head` on a raw socket and never more; resolves with what the server answered (or did not) within `waitMs`. */
function sendAndStall(head: string, waitMs: number): Promise<{ answer: string; closed: boolean }> {
  const url = new URL(stack.baseUrl);
  return new Promise((resolve) => {
    let answer = '';
    const socket = netConnect(Number(url.port), url.hostname, () => socket.write(head));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closed: false });
    }, waitMs);
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closed: true });
    });
  });
}

describe('a request that never completes', () => {
  it('is answered 408 and closed once the request deadline passed, instead of holding the connection forever', async () => {
    // a till that lost power (or an attacker) mid-upload: the body announced is never all sent
    const head = [
      'POST /trpc/ingest.batch HTTP/1.1',
      'Host: audit',
      'Content-Type: application/json',
      `Authorization: Bearer ${tenant.apiKey}`,
      'Content-Length: 1000',
      '',
      '{"events":[',
    ].join('\r\n');
    const { answer, closed } = await sendAndStall(head, 8_000);
    expect(closed, `no answer and still open after 8 s: ${JSON.stringify(answer)}`).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('one spelling per id in every reply', () => {
  it("a refused event's eventId is answered in the lower-case form, as accepted ids are (README: one spelling per id)", async () => {
    // a Swift till sends upper case; one of its events names an action the catalog does not have
    const good = { ...makeEvent(tenant.tenantId), eventId: uuidv7().toUpperCase() };
    const bad = { ...makeEvent(tenant.tenantId), eventId: uuidv7().toUpperCase(), action: 'SALE_DELETED' };
    const notAnId = { ...makeEvent(tenant.tenantId), eventId: 'Till-7/42' };
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [good, bad, notAnId] }, tenant.apiKey);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { accepted, rejected } = res.body.result.data;
    expect(accepted).toEqual([good.eventId.toLowerCase()]);
    expect(rejected.map((r: { index: number; eventId?: string }) => [r.index, r.eventId])).toEqual([
      [1, bad.eventId.toLowerCase()],
      // what is not a UUID is echoed as sent, to say which event it was
      [2, 'Till-7/42'],
    ]);
  });
});
