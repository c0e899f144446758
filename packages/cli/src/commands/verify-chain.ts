import { existsSync, readFileSync } from 'node:fs';
import { ZCheckpoint } from '@modula/contracts';
import { AppError, defaultKeyFile, loadSigner, pinnedKeys, verifyChain } from '@modula/domain';
import { z } from 'zod';
import { printJson, tenantOption, type TCommand } from './helpers.ts';
import { reportChainBrokenFromCli } from './alerts.ts';
import { cliConfig } from '../runtime-config.ts';
import { trustedKeyring } from './trusted-keys.ts';
import { withOrm } from './with-orm.ts';

export const verifyChainCommand: TCommand = {
  summary:
    "Recomputes a tenant's hash chain from the stored rows and checks it against every signed checkpoint (also --checkpoints FILE: " +
    'saved copies; --public-key KEY: trust only these keys, else the keys pinned on this host at first use and its own); ' +
    'exit 0 when intact, else prints the first broken seq and why.',
  options: { tenant: { type: 'string' }, 'public-key': { type: 'string' }, checkpoints: { type: 'string' } },
  async run(values) {
    // lower case, as checkpoints and anchors sign it: another spelling would pass over the auditor's saved checkpoints
    const tenantId = tenantOption(values);
    const extraCheckpoints = values.checkpoints ? readCheckpoints(values.checkpoints as string) : undefined;
    // saved copies of other tenants only would be passed over, and the answer read as "checked against my copies"
    const foreign = extraCheckpoints?.find((c) => c.tenantId.toLowerCase() !== tenantId);
    if (foreign && !extraCheckpoints!.some((c) => c.tenantId.toLowerCase() === tenantId))
      throw new AppError(
        'VALIDATION_FAILED',
        `--checkpoints ${values.checkpoints as string} holds no checkpoint of tenant ${tenantId} (they are of tenant ${foreign.tenantId}): nothing was verified; pass the checkpoints saved for this tenant`,
      );
    const result = await withOrm(async (orm) => {
      // never "whatever the database lists": the given keys, else those pinned on this host
      if (values['public-key']) return verifyChain(orm, tenantId, { keyring: trustedKeyring(values['public-key'] as string), extraCheckpoints });
      const config = cliConfig();
      const own = existsSync(defaultKeyFile(config)) ? loadSigner(config) : undefined;
      const { keyring, notTrusted } = await pinnedKeys(orm, config.DATA_DIR, own);
      return { ...(await verifyChain(orm, tenantId, { keyring, extraCheckpoints })), ...(notTrusted.length > 0 ? { notTrustedKeys: notTrusted } : {}) };
    });
    printJson(result);
    if (!result.ok)
      await reportChainBrokenFromCli({
        tenantId,
        brokenSeq: result.firstBrokenSeq,
        source: 'verify-chain',
        reason: (result.reason ?? 'the chain does not verify').slice(0, 500),
        detectedAt: new Date().toISOString(),
      });
    return result.ok ? 0 : 2;
  },
};

/** A checkpoint, a list of them, or the output of `checkpoint list` ({ items }). */
function readCheckpoints(file: string) {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && 'items' in raw ? (raw as { items: unknown[] }).items : [raw];
  return z.array(ZCheckpoint).parse(list);
}
