import { defineEntity, p } from '@mikro-orm/core';

/**
 * One stored audit event. Written only by the worker's batch insert and never updated: the
 * database refuses UPDATE, DELETE and TRUNCATE on this table for every role.
 */
export const AuditEvent = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    tenantId: p.uuid().primary(),
    seq: p.bigint('number').primary(),
    id: p.uuid(),
    eventId: p.uuid(),
    branchId: p.uuid().nullable(),
    module: p.text(),
    action: p.text(),
    description: p.text(),
    outcome: p.text(),
    reason: p.text().nullable(),
    claimedOutcome: p.text(),
    actorType: p.text(),
    actorId: p.text().nullable(),
    actorRole: p.text().nullable(),
    actorName: p.text().nullable(),
    entityType: p.text().nullable(),
    entityId: p.text().nullable(),
    entityLabel: p.text().nullable(),
    occurredAt: p.datetime(),
    receivedAt: p.datetime(),
    ip: p.text().nullable(),
    sessionId: p.text().nullable(),
    deviceId: p.text().nullable(),
    deviceSeq: p.bigint('number').nullable(),
    offline: p.boolean().nullable(),
    before: p.json<Record<string, unknown>>().nullable(),
    after: p.json<Record<string, unknown>>().nullable(),
    metadata: p.json<Record<string, unknown>>().nullable(),
    redactedPaths: p.array(),
    contentHash: p.text(),
    /** 1: stored before provenance was kept (its hashed record lacks the next three); 2: with it. */
    recordVersion: p.smallint(),
    credential: p.text().nullable(),
    sourceAddress: p.text().nullable(),
    prevHash: p.text(),
    hash: p.text(),
  },
});
