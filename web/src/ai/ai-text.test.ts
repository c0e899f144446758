import { describe, expect, it } from 'vitest';
import { decisionText, formatConfidence, whatText } from './ai-text.ts';

const none = { trigger: null, confidence: null, riskLevel: null, summary: null, approvedBy: null, rejectedBy: null };

describe('the AI actions screen in words', () => {
  it('says who decided, or that nobody did', () => {
    expect(
      decisionText({ action: 'AI_RECOMMENDATION_ACCEPTED', outcome: 'SUCCESS', ai: { ...none, approvedBy: { id: 'u', name: 'Ana Álvarez', role: 'ADMIN' } } }),
    ).toBe('Approved by Ana Álvarez (Admin)');
    expect(decisionText({ action: 'AI_RECOMMENDATION_REJECTED', outcome: 'SUCCESS', ai: { ...none, rejectedBy: { id: 'u-ben' } } })).toBe('Rejected by u-ben');
    expect(decisionText({ action: 'AI_ACTION_EXECUTED', outcome: 'SUCCESS', ai: none })).toBe('No human approval (automatic)');
    expect(decisionText({ action: 'AI_RECOMMENDATION_ACCEPTED', outcome: 'REJECTED', ai: none })).toBe('Not decided');
    expect(decisionText({ action: 'AI_RECOMMENDATION_ACCEPTED', outcome: 'SUCCESS', ai: none })).toBe('Not recorded');
  });

  it('shows confidence as a percentage and the AI’s own summary first', () => {
    expect(formatConfidence(0.812)).toBe('81 %');
    expect(formatConfidence(0)).toBe('0 %');
    expect(formatConfidence(null)).toBe('—');
    const executed = {
      action: 'AI_ACTION_EXECUTED',
      outcome: 'SUCCESS',
      reason: null,
      claimedOutcome: 'SUCCESS',
      actor: { type: 'SYSTEM', id: null, name: 'Copilot', role: null },
      entity: { type: 'AI_ACTION', id: 'act-7', label: 'Reorder oat milk' },
    } as const;
    expect(whatText({ ...executed, ai: { ...none, summary: 'Reordered oat milk' } })).toBe('Reordered oat milk');
    expect(whatText({ ...executed, ai: none })).toBe('AI action Reorder oat milk executed (Copilot)');
    // a refused one reads as an attempt (issue 13, item 6), not as the catalog's "executed"
    expect(whatText({ ...executed, outcome: 'REJECTED', reason: 'BRANCH_FROZEN', ai: none })).toBe(
      'Copilot tried to execute AI action Reorder oat milk — refused: branch frozen, reported as done by the device',
    );
  });
});
