import { describe, expect, it } from 'vitest';
import { ZAuditEventInput } from './audit-event.ts';

const base = {
  eventId: '0193b1de-7a10-7c3e-9a51-2f0c4b1d9e01',
  tenantId: '0193b1de-7a10-7c3e-9a51-2f0c4b1d9e02',
  outcome: 'SUCCESS',
  actor: { type: 'USER', id: 'u-ana', role: 'ADMIN', name: 'Ana Álvarez' },
  entity: { type: 'AI_RECOMMENDATION', id: 'rec-88', label: 'Reorder oat milk' },
  occurredAt: '2026-11-22T10:15:00+01:00',
};
const ai = { trigger: 'stock of Oat milk below par level', confidence: 0.82, riskLevel: 'MEDIUM' };
const ana = { id: 'u-ana', name: 'Ana Álvarez', role: 'ADMIN' };

/** The issues ingest would answer for `event`: each path joined with dots. */
function issuesOf(event: object): Record<string, string> {
  const parsed = ZAuditEventInput.safeParse(event);
  if (parsed.success) return {};
  return Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
}

describe('the AI actions’ metadata at acceptance (seed lesson: trigger, confidence, risk level, who decided)', () => {
  it('accepts each AI action with its fields, keeping other metadata keys', () => {
    const accepted = { ...base, action: 'AI_RECOMMENDATION_ACCEPTED', metadata: { ...ai, approvedBy: ana, model: 'forecast-v3' } };
    const parsed = ZAuditEventInput.parse(accepted);
    expect(parsed.metadata).toEqual({ ...ai, approvedBy: ana, model: 'forecast-v3' });
    expect(issuesOf({ ...base, action: 'AI_RECOMMENDATION_REJECTED', metadata: { ...ai, rejectedBy: { id: 'u-ben' } } })).toEqual({});
    // executed under the policy's automatic tier: nobody approved it
    expect(
      issuesOf({
        ...base,
        action: 'AI_ACTION_EXECUTED',
        actor: { type: 'SYSTEM', name: 'Copilot' },
        metadata: { ...ai, riskLevel: 'LOW', summary: 'Sent a low-stock notice' },
      }),
    ).toEqual({});
    expect(issuesOf({ ...base, action: 'AI_ACTION_EXECUTED', metadata: { ...ai, confidence: 0, approvedBy: ana } })).toEqual({});
    expect(issuesOf({ ...base, action: 'AI_ACTION_EXECUTED', metadata: { ...ai, confidence: 1, riskLevel: 'HIGH', approvedBy: ana } })).toEqual({});
  });

  it('refuses missing or invalid fields, each with its path under metadata', () => {
    expect(issuesOf({ ...base, action: 'AI_ACTION_EXECUTED' })).toEqual({
      'metadata.trigger': expect.any(String),
      'metadata.confidence': expect.any(String),
      'metadata.riskLevel': expect.any(String),
    });
    const bad = issuesOf({ ...base, action: 'AI_ACTION_EXECUTED', metadata: { trigger: '', confidence: 1.2, riskLevel: 'CRITICAL' } });
    expect(Object.keys(bad).sort()).toEqual(['metadata.confidence', 'metadata.riskLevel', 'metadata.trigger']);
    expect(bad['metadata.confidence']).toMatch(/<=1/);
    expect(issuesOf({ ...base, action: 'AI_ACTION_EXECUTED', metadata: { ...ai, confidence: -0.1 } })).toHaveProperty(['metadata.confidence']);
    expect(issuesOf({ ...base, action: 'AI_ACTION_EXECUTED', metadata: { ...ai, confidence: '0.8' } })).toHaveProperty(['metadata.confidence']);
  });

  it('requires who decided when the decision was made, and refuses the opposite decision', () => {
    expect(issuesOf({ ...base, action: 'AI_RECOMMENDATION_ACCEPTED', metadata: ai })).toEqual({ 'metadata.approvedBy': expect.stringMatching(/required/) });
    expect(issuesOf({ ...base, action: 'AI_RECOMMENDATION_REJECTED', metadata: ai })).toEqual({ 'metadata.rejectedBy': expect.stringMatching(/required/) });
    expect(issuesOf({ ...base, action: 'AI_RECOMMENDATION_REJECTED', metadata: { ...ai, rejectedBy: ana, approvedBy: ana } })).toEqual({
      'metadata.approvedBy': 'is not part of a rejected recommendation',
    });
    expect(issuesOf({ ...base, action: 'AI_RECOMMENDATION_ACCEPTED', metadata: { ...ai, approvedBy: { id: '' } } })).toHaveProperty(['metadata.approvedBy.id']);
    expect(issuesOf({ ...base, action: 'AI_RECOMMENDATION_ACCEPTED', metadata: { ...ai, approvedBy: { id: 'u-1', role: 'OWNER' } } })).toHaveProperty([
      'metadata.approvedBy.role',
    ]);
    expect(issuesOf({ ...base, action: 'AI_RECOMMENDATION_ACCEPTED', metadata: { ...ai, approvedBy: 'u-ana' } })).toHaveProperty(['metadata.approvedBy']);
    // a refused acceptance (a cashier may not accept a HIGH-risk recommendation): nobody approved
    expect(
      issuesOf({ ...base, action: 'AI_RECOMMENDATION_ACCEPTED', outcome: 'REJECTED', reason: 'PERMISSION_DENIED', metadata: { ...ai, riskLevel: 'HIGH' } }),
    ).toEqual({});
  });

  it('leaves the other modules’ metadata free', () => {
    expect(issuesOf({ ...base, action: 'POLICY_UPDATED', metadata: { confidence: 7, riskLevel: 'whatever' } })).toEqual({});
  });
});
