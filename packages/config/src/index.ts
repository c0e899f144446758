import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const url = (protocols: string[]) => z.string().refine((v) => {
  try { return protocols.includes(new URL(v).protocol); } catch { return false; }
}, { error: `must be a URL starting with ${protocols.join(' or ')}//` });

/**
 * Every setting of every process, validated once at start. `process.env` is read here and
 * nowhere else, so a typo in a variable is an error at start rather than a default in silence.
 */
export const ZConfig = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
  PORT: int(3000, 0).refine((p) => p <= 65535, { error: 'must be a TCP port' }),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix of every BullMQ key, so several installations can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, _ and - only' }).default('modula'),
  WORKER_CONCURRENCY: int(2, 1),
  /** How long a job's lock lives without renewal: a killed worker's job runs again after at most this (plus the stalled check). */
  WORKER_LOCK_MS: int(30_000, 1000),
  WORKER_STALLED_CHECK_MS: int(30_000, 1000),
  /** Transient faults (database or Redis down): attempts, and the backoff between them. */
  JOB_ATTEMPTS: int(200, 1),
  JOB_BACKOFF_MS: int(500, 1),
  JOB_BACKOFF_MAX_MS: int(30_000, 1),
  /** Events naming a branch not provisioned yet wait this many times (doubling delay) before quarantine. */
  UNKNOWN_BRANCH_WAITS: int(8, 0),
  UNKNOWN_BRANCH_DELAY_MS: int(1000, 1),
  /** How long a verified API key is trusted without asking PostgreSQL again (ingestion survives a short database outage). */
  API_KEY_CACHE_SECONDS: int(300, 0),
  /** Folder for the local servers' data, the signing key and exports. */
  DATA_DIR: z.string().min(1).default('.data'),
});
export type TConfig = z.infer<typeof ZConfig>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): TConfig {
  const parsed = ZConfig.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
}

/** For process entry points: load, or print every problem and exit. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): TConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
}
