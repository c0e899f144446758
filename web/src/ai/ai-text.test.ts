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
    expect(whatText({ description: 'AI action X executed', ai: { ...none, summary: 'Reordered oat milk' } })).toBe('Reordered oat milk');
    expect(whatText({ description: 'AI action X executed', ai: none })).toBe('AI action X executed');
  });
});
