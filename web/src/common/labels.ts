import type { TDenialReason, TOutcome } from '@modula/contracts';

/** `CASH_SESSION` → `Cash session`: enum names as a person reads them. */
export function humanize(name: string): string {
  const words = name.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const OUTCOME_LABELS: Record<TOutcome, string> = {
  SUCCESS: 'Success',
  REJECTED: 'Rejected',
  FAILED: 'Failed',
};

export const OUTCOME_COLORS: Record<TOutcome, string> = {
  SUCCESS: 'teal',
  REJECTED: 'orange',
  FAILED: 'red',
};

export const REASON_LABELS: Record<TDenialReason, string> = {
  PERMISSION_DENIED: 'Permission denied',
  POLICY_BLOCKED: 'Blocked by policy',
  VALIDATION_FAILED: 'Validation failed',
  BRANCH_FROZEN: 'Branch frozen',
  TENANT_FROZEN: 'Tenant frozen',
  DEPENDENCY_MISSING: 'Dependency missing',
};
