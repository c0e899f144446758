import type { TTurnWait } from './ack-turn.ts';

/** A job of this process waiting for its tenant's turn, which the job holding the turn may take. */
export interface TGroupEntry<T, R> {
  readonly ticket: number;
  readonly item: T;
  /** What the job that took it answers for it: its summary, or the error that failed them both. */
  readonly result: Promise<R>;
  resolve(value: R): void;
  reject(err: unknown): void;
  taken: boolean;
}

/**
 * Group commit for one tenant's small batches. A tenant's jobs are stored one after another in
 * acknowledgement order (their tickets); while one holds the turn, the jobs right behind it in
 * this process wait. Instead of each then paying a transaction of its own (most of a 10-event
 * batch's time is that transaction's fixed statements and the turn hand-over), the holder takes
 * the waiting jobs whose tickets follow its own without a gap and stores them all in its one
 * transaction, in ticket order. Only tickets that follow without a gap are taken, so the order
 * holds; a job taken is stored as if it had run itself (a crash before the commit re-runs every
 * job of the group; after it, each re-run finds its events stored).
 */
export class TurnGroups<T, R> {
  private readonly waiting = new Map<string, Map<number, TGroupEntry<T, R>>>();

  /** Lists the job as waiting for its turn; the answer is what awaitTurn asks about it. */
  wait(tenantId: string, ticket: number, item: T): { entry: TGroupEntry<T, R>; turn: TTurnWait } {
    let resolve!: (value: R) => void;
    let reject!: (err: unknown) => void;
    const result = new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // a taken job's answer may be an error nobody awaits yet: it is awaited once the job sees it was taken
    result.catch(() => {});
    const entry: TGroupEntry<T, R> = { ticket, item, result, resolve, reject, taken: false };
    let tenant = this.waiting.get(tenantId);
    if (!tenant) this.waiting.set(tenantId, (tenant = new Map()));
    tenant.set(ticket, entry);
    return { entry, turn: { taken: () => entry.taken, leave: () => this.leave(tenantId, entry) } };
  }

  /** Takes the job off the list as it stops waiting; false when it was taken first. */
  leave(tenantId: string, entry: TGroupEntry<T, R>): boolean {
    if (entry.taken) return false;
    const tenant = this.waiting.get(tenantId);
    if (tenant?.get(entry.ticket) === entry) tenant.delete(entry.ticket);
    if (tenant?.size === 0) this.waiting.delete(tenantId);
    return true;
  }

  /**
   * Takes the jobs waiting right behind `ticket` (ticket + 1, + 2, … without a gap) while `fits`
   * accepts each with what was taken before it. Synchronous: no waiter moves while it runs.
   */
  takeAfter(tenantId: string, ticket: number, fits: (item: T, taken: T[]) => boolean): TGroupEntry<T, R>[] {
    const tenant = this.waiting.get(tenantId);
    const taken: TGroupEntry<T, R>[] = [];
    for (let next = ticket + 1; tenant; next++) {
      const entry = tenant.get(next);
      if (
        !entry ||
        !fits(
          entry.item,
          taken.map((e) => e.item),
        )
      )
        break;
      entry.taken = true;
      tenant.delete(next);
      taken.push(entry);
    }
    if (tenant?.size === 0) this.waiting.delete(tenantId);
    return taken;
  }
}
