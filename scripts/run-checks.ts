// The static checks `npm test` runs before vitest (also `pnpm typecheck`, `pnpm lint`, `pnpm check`):
// the type check of the workspace and of the web app (its own tsconfig: bundler resolution, vite
// config), Biome's formatting (`pnpm format` rewrites), its lint rules with the import boundaries,
// and the type-only rule for the server in web/ and the SDK. They run side by side; each failure is
// printed under the name of its step.
// `docker compose config` checks docker-compose.yml where the Docker client exists, and says it was
// skipped where it does not (scripts/check-compose.ts).
// Usage: node scripts/run-checks.ts [typecheck] [format] [lint] [boundaries] [compose]   (none: all of them)
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

interface Step {
  group: string;
  name: string;
  command: string;
  args: string[];
  /** Print its output even when it passes (a check that may say it was skipped). */
  say?: boolean;
}

const STEPS: Step[] = [
  { group: 'typecheck', name: 'typecheck (workspace)', command: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  { group: 'typecheck', name: 'typecheck (web)', command: bin('tsc'), args: ['-p', 'web/tsconfig.json', '--noEmit'] },
  { group: 'format', name: 'format (biome)', command: bin('biome'), args: ['format', '--max-diagnostics=20', '.'] },
  { group: 'lint', name: 'lint (biome)', command: bin('biome'), args: ['lint', '--error-on-warnings', '--diagnostic-level=warn', '--max-diagnostics=50', '.'] },
  { group: 'boundaries', name: 'import boundaries', command: process.execPath, args: [join(ROOT, 'scripts', 'check-boundaries.ts')] },
  { group: 'compose', name: 'docker compose config', command: process.execPath, args: [join(ROOT, 'scripts', 'check-compose.ts')], say: true },
];

interface Result {
  step: Step;
  ok: boolean;
  ms: number;
  output: string;
}

function run(step: Step): Promise<Result> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(step.command, step.args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', (err) => done({ step, ok: false, ms: performance.now() - started, output: String(err) }));
    child.on('close', (code) => done({ step, ok: code === 0, ms: performance.now() - started, output }));
  });
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((group) => !STEPS.some((s) => s.group === group));
if (unknown.length > 0) {
  console.error(`unknown check ${unknown.join(', ')}; known: ${[...new Set(STEPS.map((s) => s.group))].join(', ')}`);
  process.exit(2);
}
const steps = STEPS.filter((s) => wanted.length === 0 || wanted.includes(s.group));
const started = performance.now();
const results = await Promise.all(steps.map(run));
for (const r of results) {
  const command = [r.step.command === process.execPath ? 'node' : r.step.command.replace(`${ROOT}/node_modules/.bin/`, ''), ...r.step.args].join(' ');
  console.log(`${r.ok ? 'ok    ' : 'FAILED'} ${r.step.name} (${(r.ms / 1000).toFixed(1)} s): ${command}`);
  if (!r.ok || r.step.say) console.log(`${r.output.trimEnd().replace(/^/gm, '  | ')}${r.ok ? '' : '\n'}`);
}
const failed = results.filter((r) => !r.ok);
if (failed.length > 0) {
  console.error(`\nchecks failed: ${failed.map((r) => r.step.name).join(', ')}`);
  process.exit(1);
}
console.log(`checks passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
