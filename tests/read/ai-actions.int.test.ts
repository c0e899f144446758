import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiEvents, storeLegacyAiEvent } from '../../testing/ai-seed.ts';
import { makeEvent, postTrpc } from '../../testing/events.ts';
import { ingestStored, untilStored } from '../../testing/ingest.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 13, item 8 through the service: AI events are accepted only with their trigger, confidence,
 * risk level and who decided (each refusal names its field's path), and `ai.actions` lists the AI
 * module's events with those fields — an event stored before they were required included, read
 * with nulls — to an Admin only.
 */
let stack: TestStack;
let tenantId: string;
let apiKey: string;
let admin: string;

beforeAll(async () => {
  stack = await startStack({ env: VIEWER_ENV });
  ({ tenantId, apiKey } = await stack.createTenant('AI Bistro'));
  admin = (await signedInAdmin(stack, tenantId)).cookie;
});
afterAll(() => stack.close());

describe('AI metadata at acceptance', () => {
  it('accepts the AI events of the seed lesson and refuses each bad field by its path', async () => {
    const good = aiEvents(tenantId);
    const noConfidence = makeEvent(tenantId, {
      action: 'AI_ACTION_EXECUTED',
      actor: { type: 'SYSTEM', name: 'Copilot' },
      metadata: { trigger: 'nightly forecast', riskLevel: 'LOW' },
    });
    const badRisk = makeEvent(tenantId, {
      action: 'AI_RECOMMENDATION_ACCEPTED',
      metadata: { trigger: 'price list', confidence: 1.5, riskLevel: 'EXTREME', approvedBy: { id: 'u-ana' } },
    });
    const noDecider = makeEvent(tenantId, { action: 'AI_RECOMMENDATION_REJECTED', metadata: { trigger: 'forecast', confidence: 0.5, riskLevel: 'LOW' } });
    const res = await postTrpc(stack.baseUrl, 'ingest.batch', { events: [...good, noConfidence, badRisk, noDecider] }, apiKey);
    expect(res.status).toBe(200);
    const { accepted, rejected } = res.body.result.data;
    expect(accepted).toEqual(good.map((e) => e.eventId));
    const paths = Object.fromEntries(rejected.map((r: any) => [r.index, r.issues.map((i: any) => i.path.join('.')).sort()]));
    expect(paths).toEqual({
      4: ['metadata.confidence'],
      5: ['metadata.confidence', 'metadata.riskLevel'],
      6: ['metadata.rejectedBy'],
    });
    await untilStored(stack, tenantId, accepted);
    const one = await postTrpc(stack.baseUrl, 'ingest.record', noConfidence, apiKey);
    expect(one.status).toBe(400);
    expect(one.body.error.data.issues.map((i: any) => i.path)).toEqual([['metadata', 'confidence']]);
  });
});

describe('ai.actions', () => {
  it('lists the AI module’s events, newest first, with what the AI did, why, how sure, the risk and who decided', async () => {
    await ingestStored(stack, tenantId, aiEvents(tenantId, Date.now() - 3_600_000));
    await ingestStored(stack, tenantId, [makeEvent(tenantId, { action: 'POLICY_UPDATED' })]);
    const legacy = await storeLegacyAiEvent(stack, tenantId, 24 * 60);
    const res = await trpc(stack, 'query', 'ai.actions', { limit: 200 }, { cookie: admin });
    expect(res.status).toBe(200);
    const items = res.data.items as any[];
    // the four of the first test and these four and the legacy one: nothing of another module
    expect(items.every((i) => i.action.startsWith('AI_'))).toBe(true);
    expect(items).toHaveLength(9);
    const times = items.map((i) => Date.parse(i.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const approved = items.find((i) => i.entity?.id === 'rec-88');
    expect(approved.ai).toEqual({
      trigger: 'Supplier price list changed',
      confidence: 0.81,
      riskLevel: 'HIGH',
      summary: 'Raise espresso prices by 15 %',
      approvedBy: { id: 'u-ana', name: 'Ana Álvarez', role: 'ADMIN' },
      rejectedBy: null,
    });
    expect(items.find((i) => i.entity?.id === 'rec-89').ai.rejectedBy).toEqual({ id: 'u-ben', name: 'Ben Brook', role: 'MANAGER' });
    // stored before the fields were required: readable, with nulls
    const old = items.find((i) => i.entity?.id === 'rec-7');
    expect(old.ai).toEqual({ trigger: null, confidence: null, riskLevel: null, summary: null, approvedBy: null, rejectedBy: null });
    expect(legacy).toBeDefined();
    // pages by cursor like the log
    const first = await trpc(stack, 'query', 'ai.actions', { limit: 5 }, { cookie: admin });
    const second = await trpc(stack, 'query', 'ai.actions', { limit: 5, cursor: first.data.nextCursor }, { cookie: admin });
    expect([...first.data.items, ...second.data.items].map((i: any) => i.id)).toEqual(items.map((i) => i.id));
    expect(second.data.nextCursor).toBeNull();
    const rejectedOnly = await trpc(stack, 'query', 'ai.actions', { actions: ['AI_RECOMMENDATION_REJECTED'] }, { cookie: admin });
    expect(rejectedOnly.data.items.map((i: any) => i.action)).toEqual(['AI_RECOMMENDATION_REJECTED', 'AI_RECOMMENDATION_REJECTED']);
  });

  it('is refused to a Manager and to an API key', async () => {
    const manager = (await signInFirstTime(stack, (await makeUser(stack, tenantId, 'MANAGER')).email)).cookie;
    expect((await trpc(stack, 'query', 'ai.actions', {}, { cookie: manager })).code).toBe('FORBIDDEN');
    expect((await trpc(stack, 'query', 'ai.actions', {}, { apiKey })).code).toBe('UNAUTHORIZED');
  });
});
