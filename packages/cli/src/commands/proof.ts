import { readFileSync } from 'node:fs';
import { ZProofBundle } from '@modula/contracts';
import { AUDIT_EVENT_RECORD_SELECT, dbOf, sql, withTenant } from '@modula/db';
import { proveConsistency, proveInclusion, verifyProofBundle } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, type TCommand } from './helpers.ts';
import { trustedKeyring } from './trusted-keys.ts';
import { withOrm } from './with-orm.ts';

/** The keys record version 2 added (README "Hash chain"). */
const PROVENANCE_KEYS = ['recordVersion', 'credential', 'sourceAddress'];

const seqOf = (v: unknown, name: string) =>
  z.coerce
    .number({ error: `--${name} must be a seq` })
    .int()
    .min(1)
    .parse(v);

export const proofCommand: TCommand = {
  summary:
    'Prints a proof to verify offline: --seq N (the event is in the latest signed checkpoint, with its record) or --from A [--to B] (checkpoint B extends A).',
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
          const r = (
            await sql<{ record: Record<string, unknown>; prevHash: string }>`select to_jsonb(e) - 'hash' - 'prevHash' as record, e."prevHash"
            from (select ${AUDIT_EVENT_RECORD_SELECT} from audit_events where tenant_id = ${tenantId} and seq = ${seq}) e`.execute(dbOf(em))
          ).rows[0]!;
          // a record of version 1 (stored before provenance was kept) hashes without the provenance keys
          const record = Object.fromEntries(Object.entries(r.record).filter(([k]) => r.record.recordVersion !== 1 || !PROVENANCE_KEYS.includes(k)));
          return { record, prevHash: r.prevHash };
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
