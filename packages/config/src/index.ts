import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${protocols.join(' or ')}//` },
  );

const CLUSTER_NODE = /^(?:rediss?:\/\/(?:[^@/\s]*@)?)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}\/?$/;

/**
 * Every setting of every process, validated once at start. `process.env` is read here and
 * nowhere else, so a typo in a variable is an error at start rather than a default in silence.
 */
export const ZConfig = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  /** Required unless REDIS_CLUSTER_NODES is set (checked in loadConfig). */
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /**
   * A Redis Cluster instead of REDIS_URL: comma-separated seed nodes, each `host:port` or
   * `redis[s]://[user:password@]host:port` (credentials and TLS of the first URL apply to every node).
   * All keys then carry QUEUE_PREFIX as a hash tag (`{modula}`), so what BullMQ's and our scripts
   * touch together lives in one slot.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined)
    .refine((v) => v === undefined || v.split(',').every((node) => CLUSTER_NODE.test(node.trim())), {
      error: 'must be comma-separated host:port entries (or redis://user:password@host:port)',
    }),
  PORT: int(3000, 0).refine((p) => p <= 65535, { error: 'must be a TCP port' }),
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * How long the server waits for a whole request (headers and body) before it answers 408 and
   * closes the connection: a client that stops mid-body (a till that lost power, a slow-loris)
   * must not hold a socket forever. Long enough for a full 5 MiB batch on a slow link (fractions
   * allowed, for tests).
   */
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix of every BullMQ key, so several installations can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, _ and - only' })
    .default('modula'),
  /** Ingest jobs per worker process at once: a tenant's jobs waiting behind the one storing are stored in its transaction (turn-groups.ts), so more slots make larger groups. */
  WORKER_CONCURRENCY: int(8, 1),
  /**
   * On SIGTERM, server and worker finish what is in flight for at most this long, then exit anyway:
   * a job cut short runs again when its lock expires and is stored once (dedupe). Keep it below
   * your orchestrator's grace period (Kubernetes: 30 s).
   */
  SHUTDOWN_TIMEOUT_SECONDS: int(25, 1),
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
  /** A viewer session ends after this long without a request (fractions allowed, for tests). */
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  /** …and this long after sign-in, whatever the activity. */
  SESSION_ABSOLUTE_HOURS: z.coerce.number().positive().default(12),
  /**
   * Which proxies may tell the client's address (X-Forwarded-For), for sign-in events and the
   * suspicious sign-ins screen: empty (the default) trusts none; otherwise the comma-separated
   * addresses / CIDR ranges of the load balancers. Never "everything", a hop count or a range
   * wider than /8 (IPv4) or /16 (IPv6): any client could then forge the IP recorded in the log.
   * (Fastify would read a number as a hop count; this schema refuses it.)
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const value = v.trim();
      if (value === '') return false;
      const list = value
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      const address = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);
      const bad = list.filter((a) => !address.safeParse(a).success);
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be comma-separated IP addresses or CIDR ranges of your proxies; not: ${bad.join(', ')}` });
        return z.NEVER;
      }
      // 0.0.0.0/0 would trust every client to name its own address, and so would any very wide
      // range; an IPv4-mapped range (::ffff:0:0/96) matches IPv4 peers, so /8 of IPv4 is /104 there
      const tooWide = list.filter((a) => {
        const [ip, prefix] = a.split('/');
        if (prefix === undefined) return false;
        const least = /^::ffff:/i.test(ip!) ? 104 : ip!.includes(':') ? 16 : 8;
        return Number(prefix) < least;
      });
      if (tooWide.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `lists ranges so wide that clients could forge the IP recorded in the log (at most /8 for IPv4, /16 for IPv6, /104 for IPv4-mapped IPv6); not: ${tooWide.join(', ')}`,
        });
        return z.NEVER;
      }
      return list;
    }),
  /** Send the session cookie with `Secure` (set to true behind HTTPS). */
  COOKIE_SECURE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /**
   * The origins (scheme://host[:port], comma-separated) the viewer is served from, for the Origin
   * check of cookie-authenticated mutations. Empty (the default): the request's own origin, from
   * its Host and scheme (X-Forwarded-Host / -Proto only from a proxy listed in TRUST_PROXY).
   */
  PUBLIC_ORIGIN: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const list = v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== '');
      const origins: string[] = [];
      for (const value of list) {
        let url: URL | undefined;
        try {
          url = new URL(value);
        } catch {
          /* refused below */
        }
        if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
          ctx.addIssue({
            code: 'custom',
            message: `must be comma-separated origins such as https://audit.example.com (scheme, host and port only); not: ${value}`,
          });
          return z.NEVER;
        }
        origins.push(url.origin);
      }
      return origins;
    }),
  /** Signs read cursors and sign-in tokens and encrypts TOTP secrets; generated into DATA_DIR/server-secret when neither it nor SERVER_SECRET_FILE is set. */
  SERVER_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /** A file holding the server secret (a Docker secret, a mounted volume): read at start; missing or short, the process refuses to start. */
  SERVER_SECRET_FILE: z.string().min(1).optional(),
  /** After this many consecutive failed sign-ins, each further attempt waits a doubling delay (backoff). */
  LOGIN_BACKOFF_AFTER: int(3, 1),
  LOGIN_BACKOFF_MS: int(1000, 0),
  /** Ten consecutive failures lock the account for this long (PCI DSS 8.3.4: at least 30 minutes). */
  LOGIN_LOCK_MINUTES: int(30, 30),
  /**
   * Failed (or refused) sign-ins one client address may make per LOGIN_ADDRESS_WINDOW_MINUTES,
   * whatever the accounts, and all addresses together per minute: checked before any account is
   * looked up, answered alike for every account. A browser that signed in to the account before
   * (known-device cookie) is not held by them.
   */
  LOGIN_ADDRESS_LIMIT: int(50, 1),
  LOGIN_ADDRESS_WINDOW_MINUTES: int(15, 1),
  LOGIN_GLOBAL_LIMIT: int(600, 1),
  /** Ed25519 private key (PKCS#8 PEM) that signs checkpoints and exports; default DATA_DIR/signing-key.pem, generated on first start. */
  SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** The id published with its public key; default `ed25519-` + the first 16 hex digits of the SHA-256 of the public key. */
  SIGNING_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, { error: 'letters, digits, . _ - only (at most 128)' })
    .optional(),
  /** Every tenant whose log grew gets a signed checkpoint this often (worker). */
  CHECKPOINT_EVERY_MINUTES: z.coerce.number().positive().default(15),
  /**
   * A login granted modula_audit_maintenance (worker): the scheduled retention job removes expired
   * events through remove_tenant_rows with it. Unset: the job only logs which tenants have events due.
   */
  DATABASE_MAINTENANCE_URL: url(['postgres:', 'postgresql:']).optional(),
  /** How often the worker expires the events of tenants with a retention period (after archiving them). */
  RETENTION_EVERY_HOURS: z.coerce.number().positive().default(24),
  /** Export packs built in parallel per worker process. */
  EXPORT_CONCURRENCY: int(1, 1),
  /** Per tenant: exports.create refuses (429) while this many of its exports are still being built (PENDING)… */
  EXPORT_MAX_CONCURRENT: int(2, 1),
  /** …and once this many were requested in the current UTC day. */
  EXPORT_MAX_PER_DAY: int(50, 1),
  /** The worker deletes a pack's file this long after it was built; its signed manifest, its row and its AUDIT_EXPORT_CREATED event stay (fractions allowed, for tests). */
  EXPORT_RETENTION_HOURS: z.coerce.number().positive().default(168),
  /** Ingest per API key (Redis token bucket, shared by every server): events per second once the burst is spent; 0 turns the limit off. The in-process system caller is never limited. */
  INGEST_RATE_PER_KEY: z.coerce.number().min(0).default(5000),
  /** Events a key may send at once before INGEST_RATE_PER_KEY applies (the bucket's size). */
  INGEST_BURST_PER_KEY: int(20_000, 1),
  /**
   * Mail the link of a ready export pack to the Admin who asked for it: `smtp://user:password@host:587`
   * (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start). Unset: no mail.
   * Checked at start; the URL (it holds a password) is never logged.
   */
  SMTP_URL: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .refine(
      (v) => {
        if (v === undefined) return true;
        try {
          const u = new URL(v);
          return ['smtp:', 'smtps:'].includes(u.protocol) && u.hostname !== '';
        } catch {
          return false;
        }
      },
      { error: 'must be an smtp:// or smtps:// URL with a host, e.g. smtp://user:password@mail.example.com:587 (or unset: no mail)' },
    ),
  /** The sender of those mails. */
  MAIL_FROM: z.string().min(3).default('Modula Audit <no-reply@localhost>'),
  /**
   * Where export packs are kept, so that any server serves a pack any worker built: `database`
   * (the default: rows of 1 MiB in export_pack_chunks) or `s3` (an S3-compatible bucket, S3_*).
   */
  EXPORT_STORE: z.enum(['database', 's3']).default('database'),
  S3_BUCKET: z.string().min(1).optional(),
  /** Key prefix inside the bucket (keys are `<prefix><tenantId>/<copy id>/<file>`, one copy id per build attempt). */
  S3_PREFIX: z.string().default('modula-audit/'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** An S3-compatible endpoint (MinIO, Ceph, R2, …); unset: AWS. */
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Unset: the AWS SDK's default chain (environment, shared files, instance role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Log streams (worker): how often the sweep looks for destinations with events waiting. */
  STREAM_POLL_MS: int(1000, 50),
  /** Log streams: events per delivered batch at most (and at most STREAM_BATCH_MAX_BYTES of JSON). */
  STREAM_BATCH_MAX: int(500, 1),
  STREAM_BATCH_MAX_BYTES: int(4 * 1024 * 1024, 1024),
  /** Log streams: one delivery's time limit (connect, send, answer). */
  STREAM_TIMEOUT_MS: int(10_000, 100),
  /** Log streams: a failed delivery waits this long, doubling (with jitter) up to STREAM_BACKOFF_MAX_MS… */
  STREAM_BACKOFF_MS: int(1000, 10),
  STREAM_BACKOFF_MAX_MS: int(300_000, 10),
  /** …and after this many failures in a row the stream pauses itself until an Admin resumes it. */
  STREAM_PAUSE_AFTER_FAILURES: int(10, 1),
  /** Log streams: destinations delivered at once per worker process. */
  STREAM_CONCURRENCY: int(4, 1),
  /** Log streams may use http:// (not https://): for tests and receivers on the same host only. */
  STREAM_ALLOW_HTTP: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Log streams may reach private, loopback and link-local addresses (SSRF guard off): receivers inside your network. */
  STREAM_ALLOW_PRIVATE_ADDRESSES: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Alerts (worker): how often the sweep looks for tenants not yet evaluated, device gaps that stayed and alerts not yet recorded. */
  ALERT_SWEEP_SECONDS: int(60, 1),
  /** Alerts: stored events read per evaluation round of one tenant (a transaction each). */
  ALERT_EVALUATE_BATCH: int(5000, 1),
  /**
   * Retired (issue 12, item 9): the queue dashboard no longer lets tenant Admins in; it takes an
   * operator credential (`cli operator create`). Still accepted so that an old deployment starts,
   * but ignored, with a warning in the server's log.
   */
  OPS_DASHBOARD_ADMIN_EMAILS: z.string().optional(),
});
export type TConfig = z.infer<typeof ZConfig>;

export { existingServerSecret, resolveServerSecret } from './server-secret.ts';
import { crossFieldProblems } from './cross-field.ts';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): TConfig {
  const parsed = ZConfig.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  const config = parsed.data;
  if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) throw new ConfigError(['REDIS_URL: required (or REDIS_CLUSTER_NODES for a Redis Cluster)']);
  const crossed = crossFieldProblems(config);
  if (crossed.length > 0) throw new ConfigError(crossed);
  // Redis Cluster: the prefix becomes a hash tag, so every key of the installation (BullMQ's, whose
  // Lua scripts span a queue's keys, and ours) is in one slot; several installations use several slots
  return config.REDIS_CLUSTER_NODES ? { ...config, QUEUE_PREFIX: `{${config.QUEUE_PREFIX}}` } : config;
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

export { writeFileOnce } from './write-file-once.ts';
export { exitAfter } from './exit-after.ts';
