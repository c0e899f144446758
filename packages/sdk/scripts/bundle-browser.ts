import { resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * The browser entry (`src/browser.ts`) as one script for a page: `window.ModulaSdk.AuditOutbox`,
 * `…IndexedDbOutboxStore`. Proves the browser entry bundles without node:* and serves the
 * browser test; an app bundles `@modula/sdk/browser` with its own bundler instead.
 */
export async function bundleBrowserSdk(): Promise<string> {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, '../src/browser.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'ModulaSdk',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
