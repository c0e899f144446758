import { readFileSync } from 'node:fs';
import { ZProofBundle } from '@modula/contracts';
import { proveConsistency, proveInclusion, verifyProofBundle } from '@modula/domain';
import { z } from 'zod';
import { printJson, required, tenantOption, type TCommand } from './helpers.ts';
import { trustedKeyring } from './trusted-keys.ts';
import { withOrm } from './with-orm.ts';

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
    const tenantId = tenantOption(values);
    if (values.seq !== undefined) {
      const seq = seqOf(values.seq, 'seq');
      // with the event's record, so the verifier recomputes the event's hash too
      const bundle = await withOrm((orm) => proveInclusion(orm, tenantId, seq, { withRecord: true }));
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

const NO_RECORD = "this proof carries no record: only the hash's place in the log was checked; ask events.get with withProof for a full proof";

export const verifyProofCommand: TCommand = {
  summary:
    "Checks a proof printed by `proof` (or a saved events.get withProof answer) offline, with the public key only: exit 0 when the signature, the record (its hash, and the answer's fields) and the path hold; a proof without a record is refused (exit 3) unless --hash-only.",
  options: { 'public-key': { type: 'string' }, 'hash-only': { type: 'boolean' } },
  async run(values, positionals) {
    const file = positionals[0];
    if (!file) throw new Error('usage: verify-proof FILE [--public-key KEY] [--hash-only]');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    // a whole events.get answer carries the proof in `proof`, beside the fields it shows
    const { proof, ...view } = raw;
    const answer = raw.type ? null : view;
    const bundle = ZProofBundle.parse(answer ? proof : raw);
    const result = verifyProofBundle(bundle, trustedKeyring(values['public-key'] as string | undefined), answer ? { view: answer } : {});
    if (bundle.type === 'consistency') {
      printJson(result);
      return result.ok ? 0 : 2;
    }
    const recordChecked = result.ok && bundle.record !== undefined;
    // a proof without the record holds as far as it goes, which is not as far as an auditor reads
    if (result.ok && !recordChecked && values['hash-only'] !== true) {
      printJson({ ok: false, reason: NO_RECORD, recordChecked });
      console.error(`NOT VERIFIED: ${NO_RECORD} (or pass --hash-only to check only that)`);
      return 3;
    }
    printJson({ ...result, recordChecked });
    if (!result.ok) console.error(`NOT VERIFIED: ${result.reason}`);
    return result.ok ? 0 : 2;
  },
};
