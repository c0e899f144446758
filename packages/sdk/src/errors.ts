import type { TIssue } from '@modula/contracts';

/** `record()` refused an event before it entered the outbox; `issues` say what is wrong (path and message). */
export class InvalidAuditEventError extends Error {
  constructor(readonly issues: TIssue[]) {
    super(`invalid audit event: ${issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidAuditEventError';
  }
}

/** The outbox was closed; create a new one on the same store to go on. */
export class OutboxClosedError extends Error {
  constructor() {
    super('the audit outbox is closed');
    this.name = 'OutboxClosedError';
  }
}

/** `flush()` while the service's Retry-After (a 429) still runs: nothing was sent; the background sender goes on after `retryInMs`. */
export class RetryLaterError extends Error {
  constructor(
    readonly retryInMs: number,
    cause?: Error,
  ) {
    super(`the service asked to wait before the next send (Retry-After): ${Math.ceil(retryInMs / 1000)} s left`, { cause });
    this.name = 'RetryLaterError';
  }
}
