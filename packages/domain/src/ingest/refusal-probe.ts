import type { TAcceptedEvent, TProvenance } from '@modula/contracts';
import { withTenant, type Orm } from '@modula/db';
import { storeBatch } from './store-batch.ts';
import { permanentDataErrorCode } from './store-isolated.ts';

/** Thrown inside the probe's transaction so that whatever it wrote is rolled back. */
class ProbeRolledBack extends Error {}

/** PostgreSQL's refusal of an event: its SQLSTATE (class 22, 23 or 54) and message. */
export interface TRefusal {
  sqlState: string;
  message: string;
}

/**
 * Whether PostgreSQL would refuse to store `event` now: the worker's own storeBatch, in a
 * transaction that is always rolled back (nothing is stored, no seq is taken: the chain's seq comes
 * from its head, not a sequence). A replay of an event PostgreSQL once refused asks this first, so
 * that one still refused is neither queued, counted as replayed nor marked replayed. Transient
 * faults throw.
 */
export async function probeRefusal(
  orm: Orm,
  tenantId: string,
  event: TAcceptedEvent,
  receivedAt: string,
  provenance: TProvenance | null,
): Promise<TRefusal | undefined> {
  try {
    await withTenant(orm, tenantId, async (em) => {
      await storeBatch(em, { v: 1, tenantId, receivedAt, events: [event], branchWaits: 0, ...(provenance ? { provenance } : {}) }, { lastBranchWait: false });
      throw new ProbeRolledBack();
    });
  } catch (err) {
    if (err instanceof ProbeRolledBack) return undefined;
    const sqlState = permanentDataErrorCode(err);
    if (sqlState === undefined) throw err;
    return { sqlState, message: (err as Error).message };
  }
  return undefined;
}
