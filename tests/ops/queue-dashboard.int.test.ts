import { JOBS } from '@modula/contracts';
import { createUser } from '@modula/domain';
import { buildApp } from '@modula/server';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../testing/events.ts';
import { startStack, type TestStack } from '../../testing/stack.ts';
import { makeUser, PASSWORD, signedInAdmin, signInFirstTime, trpc, VIEWER_ENV } from '../../testing/viewer.ts';

const INGEST = JOBS.ingest.queue;
const OPERATOR_EMAIL = `ops-${Date.now().toString(36)}@example.test`;

let stack: TestStack;
let tenantId: string;
let apiKey: string;
let operator: string; // session cookies
let admin: string;
let manager: string;
let cashier: string;
let ingest: Queue;

/** A request to the dashboard, without following redirects. */
function dash(path: string, opts: { method?: string; cookie?: string; apiKey?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${stack.baseUrl}/admin/queues${path}`, {
    method: opts.method ?? 'GET', headers, redirect: 'manual',
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
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

/** Accepts one event (no worker runs), then fails its job for good as a worker that gave up would: an exhausted job. */
async function exhaustedIngestJob(): Promise<{ jobId: string; eventId: string }> {
  const event = makeEvent(tenantId);
  await stack.caller.ingest.record(event);
  const connection = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
  const failing = new Worker(INGEST, async () => { throw new UnrecoverableError('simulated: retries exhausted'); }, { connection, prefix: stack.config.QUEUE_PREFIX });
  try {
    const job = await waitFor('the job to fail', async () => (await ingest.getJobs(['failed'])).find((j) => j.data.events[0]?.eventId === event.eventId));
    return { jobId: job.id!, eventId: event.eventId };
  } finally {
    await failing.close();
    connection.disconnect();
  }
}

beforeAll(async () => {
  stack = await startStack({ worker: false, env: { ...VIEWER_ENV, OPS_DASHBOARD_ADMIN_EMAILS: `someone-else@example.test, ${OPERATOR_EMAIL.toUpperCase()}` } });
  ({ tenantId, apiKey } = await stack.createTenant('Ops'));
  await createUser(stack.services.orm, { tenantId, email: OPERATOR_EMAIL, password: PASSWORD, role: 'ADMIN', name: 'Olga Operator' });
  operator = (await signInFirstTime(stack, OPERATOR_EMAIL)).cookie;
  admin = (await signedInAdmin(stack, tenantId)).cookie;
  manager = (await signInFirstTime(stack, (await makeUser(stack, tenantId, 'MANAGER')).email)).cookie;
  cashier = (await signInFirstTime(stack, (await makeUser(stack, tenantId, 'CASHIER')).email)).cookie;
  ingest = new Queue(INGEST, { connection: stack.services.redis, prefix: stack.config.QUEUE_PREFIX });
});
afterAll(async () => {
  await ingest?.close();
  await stack?.close();
});

describe('queue dashboard: who may see it', () => {
  it('sends a visitor without a session to the sign-in (page and assets) and answers its API with 401', async () => {
    for (const path of ['', '/', '/queue/audit-ingest', '/static/favicon-32x32.png']) {
      const res = await dash(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location')).toBe('/');
    }
    expect((await dash('/api/queues')).status).toBe(401);
    expect((await dash('/api/redis/stats')).status).toBe(401);
    expect((await dash('/api/queues/audit-ingest/empty', { method: 'PUT' })).status).toBe(401);
  });

  it('treats a revoked or forged session as none', async () => {
    const user = await makeUser(stack, tenantId, 'ADMIN');
    const { cookie } = await signInFirstTime(stack, user.email);
    await trpc(stack, 'mutation', 'auth.logout', {}, { cookie });
    for (const c of [cookie, `modula_session=mas_${'0'.repeat(32)}_${'A'.repeat(43)}`]) {
      expect((await dash('/api/queues', { cookie: c })).status).toBe(401);
      expect((await dash('/', { cookie: c })).status).toBe(302);
    }
  });

  it('never lets an API key in', async () => {
    expect((await dash('/api/queues', { apiKey })).status).toBe(401);
    expect((await dash('/', { apiKey })).status).toBe(302);
  });

  it('refuses Managers and Cashiers with 403', async () => {
    for (const cookie of [manager, cashier]) {
      expect((await dash('/api/queues', { cookie })).status).toBe(403);
      expect((await dash('/', { cookie })).status).toBe(403);
    }
  });

  it('answers 404 to an Admin who is not on OPS_DASHBOARD_ADMIN_EMAILS (the queues hold every tenant)', async () => {
    for (const path of ['/', '/api/queues', '/static/favicon-32x32.png']) expect((await dash(path, { cookie: admin })).status, path).toBe(404);
  });

  it('is off (404 for everyone) while OPS_DASHBOARD_ADMIN_EMAILS is empty, the default', async () => {
    const app = await buildApp({ ...stack.services, config: { ...stack.config, OPS_DASHBOARD_ADMIN_EMAILS: [] } });
    try {
      for (const cookie of [operator, undefined]) {
        for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
          const res = await app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
          expect(res.statusCode, url).toBe(404);
        }
      }
    } finally {
      await app.close();
    }
  });

  it('shows the operator the page, its assets and every queue', async () => {
    const page = await dash('/', { cookie: operator });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await dash(`/${script}`, { cookie: operator })).status).toBe(200);
    expect((await dash(`/${script}`)).status).toBe(302);
    const res = await dash('/api/queues', { cookie: operator });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const names = ((await res.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining([JOBS.ingest.queue, JOBS.export.queue]));
  });
});

describe('queue dashboard: view and retry only', () => {
  it('refuses every route that would delete, clean, empty, obliterate, promote, pause, add or edit jobs, and keeps the job', async () => {
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
      const res = await dash(path, { method, cookie: operator, body });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await ingest.getJobState(jobId)).toBe('failed');
    expect(await ingest.getJobCounts()).toEqual(before);
  });

  it('lists the failed job with its payload and retries it; the worker then stores the event', async () => {
    const { jobId, eventId } = await exhaustedIngestJob();
    const list = await dash(`/api/queues?activeQueue=${INGEST}&status=failed&page=1&jobsPerPage=50`, { cookie: operator });
    const queues = ((await list.json()) as { queues: { name: string; jobs: { id: string; failedReason: string; data: { events: { eventId: string }[] } }[] }[] }).queues;
    const failed = queues.find((q) => q.name === INGEST)!.jobs.find((j) => j.id === jobId);
    expect(failed?.failedReason).toBe('simulated: retries exhausted');
    expect(failed?.data.events[0]?.eventId).toBe(eventId);

    // a job that has not failed is not "retried" (nor re-run if completed)
    const waiting = await ingest.add(JOBS.ingest.name, { v: 1 }, { delay: 3_600_000 });
    expect((await dash(`/api/queues/${INGEST}/${waiting.id}/retry`, { method: 'PUT', cookie: operator })).status).toBe(409);
    await waiting.remove(); // test clean-up, straight on Redis

    const retried = await dash(`/api/queues/${INGEST}/${jobId}/retry`, { method: 'PUT', cookie: operator });
    expect(retried.status).toBe(204);
    expect(await ingest.getJobState(jobId)).toBe('waiting');

    const worker = stack.startWorker();
    try {
      await waitFor('the replayed event to be stored', async () => {
        const { statuses } = await stack.caller.ingest.status({ tenantId, eventIds: [eventId] });
        return statuses[0]?.state === 'STORED' ? true : undefined;
      });
    } finally {
      await worker.close(); // the next test needs its job to fail, not to be stored
    }
  });

  it('retries every failed job of a queue at once', async () => {
    const { jobId } = await exhaustedIngestJob();
    const res = await dash(`/api/queues/${INGEST}/retry/failed`, { method: 'PUT', cookie: operator });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { retried: number }).retried).toBeGreaterThanOrEqual(1);
    expect(await ingest.getJobState(jobId)).not.toBe('failed');
  });
});
