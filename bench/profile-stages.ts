/**
 * Breaks a V8 CPU profile (`pnpm bench` with BENCH_PROFILE=DIR writes one per server and worker
 * process) down by pipeline stage: each sample is charged to the nearest frame on its stack that
 * belongs to a known file (a native JSON.stringify called by canonical-json.ts is canonical JSON,
 * not "native").
 *
 *   pnpm exec tsx bench/profile-stages.ts DIR/*.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface TNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface TProfile {
  nodes: TNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins, in this order: project files before the libraries they call. */
const STAGES: [string, RegExp][] = [
  ['start-up (loading and compiling modules)', /node:internal\/modules|\/tsx@|\/esbuild@|zxcvbn/],
  ['redaction', /domain\/src\/ingest\/redaction|domain\/src\/redaction/],
  ['canonical JSON and hashing', /canonical-json|\/chain\.ts|event-row|chain-walk|merkle/],
  ['acceptance (validate, normalise)', /ingest\/accept|accept-events|contracts\/src/],
  ['worker rules and SQL building', /domain\/src\/ingest\/|domain\/src\/store-|freeze-rule/],
  ['worker job handling', /worker\/src\//],
  ['enqueue and Redis (BullMQ, ioredis)', /bullmq|ioredis|redis-parser|packages\/queue\/src|msgpackr/],
  ['SQL driver (pg, MikroORM, Kysely)', /node_modules\/(\.pnpm\/)?(pg|pg-protocol|pg-pool|pg-types|postgres-|@mikro-orm|kysely)/],
  ['zod validation', /zod/],
  ['HTTP and tRPC (fastify, tRPC)', /fastify|find-my-way|@trpc|light-my-request|avvio|pino|server\/src\//],
  ['node internals (streams, sockets, timers)', /^node:/],
];

function stageOf(url: string): string | undefined {
  return STAGES.find(([, re]) => re.test(url))?.[0];
}

export function stagesOf(profile: TProfile): Map<string, number> {
  const parent = new Map<number, number>();
  const byId = new Map<number, TNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const memo = new Map<number, string>();
  const classify = (id: number): string => {
    const cached = memo.get(id);
    if (cached) return cached;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let stage: string;
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') stage = name;
    else stage = stageOf(node.callFrame.url) ?? (parent.has(id) ? classify(parent.get(id)!) : 'other');
    memo.set(id, stage);
    return stage;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const stage = classify(id);
    totals.set(stage, (totals.get(stage) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return totals;
}

if (import.meta.main) {
  for (const file of process.argv.slice(2)) {
    const totals = stagesOf(JSON.parse(readFileSync(file, 'utf8')) as TProfile);
    const busy = [...totals].filter(([s]) => s !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
    console.log(`\n${file}: busy ${(busy / 1000).toFixed(1)} s (idle ${((totals.get('(idle)') ?? 0) / 1000).toFixed(1)} s)`);
    console.log('| stage | ms | share of busy |\n|---|---|---|');
    for (const [stage, ms] of [...totals].filter(([s]) => s !== '(idle)').sort((a, b) => b[1] - a[1])) {
      console.log(`| ${stage} | ${ms.toFixed(0)} | ${((ms / busy) * 100).toFixed(1)} % |`);
    }
  }
}
