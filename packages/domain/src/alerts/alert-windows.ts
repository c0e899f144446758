import type { TAlertRuleName } from '@modula/contracts';
import { sql, type Db } from '@modula/db';

/**
 * The windows of the alerts already raised, per rule and subject: an event inside one raises
 * nothing (no storm), and a new window starts no earlier than the end of the one before it, so the
 * windows of one subject never overlap. Loaded once per subject per evaluation, then kept current.
 */
export class SubjectWindows {
  private readonly known = new Map<string, { start: number; end: number }[]>();

  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  private async of(rule: TAlertRuleName, subject: string) {
    const key = `${rule}\u0000${subject}`;
    let windows = this.known.get(key);
    if (!windows) {
      const rows = (
        await sql<{ start_ms: number; window_minutes: number }>`select extract(epoch from window_start) * 1000 as start_ms, window_minutes
          from alerts where tenant_id = ${this.tenantId} and rule = ${rule} and subject = ${subject}
          order by window_start desc limit 50`.execute(this.db)
      ).rows;
      windows = rows.map((r) => ({ start: Number(r.start_ms), end: Number(r.start_ms) + r.window_minutes * 60_000 }));
      this.known.set(key, windows);
    }
    return windows;
  }

  /** Whether an alert of the rule and subject already covers the instant `atMs`. */
  async covers(rule: TAlertRuleName, subject: string, atMs: number): Promise<boolean> {
    return (await this.of(rule, subject)).some((w) => w.start <= atMs && atMs < w.end);
  }

  /** Where a new window for a trigger at `atMs` whose counted events start at `firstMs` begins. */
  async startFor(rule: TAlertRuleName, subject: string, firstMs: number, atMs: number): Promise<number> {
    const before = (await this.of(rule, subject)).filter((w) => w.start <= atMs).map((w) => w.end);
    return Math.max(firstMs, ...before);
  }

  /**
   * Whether [startMs, endMs) meets a window already raised: failures that arrive late (an offline
   * till) and fall just before an existing window belong to the alert already raised, not a second one.
   */
  async overlaps(rule: TAlertRuleName, subject: string, startMs: number, endMs: number): Promise<boolean> {
    return (await this.of(rule, subject)).some((w) => w.start < endMs && startMs < w.end);
  }

  async add(rule: TAlertRuleName, subject: string, startMs: number, windowMinutes: number): Promise<void> {
    (await this.of(rule, subject)).push({ start: startMs, end: startMs + windowMinutes * 60_000 });
  }
}
