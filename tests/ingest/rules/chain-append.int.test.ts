import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, sale } from '../../../testing/events.ts';
import { recordsFrom } from '../../../testing/integrity.ts';
import { chainHead, openRulesDatabase, storedRows, storeEvents, type TRulesDatabase } from '../../../testing/worker-rules.ts';

/**
 * Rule 5, the hash chain (README "Hash chain"): each tenant's log is a chain in acceptance order,
 * seq 1, 2, 3 … without gaps, prevHash = the hash before ("0" × 64 for seq 1), hash = SHA-256 of
 * prevHash ‖ the RFC 8785 JSON of the record; chain_heads holds the last link.
 */
let rules: TRulesDatabase;
beforeAll(async () => {
  rules = await openRulesDatabase();
});
afterAll(() => rules?.close());

const GENESIS = '0'.repeat(64);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('rule 5: chain append', () => {
  it("numbers a tenant's events 1, 2, 3 … across batches, each linked to the one before, and advances the head to the last", async () => {
    const tenantId = await rules.newTenant();
    const first = [makeEvent(tenantId), makeEvent(tenantId), makeEvent(tenantId)];
    const second = [makeEvent(tenantId, { after: { limit: 1 } }), makeEvent(tenantId)];
    expect((await storeEvents(rules.orm, tenantId, first)).stored).toEqual(first.map((e, i) => ({ eventId: e.eventId, seq: i + 1 })));
    expect((await storeEvents(rules.orm, tenantId, second)).stored).toEqual(second.map((e, i) => ({ eventId: e.eventId, seq: i + 4 })));
    const rows = await storedRows(rules.db, tenantId);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((r) => r.event_id)).toEqual([...first, ...second].map((e) => e.eventId));
    expect(rows.map((r) => r.prev_hash)).toEqual([GENESIS, ...rows.slice(0, -1).map((r) => r.hash)]);
    expect(await chainHead(rules.db, tenantId)).toEqual({ seq: 5, hash: rows[4]!.hash });
  });

  it('hashes each row as SHA-256(prevHash ‖ RFC 8785 JSON of its record), recomputed here from the stored columns', async () => {
    const tenantId = await rules.newTenant();
    await storeEvents(rules.orm, tenantId, [makeEvent(tenantId, { metadata: { ratio: 0.1, nested: { z: null, a: [1, 'é'] } } }), makeEvent(tenantId)]);
    const rows = await storedRows(rules.db, tenantId);
    const records = await recordsFrom(rules.db, tenantId, 1);
    expect(records.map((record, i) => sha256(rows[i]!.prev_hash + canonicalize(record)))).toEqual(rows.map((r) => r.hash));
  });

  it('gives no seq to what it does not store: duplicates, conflicts, quarantined and waiting events', async () => {
    const tenantId = await rules.newTenant();
    const kept = makeEvent(tenantId);
    await storeEvents(rules.orm, tenantId, [kept]);
    const next = makeEvent(tenantId);
    const outcome = await storeEvents(rules.orm, tenantId, [
      structuredClone(kept),
      { ...kept, after: { other: true } },
      sale(tenantId, uuidv7(), '2026-01-01T00:00:00.000Z'),
      next,
    ]);
    expect(outcome.stored).toEqual([{ eventId: next.eventId, seq: 2 }]);
    expect((await storedRows(rules.db, tenantId)).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('leaves the head where it was when a batch stores nothing', async () => {
    const tenantId = await rules.newTenant();
    const event = makeEvent(tenantId);
    await storeEvents(rules.orm, tenantId, [event]);
    const head = await chainHead(rules.db, tenantId);
    await storeEvents(rules.orm, tenantId, [structuredClone(event)]);
    expect(await chainHead(rules.db, tenantId)).toEqual(head);
  });

  it('keeps seq gap-free and the chain linked when batches of one tenant are stored concurrently', async () => {
    const tenantId = await rules.newTenant();
    const batches = Array.from({ length: 6 }, () => Array.from({ length: 20 }, () => makeEvent(tenantId)));
    await Promise.all(batches.map((events) => storeEvents(rules.orm, tenantId, events)));
    const rows = await storedRows(rules.db, tenantId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(rows.map((r) => r.prev_hash)).toEqual([GENESIS, ...rows.slice(0, -1).map((r) => r.hash)]);
    // each batch's events stay together and in order: one batch is one append
    const positions = batches.map((events) => events.map((e) => rows.findIndex((r) => r.event_id === e.eventId)));
    for (const p of positions) expect(p).toEqual(Array.from({ length: 20 }, (_, i) => p[0]! + i));
  });

  it("chains each tenant on its own: another tenant's appends do not touch this tenant's seq", async () => {
    const one = await rules.newTenant();
    const two = await rules.newTenant();
    await Promise.all([storeEvents(rules.orm, one, [makeEvent(one), makeEvent(one)]), storeEvents(rules.orm, two, [makeEvent(two)])]);
    expect((await storedRows(rules.db, one)).map((r) => [r.seq, r.prev_hash === GENESIS])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect((await storedRows(rules.db, two)).map((r) => [r.seq, r.prev_hash === GENESIS])).toEqual([[1, true]]);
  });
});
