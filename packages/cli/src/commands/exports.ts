import { ZEventsFilter, ZExportFormat } from '@modula/contracts';
import { buildExport, createExportRequest, exportDir, exportRequestDigest, loadSigner, openExportPart, packStoresOf, verifyExportPack } from '@modula/domain';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { cliConfig } from '../runtime-config.ts';
import { printJson, required, tenantOption, type TCommand } from './helpers.ts';
import { trustedKeyring } from './trusted-keys.ts';
import { withOrm } from './with-orm.ts';

export const verifyExportCommand: TCommand = {
  summary:
    "Checks an export pack offline: the file against its signed manifest (default FILE.manifest.json) and the manifest against the public key (default: this installation's); prints what the pack is (tenant, filter, chain range, when); --tenant ID refuses (exit 1) a pack of another tenant; exit 0 when intact, else the reason.",
  options: { manifest: { type: 'string' }, 'public-key': { type: 'string' }, tenant: { type: 'string' } },
  async run(values, positionals) {
    const file = positionals[0];
    if (!file) throw new Error('usage: verify-export FILE [--manifest MANIFEST] [--public-key KEY] [--tenant ID]');
    const expected = values.tenant === undefined ? undefined : z.uuid({ error: '--tenant must be a tenant id (UUID)' }).parse(values.tenant).toLowerCase();
    const manifest = (values.manifest as string | undefined) ?? `${file}.manifest.json`;
    const result = await verifyExportPack(file, manifest, trustedKeyring(values['public-key'] as string | undefined));
    if (!result.ok) {
      printJson(result);
      console.error(`NOT INTACT: ${result.reason}`);
      return 2;
    }
    // intact, but not the pack the auditor asked about: the signed tenant is what counts
    if (expected !== undefined && result.tenantId !== expected) {
      const reason = `this is a pack of tenant ${result.tenantId} (${result.tenantName}), not of ${expected}`;
      printJson({ ...result, ok: false, reason });
      console.error(`REFUSED: ${reason}`);
      return 1;
    }
    printJson(result);
    if (result.filtered)
      console.error(
        `NOTE: this pack is filtered (${JSON.stringify(result.filter)}): it holds only the matching events of seq ${result.chainRange?.fromSeq}..${result.chainRange?.toSeq}, not the whole log`,
      );
    if (result.anchor?.legacy)
      console.error(
        `NOTE: events 1..${result.anchor.seq} expired into an archive whose manifest was signed before manifests said what made them (2026-12-02): that it is the retention cut's archive rests on the older checks (README "Retention per tenant")`,
      );
    return 0;
  },
};

export const exportCreateCommand: TCommand = {
  summary:
    'Builds a signed export pack of a tenant now, in this process (operators; Admins use exports.create): --format csv|pdf [--filter JSON]; prints its manifest.',
  options: { tenant: { type: 'string' }, format: { type: 'string' }, filter: { type: 'string' } },
  async run(values) {
    const tenantId = tenantOption(values);
    const format = ZExportFormat.parse(required(values, 'format'));
    const filter = ZEventsFilter.parse(values.filter ? JSON.parse(values.filter as string) : {});
    const config = cliConfig();
    const signer = loadSigner(config);
    // the pack goes to the installation's store (EXPORT_STORE), where every server serves it; the
    // operator also gets a copy here, with its manifest beside it, as `path` says
    const dir = exportDir(config.DATA_DIR, tenantId);
    const manifest = await withOrm(async (orm) => {
      const stores = packStoresOf(orm, config);
      const requestedBy = { userId: null, name: 'operator (CLI)', email: null };
      const exportId = await createExportRequest(orm, tenantId, { format, filter, requestedBy });
      // the row is signed only if it still says this (a trigger may rewrite it on its way in)
      const asked = exportRequestDigest({ format, filter, requestedBy });
      const built = await buildExport(orm, signer, config.DATA_DIR, tenantId, exportId, stores.writeTo, asked);
      const file = await openExportPart(orm, stores, config.DATA_DIR, tenantId, exportId, 'file');
      if (!file) throw new Error(`export ${exportId} is READY but its pack cannot be read back`);
      mkdirSync(dir, { recursive: true, mode: 0o750 });
      await pipeline(file.stream, createWriteStream(join(dir, built.manifest.file), { mode: 0o640 }));
      writeFileSync(join(dir, `${built.manifest.file}.manifest.json`), `${JSON.stringify(built.manifest, null, 2)}\n`, { mode: 0o640 });
      return built.manifest;
    });
    printJson({ ...manifest, path: join(exportDir(config.DATA_DIR, tenantId), manifest.file) });
    return 0;
  },
};
