import { createHash } from 'node:crypto';
import { JOBS } from '@modula/contracts';
import { createUser } from '@modula/domain';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../testing/database.ts';
import { makeEvent } from '../../testing/events.ts';
import { runCli } from '../../testing/integrity.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { PASSWORD, signInFirstTime, VIEWER_ENV } from '../../testing/viewer.ts';

/**
 * Issue 12, item 9: operators are not tenant Admins. The queue dashboard holds every tenant's job
 * payloads, so it takes only an operator credential (`cli operator create`, HTTP Basic), never a
 * tenant's session or API key; every operator sign-in and every retry through it is recorded in the
 * append-only `operator_actions`, and a retried ingest job also in its tenant's log (JOBS_REDRIVEN).
 */

const INGEST = JOBS.ingest.queue;
// Failed credentials from 127.0.0.1 across this file stay below the per-address limit (10 per 15
// minutes): 8 in all. The limit itself is tested from other addresses (app.inject's remoteAddress).
/** A tenant Admin that the retired OPS_DASHBOARD_ADMIN_EMAILS still lists: it must get nothing. */
const LISTED_ADMIN = `ops-${Date.now().toString(36)}@example.test`;

let stack: TestStack;
let tenantId: string;
let otherTenantId: string;
let apiKey: string;
let admin: string; // the listed Admin's session cookie
let olga: { name: string; secret: string }; // a valid operator
let rita: { name: string; secret: string }; // a revoked operator
let ingest: Queue;
const logLines: string[] = [];
/** What the dashboard answered before any operator existed (collected in beforeAll, asserted below). */
const beforeAnyOperator: { what: string; status: number }[] = [];
/** The CLI runs that created olga and rita and revoked rita. */
const setUp: ReturnType<typeof runCli>[] = [];

type TAuth = readonly [name: string, secret: string];
const basic = ([name, secret]: TAuth) => `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;

/** A request to the dashboard, without following redirects. */
function dash(path: string, opts: { method?: string; auth?: TAuth; cookie?: string; apiKey?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.auth) headers.authorization = basic(opts.auth);
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${stack.baseUrl}/admin/queues${path}`, {
    method: opts.method ?? 'GET',
    headers,
    redirect: 'manual',
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
}
const asOlga = () => [olga.name, olga.secret] as const;

function cli(args: string[]) {
  const r = runCli(stack, args);
  expect(r.status, r.stderr).toBe(0);
  return r.json;
}

async function superuserQuery<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const db = await connect(stack.databaseSuperuserUrl);
  try {
    return (await db.query(text, params)).rows as T[];
  } finally {
    await db.end();
  }
}

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Accepts one event of the tenant (no worker runs), then fails its job for good as a worker that gave up would: an exhausted job. */
async function exhaustedIngestJob(tenant = tenantId): Promise<{ jobId: string; eventId: string }> {
  const event = makeEvent(tenant);
  await stack.caller.ingest.record(event);
  const connection = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: null });
  const failing = new Worker(
    INGEST,
    async () => {
      throw new UnrecoverableError('simulated: retries exhausted');
    },
    { connection, prefix: stack.config.QUEUE_PREFIX },
  );
  try {
    const job = await waitFor('the job to fail', async () => (await ingest.getJobs(['failed'])).find((j) => j.data.events[0]?.eventId === event.eventId));
    return { jobId: job.id!, eventId: event.eventId };
  } finally {
    await failing.close();
    connection.disconnect();
  }
}

/** Runs a real worker until `done` holds (the replayed events and the JOBS_REDRIVEN records are stored), then stops it. */
async function storeQueuedEvents<T>(what: string, done: () => Promise<T | undefined>): Promise<T> {
  const worker = stack.startWorker();
  try {
    return await waitFor(what, done, 20_000);
  } finally {
    await worker.close(); // the next test needs its job to fail, not to be stored
  }
}

interface TOperatorAction {
  operator_name: string;
  action: string;
  occurred_at: Date;
  client_address: string | null;
  detail: any;
}
const operatorActions = (name: string, action: string) =>
  superuserQuery<TOperatorAction>(
    'select operator_name, action, occurred_at, client_address, detail from operator_actions where operator_name = $1 and action = $2 order by occurred_at, id',
    [name, action],
  );

interface TRedriven {
  actor_type: string;
  actor_id: string;
  actor_name: string;
  metadata: any;
  ip: string | null;
}
const redrivenEvents = (tenant: string) =>
  superuserQuery<TRedriven>(
    `select actor_type, actor_id, actor_name, metadata, ip from audit_events where tenant_id = $1 and action = 'JOBS_REDRIVEN' order by seq`,
    [tenant],
  );

beforeAll(async () => {
  stack = await startStack({
    worker: false,
    env: { ...VIEWER_ENV, LOG_LEVEL: 'warn', OPS_DASHBOARD_ADMIN_EMAILS: `someone-else@example.test, ${LISTED_ADMIN.toUpperCase()}` },
    logTo: {
      write: (line: string) => {
        logLines.push(line);
      },
    },
  });
  ({ tenantId, apiKey } = await stack.createTenant('Ops'));
  ({ tenantId: otherTenantId } = await stack.createTenant('Ops Two'));
  ingest = new Queue(INGEST, { connection: stack.services.redis, prefix: stack.config.QUEUE_PREFIX });
  await createUser(stack.services.orm, { tenantId, email: LISTED_ADMIN, password: PASSWORD, role: 'ADMIN', name: 'Olga Admin' });
  admin = (await signInFirstTime(stack, LISTED_ADMIN)).cookie;

  // before the first operator exists the dashboard is off, whatever the caller brings
  for (const [what, opts] of [
    ['nothing', {}],
    ['a session', { cookie: admin }],
    ['a made-up credential', { auth: ['olga', 'mop_guess'] as const }],
  ] as const) {
    for (const path of ['', '/api/queues']) beforeAnyOperator.push({ what: `${what} ${path || '/'}`, status: (await dash(path, opts)).status });
  }

  // asserted in the first tests, so that each test below fails on its own should the CLI not work
  setUp.push(runCli(stack, ['operator', 'create', '--name', 'olga']), runCli(stack, ['operator', 'create', '--name', 'rita']));
  setUp.push(runCli(stack, ['operator', 'revoke', '--name', 'rita']));
  olga = setUp[0]!.json ?? { name: 'olga', secret: '' };
  rita = setUp[1]!.json ?? { name: 'rita', secret: '' };
});
afterAll(async () => {
  await ingest?.close();
  await stack?.close();
});

describe('operator credentials (cli operator create / list / revoke)', () => {
  it('is off (404 for everyone) while no operator exists', () => {
    expect(beforeAnyOperator.length).toBe(6);
    for (const { what, status } of beforeAnyOperator) expect(status, what).toBe(404);
  });

  it('prints the secret once at creation; list shows names and dates, never a secret; a name is taken once', () => {
    for (const run of setUp) expect(run.status, run.stderr).toBe(0);
    expect(setUp[2]!.json).toEqual({ name: 'rita', revokedAt: expect.any(String) });
    expect(olga).toEqual({ name: 'olga', secret: expect.stringMatching(/^mop_[A-Za-z0-9_-]{43}$/) });
    const { items } = cli(['operator', 'list']) as { items: { name: string; createdAt: string; revokedAt: string | null }[] };
    expect(items.map((o) => o.name).sort()).toEqual(['olga', 'rita']);
    expect(items.find((o) => o.name === 'olga')).toEqual({ name: 'olga', createdAt: expect.any(String), revokedAt: null });
    expect(items.find((o) => o.name === 'rita')!.revokedAt).toEqual(expect.any(String));
    expect(JSON.stringify(items)).not.toContain('mop_');

    const again = runCli(stack, ['operator', 'create', '--name', 'olga']);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/olga.*(exists|taken)/i);
    const unknown = runCli(stack, ['operator', 'revoke', '--name', 'nobody']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no operator named nobody/);
    for (const bad of ['has space', 'co:lon', '']) expect(runCli(stack, ['operator', 'create', '--name', bad]).status, bad).not.toBe(0);
  });

  it('stores only the SHA-256 of the secret, nowhere the secret itself', async () => {
    const rows = await superuserQuery<{ name: string; secret_hash: Buffer; row: string }>(
      'select name, secret_hash, to_jsonb(o)::text as row from operators o order by name',
    );
    expect(rows.map((r) => r.name)).toEqual(['olga', 'rita']);
    const olgaRow = rows[0]!;
    expect(olgaRow.secret_hash.equals(createHash('sha256').update(olga.secret).digest())).toBe(true);
    for (const r of rows) {
      expect(r.row).not.toContain(olga.secret);
      expect(r.row).not.toContain(olga.secret.slice(4)); // nor its random part
      expect(r.row).not.toContain(rita.secret.slice(4));
    }
  });

  it('records the creation and the revocation in operator_actions', async () => {
    expect(await operatorActions('olga', 'OPERATOR_CREATED')).toHaveLength(1);
    expect(await operatorActions('rita', 'OPERATOR_CREATED')).toHaveLength(1);
    const [revoked] = await operatorActions('rita', 'OPERATOR_REVOKED');
    expect(revoked?.detail).toMatchObject({ by: expect.stringMatching(/@/) });
  });
});

describe('queue dashboard: who may see it', () => {
  it('answers a visitor without a credential with 401 and a Basic challenge (page, assets, API), so browsers ask for one', async () => {
    for (const path of ['', '/', '/queue/audit-ingest', '/static/favicon-32x32.png', '/api/queues', '/api/redis/stats']) {
      const res = await dash(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Basic realm="[^"]+"/);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      await res.arrayBuffer();
    }
    expect((await dash(`/api/queues/${INGEST}/empty`, { method: 'PUT' })).status).toBe(401);
  });

  it("gives a tenant Admin's session nothing, even one listed in the retired OPS_DASHBOARD_ADMIN_EMAILS", async () => {
    for (const path of ['', '/api/queues', '/static/favicon-32x32.png']) {
      const res = await dash(path, { cookie: admin });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Basic /);
    }
    // nor does the Admin's email and password as a Basic credential
    expect((await dash('/api/queues', { auth: [LISTED_ADMIN, PASSWORD] })).status).toBe(401);
    expect((await dash('/api/queues', { auth: ['olga', PASSWORD], cookie: admin })).status).toBe(401);
  });

  it('logs at start that OPS_DASHBOARD_ADMIN_EMAILS is retired and ignored', () => {
    const warning = logLines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /OPS_DASHBOARD_ADMIN_EMAILS/.test(l.msg));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/ignored/);
    expect(warning?.msg).toMatch(/cli operator create/);
  });

  it('never lets an API key in', async () => {
    expect((await dash('/api/queues', { apiKey })).status).toBe(401);
    expect((await dash('/', { apiKey })).status).toBe(401);
  });

  it('refuses a wrong secret, an unknown operator and a revoked operator with 401', async () => {
    for (const [what, auth] of [
      ['wrong secret', ['olga', `${olga.secret.slice(0, -1)}${olga.secret.endsWith('A') ? 'B' : 'A'}`]],
      ["another operator's secret", ['olga', rita.secret]],
      ['unknown operator', ['nobody', olga.secret]],
      ['revoked operator', [rita.name, rita.secret]],
      ['empty secret', ['olga', '']],
    ] as const) {
      const res = await dash('/api/queues', { auth });
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toMatch(/^Basic /);
      await res.arrayBuffer();
    }
  });

  it('shows a valid operator the page, its assets and every queue', async () => {
    const page = await dash('/', { auth: asOlga() });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await dash(`/${script}`, { auth: asOlga() })).status).toBe(200);
    expect((await dash(`/${script}`)).status).toBe(401);
    const res = await dash('/api/queues', { auth: asOlga() });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const names = ((await res.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining([JOBS.ingest.queue, JOBS.export.queue]));
  });

  it("records the operator's sign-in in operator_actions once (per credential, address and hour), not per request", async () => {
    for (let i = 0; i < 3; i++) expect((await dash('/api/queues', { auth: asOlga() })).status).toBe(200);
    const signIns = await operatorActions('olga', 'SIGN_IN');
    expect(signIns).toHaveLength(1);
    expect(signIns[0]).toMatchObject({ client_address: '127.0.0.1' });
    expect(Date.now() - new Date(signIns[0]!.occurred_at).getTime()).toBeLessThan(120_000);
    expect(await operatorActions('rita', 'SIGN_IN')).toEqual([]); // a refused credential signs nobody in
  });

  it('limits failed credentials per address: after 10 failures in 15 minutes even the right one waits (429), other addresses are not held', async () => {
    const from = (remoteAddress: string, auth: TAuth) =>
      stack.app.inject({ method: 'GET', url: '/admin/queues/api/queues', remoteAddress, headers: { authorization: basic(auth) } });
    for (let i = 0; i < 10; i++) expect((await from('10.9.8.7', ['olga', `mop_wrong${i}`])).statusCode).toBe(401);
    const held = await from('10.9.8.7', asOlga());
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('10.9.8.8', asOlga())).statusCode).toBe(200);
    expect(logLines.some((l) => l.includes('10.9.8.7') && /too many failed/.test(l))).toBe(true);
  });
});

describe('queue dashboard: view and retry only', () => {
  it('refuses every route that would delete, clean, empty, obliterate, promote, pause, add or edit jobs (403), and keeps the job', async () => {
    const { jobId } = await exhaustedIngestJob();
    const before = await ingest.getJobCounts();
    const refused: [string, string, unknown?][] = [
      ['PUT', `/api/queues/${INGEST}/clean/failed`],
      ['PUT', `/api/queues/${INGEST}/clean/wait`],
      ['PUT', `/api/queues/${INGEST}/${jobId}/clean`],
      ['PUT', `/api/queues/${INGEST}/empty`],
      ['PUT', `/api/queues/${INGEST}/obliterate`, {}],
      ['PUT', `/api/queues/${INGEST}/promote`],
      ['PUT', `/api/queues/${INGEST}/${jobId}/promote`],
      ['PUT', `/api/queues/${INGEST}/pause`],
      ['PUT', '/api/queues/pause'],
      ['POST', `/api/queues/${INGEST}/add`, { name: 'x', data: {} }],
      ['PATCH', `/api/queues/${INGEST}/${jobId}/update-data`, { jobData: {} }],
      ['PUT', `/api/queues/${INGEST}/retry/completed`],
      ['DELETE', `/api/queues/${INGEST}/${jobId}`],
    ];
    for (const [method, path, body] of refused) {
      const res = await dash(path, { method, auth: asOlga(), body });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await ingest.getJobState(jobId)).toBe('failed');
    expect(await ingest.getJobCounts()).toEqual(before);
    // and with a revoked credential nothing is even considered
    expect((await dash(`/api/queues/${INGEST}/${jobId}/retry`, { method: 'PUT', auth: [rita.name, rita.secret] })).status).toBe(401);
    expect(await ingest.getJobState(jobId)).toBe('failed');
  });

  it("retries a failed job: the worker stores the event, operator_actions has the retry, the job's tenant log a JOBS_REDRIVEN by the operator", async () => {
    await ingest.retryJobs({ state: 'failed' }); // jobs left by the test before: stored below, so this test counts only its own
    await storeQueuedEvents('earlier jobs to be stored', async () => {
      const counts = await ingest.getJobCounts('waiting', 'active');
      return counts.waiting === 0 && counts.active === 0 ? true : undefined;
    });
    const redrivenBefore = (await redrivenEvents(tenantId)).length;

    const { jobId, eventId } = await exhaustedIngestJob();
    const list = await dash(`/api/queues?activeQueue=${INGEST}&status=failed&page=1&jobsPerPage=50`, { auth: asOlga() });
    const queues = (
      (await list.json()) as { queues: { name: string; jobs: { id: string; failedReason: string; data: { events: { eventId: string }[] } }[] }[] }
    ).queues;
    const failed = queues.find((q) => q.name === INGEST)!.jobs.find((j) => j.id === jobId);
    expect(failed?.failedReason).toBe('simulated: retries exhausted');
    expect(failed?.data.events[0]?.eventId).toBe(eventId);

    // a job that has not failed is not "retried" (nor re-run if completed)
    const waiting = await ingest.add(JOBS.ingest.name, { v: 1 }, { delay: 3_600_000 });
    expect((await dash(`/api/queues/${INGEST}/${waiting.id}/retry`, { method: 'PUT', auth: asOlga() })).status).toBe(409);
    await waiting.remove(); // test clean-up, straight on Redis
    expect((await dash(`/api/queues/${INGEST}/no-such-job/retry`, { method: 'PUT', auth: asOlga() })).status).toBe(404);

    const retried = await dash(`/api/queues/${INGEST}/${jobId}/retry`, { method: 'PUT', auth: asOlga() });
    expect(retried.status).toBe(204);
    expect(['waiting', 'active', 'completed']).toContain(await ingest.getJobState(jobId));

    const retries = await operatorActions('olga', 'RETRY_JOB');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ client_address: '127.0.0.1', detail: { queue: INGEST, jobId, tenants: { [tenantId]: { jobs: 1, events: 1 } } } });

    const redriven = await storeQueuedEvents('the replayed event and the JOBS_REDRIVEN record to be stored', async () => {
      const { statuses } = await stack.caller.ingest.status({ tenantId, eventIds: [eventId] });
      const events = await redrivenEvents(tenantId);
      return statuses[0]?.state === 'STORED' && events.length > redrivenBefore ? events.slice(redrivenBefore) : undefined;
    });
    expect(redriven).toHaveLength(1);
    expect(redriven[0]).toMatchObject({
      actor_type: 'SYSTEM',
      actor_id: 'operator:olga',
      actor_name: 'Operator olga',
      ip: '127.0.0.1',
      metadata: { jobs: 1, events: 1, queue: INGEST, via: 'queue-dashboard' },
    });
    expect(await redrivenEvents(otherTenantId)).toEqual([]); // only the job's own tenant
  });

  it('retries every failed job of a queue at once; each tenant of a retried job gets its own JOBS_REDRIVEN', async () => {
    const before = { one: (await redrivenEvents(tenantId)).length, two: (await redrivenEvents(otherTenantId)).length };
    const a = await exhaustedIngestJob(tenantId);
    const b = await exhaustedIngestJob(otherTenantId);
    const res = await dash(`/api/queues/${INGEST}/retry/failed`, { method: 'PUT', auth: asOlga() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { retried: number }).retried).toBe(2);
    for (const { jobId } of [a, b]) expect(await ingest.getJobState(jobId)).not.toBe('failed');

    const [all] = await operatorActions('olga', 'RETRY_FAILED_JOBS');
    expect(all?.detail).toMatchObject({ queue: INGEST, jobs: 2, tenants: { [tenantId]: { jobs: 1, events: 1 }, [otherTenantId]: { jobs: 1, events: 1 } } });

    const [one, two] = await storeQueuedEvents('both JOBS_REDRIVEN records', async () => {
      const [x, y] = [(await redrivenEvents(tenantId)).slice(before.one), (await redrivenEvents(otherTenantId)).slice(before.two)];
      return x.length > 0 && y.length > 0 ? [x, y] : undefined;
    });
    for (const events of [one!, two!])
      expect(events).toEqual([expect.objectContaining({ actor_id: 'operator:olga', metadata: expect.objectContaining({ jobs: 1, events: 1 }) })]);
  });
});

describe('operator_actions is append-only', () => {
  it('lets the runtime role insert and read it, but not UPDATE, DELETE or TRUNCATE it; the owner cannot either', async () => {
    expect((await operatorActions('olga', 'SIGN_IN')).length).toBeGreaterThan(0);
    for (const [who, url] of [
      ['runtime', stack.config.DATABASE_URL],
      ['owner', stack.databaseOwnerUrl],
    ] as const) {
      const db = await connect(url);
      try {
        expect(Number((await db.query('select count(*) from operator_actions')).rows[0].count), who).toBeGreaterThan(0);
        for (const statement of [
          `update operator_actions set operator_name = 'rita' where operator_name = 'olga'`,
          `update operator_actions set detail = '{}'`,
          `delete from operator_actions where operator_name = 'olga'`,
          'truncate operator_actions',
        ])
          await expect(db.query(statement), `${who}: ${statement}`).rejects.toThrow(/permission denied|append-only/);
      } finally {
        await db.end();
      }
    }
    expect((await operatorActions('olga', 'SIGN_IN')).length).toBeGreaterThan(0);
  });

  it('lets the runtime role revoke an operator but neither bring one back nor change its secret, name or history', async () => {
    const db = await connect(stack.config.DATABASE_URL);
    try {
      for (const statement of [
        `update operators set revoked_at = null where name = 'rita'`,
        `update operators set secret_hash = '\\x00' where name = 'olga'`,
        `update operators set name = 'olga2' where name = 'olga'`,
        `delete from operators where name = 'rita'`,
      ])
        await expect(db.query(statement), statement).rejects.toThrow(/permission denied|revoked|append-only/);
    } finally {
      await db.end();
    }
    expect((await dash('/api/queues', { auth: asOlga() })).status).toBe(200);
  });
});
