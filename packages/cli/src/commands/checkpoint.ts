import { administrationEvent, createCheckpoint, listCheckpoints, loadSigner, pinnedKeys } from '@modula/domain';
import { z } from 'zod';
import { printJson, tenantOption, type TCommand } from './helpers.ts';
import { cliConfig } from '../runtime-config.ts';
import { operatorActor, recordAdministration } from './record-administration.ts';
import { withOrm } from './with-orm.ts';

export const checkpointCreate: TCommand = {
  summary: "Signs the tenant's chain head now (seq, hash, Merkle root, time) after verifying the events since the last checkpoint; prints it.",
  options: { tenant: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const config = cliConfig();
    const signer = loadSigner(config);
    // extends only a checkpoint signed by a key pinned on this host (as verify-chain trusts them)
    const { checkpoint, created } = await withOrm(async (orm) =>
      createCheckpoint(orm, signer, tenantId, { keyring: (await pinnedKeys(orm, config.DATA_DIR, signer)).keyring }),
    );
    if (created) {
      await recordAdministration([
        administrationEvent(
          tenantId,
          'CHECKPOINT_CREATED',
          operatorActor(),
          { type: 'CHECKPOINT', id: String(checkpoint.seq), label: `seq ${checkpoint.seq}` },
          { metadata: { seq: checkpoint.seq, hash: checkpoint.hash, keyId: checkpoint.keyId } },
        ),
      ]);
    }
    printJson(checkpoint);
    return 0;
  },
};

export const checkpointList: TCommand = {
  summary: "Prints the tenant's signed checkpoints, newest first (save them: an auditor's copy catches a deleted tail).",
  options: { tenant: { type: 'string' }, limit: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const limit = z.coerce.number().int().min(1).max(10_000).default(20).parse(values.limit);
    printJson({ items: await withOrm((orm) => listCheckpoints(orm, tenantId, limit)) });
    return 0;
  },
};
