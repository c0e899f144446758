// The one import boundary Biome cannot check (ARCHITECTURE.md, "who may import whom"): web/ and the
// SDK may use the server only as `import type` (the AppRouter type of the tRPC client), never its
// runtime code. Biome's noRestrictedImports (biome.jsonc) does not tell `import type` apart, so this
// reads the imports with regular expressions. Usage: node scripts/check-boundaries.ts [files...]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHECKED = ['web/src', 'web/scripts', 'web/vite.config.ts', 'packages/sdk/src'];
const SERVER_DIR = join(ROOT, 'server') + sep;
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs)$/;

/** Static imports and re-exports (across lines), side-effect imports, `import()` and `require()`. */
const STATIC = /^[ \t]*(import|export)\b((?:(?!^[ \t]*(?:import|export)\b)[^;'"()=])*?)\bfrom\s*(['"])([^'"\n]+)\3/gm;
const BARE = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm;
const DYNAMIC = /(typeof\s+)?\b(import|require)\s*\(\s*(['"])([^'"\n]+)\3\s*\)/g;

interface Violation {
  file: string;
  line: number;
  text: string;
}

function isServer(file: string, specifier: string): boolean {
  if (specifier === '@modula/server' || specifier.startsWith('@modula/server/')) return true;
  return specifier.startsWith('.') && (resolve(dirname(file), specifier) + sep).startsWith(SERVER_DIR);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function findViolations(file: string, text: string): Violation[] {
  const found: Violation[] = [];
  const report = (index: number, statement: string) =>
    found.push({ file: relative(ROOT, file), line: lineAt(text, index), text: statement.replace(/\s+/g, ' ').trim() });
  for (const m of text.matchAll(STATIC)) {
    // `import type {…}` / `export type {…}` are erased at build time; anything else loads the module
    if (isServer(file, m[4]!) && !/^\s+type\b/.test(m[2]!)) report(m.index, m[0]);
  }
  for (const m of text.matchAll(BARE)) if (isServer(file, m[2]!)) report(m.index, m[0]);
  for (const m of text.matchAll(DYNAMIC)) if (!m[1] && isServer(file, m[4]!)) report(m.index, m[0]);
  return found;
}

function sourcesUnder(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })) return [];
  if (!statSync(path).isDirectory()) return SOURCE.test(path) ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && e.name !== 'dist')
    .flatMap((e) => sourcesUnder(join(path, e.name)));
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args.map((f) => resolve(f)) : CHECKED.flatMap((p) => sourcesUnder(join(ROOT, p)));
const violations = files.flatMap((file) => findViolations(file, readFileSync(file, 'utf8')).sort((a, b) => a.line - b.line));
for (const v of violations) {
  console.error(`${v.file}:${v.line}: web/ and the SDK may import the server only as \`import type\` (ARCHITECTURE.md): ${v.text}`);
}
if (violations.length > 0) process.exit(1);
console.log(`import boundaries: ${files.length} files of web/ and the SDK import the server only as types`);
