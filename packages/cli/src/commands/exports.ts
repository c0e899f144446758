import { ZEventsFilter, ZExportFormat } from '@modula/contracts';
import { buildExport, createExportRequest, exportDir, loadSigner, verifyExportPack } from '@modula/domain';
import { join } from 'node:path';
import { z } from 'zod';
import { cliConfig } from '../runtime-config.ts';
import { printJson, required, type TCommand } from './helpers.ts';
import { trustedKeyring } from './trusted-keys.ts';
import { withOrm } from './with-orm.ts';

export const verifyExportCommand: TCommand = {
  summary:
    "Checks an export pack offline: the file against its signed manifest (default FILE.manifest.json) and the manifest against the public key (default: this installation's); exit 0 when intact, else the reason.",
  options: { manifest: { type: 'string' }, 'public-key': { type: 'string' } },
  async run(values, positionals) {
    const file = positionals[0];
    if (!file) throw new Error('usage: verify-export FILE [--manifest MANIFEST] [--public-key KEY]');
    const manifest = (values.manifest as string | undefined) ?? `${file}.manifest.json`;
    const result = await verifyExportPack(file, manifest, trustedKeyring(values['public-key'] as string | undefined));
    printJson(result);
    if (!result.ok) console.error(`NOT INTACT: ${result.reason}`);
    return result.ok ? 0 : 2;
  },
};

export const exportCreateCommand: TCommand = {
  summary:
    'Builds a signed export pack of a tenant now, in this process (operators; Admins use exports.create): --format csv|pdf [--filter JSON]; prints its manifest.',
  options: { tenant: { type: 'string' }, format: { type: 'string' }, filter: { type: 'string' } },
  async run(values) {
    const tenantId = z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(required(values, 'tenant'));
    const format = ZExportFormat.parse(required(values, 'format'));
    const filter = ZEventsFilter.parse(values.filter ? JSON.parse(values.filter as string) : {});
    const config = cliConfig();
    const signer = loadSigner(config);
    const { manifest } = await withOrm(async (orm) => {
      const exportId = await createExportRequest(orm, tenantId, { format, filter, requestedBy: { userId: null, name: 'operator (CLI)', email: null } });
      return buildExport(orm, signer, config.DATA_DIR, tenantId, exportId);
    });
    printJson({ ...manifest, path: join(exportDir(config.DATA_DIR, tenantId), manifest.file) });
    return 0;
  },
};
