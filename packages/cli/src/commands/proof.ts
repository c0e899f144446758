import { readFileSync } from 'node:fs';
import { ZProofBundle } from '@modula/contracts';
import { dbOf, sql, withTenant } from '@modula/db';
import { proveConsistency, proveInclusion, verifyProofBundle } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './helpers.ts';
import { trustedKeyring } from './trusted-keys.ts';
import { withOrm } from './with-orm.ts';

const seqOf = (v: unknown, name: string) => z.coerce.number({ error: `--${name} must be a seq` }).int().min(1).parse(v);

export const proofCommand: TCommand = {
  summary: 'Prints a proof to verify offline: --seq N (the event is in the latest signed checkpoint, with its record) or --from A [--to B] (checkpoint B extends A).',
  options: { tenant: { type: 'string' }, seq: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  async run(values) {
    const tenantId = z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
    if (values.seq !== undefined) {
      const seq = seqOf(values.seq, 'seq');
      const bundle = await withOrm(async (orm) => {
        const proof = await proveInclusion(orm, tenantId, seq);
        if (!proof) return null;
        // the record as the chain hashes it, so the verifier recomputes the event's hash too
        const { record, prevHash } = await withTenant(orm, tenantId, async (em) => {
          const r = (await sql<{ record: Record<string, unknown>; prev_hash: string }>`select to_jsonb(e) - 'hash' - 'prev_hash' as record, prev_hash
            from (select tenant_id, seq, id, event_id, branch_id, module, action, description, outcome, reason, claimed_outcome,
              actor_type, actor_id, actor_role, actor_name, entity_type, entity_id, entity_label,
              to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
              to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as received_at,
              ip, session_id, device_id, device_seq, offline, before, after, metadata, redacted_paths, content_hash,
              record_version, credential, source_address, prev_hash, hash
              from audit_events where tenant_id = ${tenantId} and seq = ${seq}) e`.execute(dbOf(em))).rows[0]!;
          // a record of version 1 (stored before provenance was kept) hashes without the provenance keys
          const entries = Object.entries(r.record).filter(([k]) => r.record.record_version !== 1 || !['record_version', 'credential', 'source_address'].includes(k));
          const camel = Object.fromEntries(entries.map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
          return { record: camel, prevHash: r.prev_hash };
        });
        return { ...proof, record, prevHash };
      });
      if (!bundle) {
        console.error(`event ${seq} is not covered by a signed checkpoint yet: run \`checkpoint create --tenant ${tenantId}\` first`);
        return 3;
      }
      printJson(bundle);
      return 0;
    }
    const from = seqOf(required(values, 'from'), 'from');
    const to = values.to === undefined ? undefined : seqOf(values.to, 'to');
    printJson(await withOrm((orm) => proveConsistency(orm, tenantId, from, to)));
    return 0;
  },
};

export const verifyProofCommand: TCommand = {
  summary: 'Checks a proof printed by `proof` (or returned by events.get withProof) offline, with the public key only; exit 0 when it holds.',
  options: { 'public-key': { type: 'string' } },
  async run(values, positionals) {
    const file = positionals[0];
    if (!file) throw new Error('usage: verify-proof FILE [--public-key KEY]');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    // a whole events.get answer carries the proof in `proof`
    const bundle = ZProofBundle.parse(raw.type ? raw : raw.proof);
    const result = verifyProofBundle(bundle, trustedKeyring(values['public-key'] as string | undefined));
    printJson(result);
    return result.ok ? 0 : 2;
  },
};
