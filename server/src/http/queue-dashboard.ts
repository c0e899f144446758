import { isIP } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { JOBS } from '@modula/contracts';
import { administrationEvent, anyActiveOperator, authenticateOperator, operatorActorOf, recordOperatorAction, type TOperator } from '@modula/domain';
import { Queue, type Job } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { recordAdministration } from '../administration.ts';
import { operatorCredential } from '../provenance.ts';
import type { TServices } from '../context.ts';
import { BASIC_CHALLENGE, classifyDashboardRequest, parseBasicCredential } from './queue-dashboard-policy.ts';

export const QUEUE_DASHBOARD_PREFIX = '/admin/queues';

/** Failed credentials one client address may present per window; beyond, every attempt waits (429), the right one too. */
export const OPERATOR_FAILURE_LIMIT = 10;
export const OPERATOR_FAILURE_WINDOW_SECONDS = 15 * 60;
/** An operator's sign-in is recorded once per credential, client address and this long (like a session). */
const SIGN_IN_RECORD_SECONDS = 3600;

const DESCRIPTIONS: Record<string, string> = {
  [JOBS.ingest.queue]: 'Accepted audit events not stored yet (every tenant). Failed jobs ran out of retries: retrying them is safe, each event is stored once.',
};

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).send({ error: { message, data: { code, httpStatus: status } } });
}

/** The matched route without the dashboard's prefix, as bull-board names its routes. */
function routeOf(req: FastifyRequest): string | undefined {
  return req.routeOptions.url?.slice(QUEUE_DASHBOARD_PREFIX.length);
}

type TTenantCounts = Record<string, { jobs: number; events: number }>;

/** Jobs per tenant (and their events), for the jobs that name one (ingest and export jobs do). */
function countByTenant(jobs: Job[]): TTenantCounts {
  const counts: TTenantCounts = {};
  for (const job of jobs) {
    const data = job.data as { tenantId?: unknown; events?: unknown };
    if (typeof data?.tenantId !== 'string') continue;
    const n = counts[data.tenantId] ?? { jobs: 0, events: 0 };
    counts[data.tenantId] = { jobs: n.jobs + 1, events: n.events + (Array.isArray(data.events) ? data.events.length : 0) };
  }
  return counts;
}

/**
 * bull-board at /admin/queues: operators see every queue (quarantine is the ingest queue's failed
 * set) and re-drive failed jobs. One onRequest hook on the prefix checks every request — page,
 * assets, API — before bull-board sees it: an operator credential (HTTP Basic, `cli operator
 * create`; never a tenant's session or API key), at most OPERATOR_FAILURE_LIMIT wrong ones per
 * address and window, and only reads and retries of failed jobs. The hook runs the retries itself,
 * so that each is recorded: in `operator_actions` before it runs (no record, no retry) and, for
 * ingest jobs, as JOBS_REDRIVEN in each job's tenant log after. Off (404) while no operator exists.
 */
export async function registerQueueDashboard(app: FastifyInstance, services: TServices): Promise<void> {
  if (services.config.OPS_DASHBOARD_ADMIN_EMAILS?.trim()) {
    services.log.warn(
      'OPS_DASHBOARD_ADMIN_EMAILS is retired and ignored: tenant Admins no longer open the queue dashboard. ' +
        'Give each operator a credential of their own with `pnpm --silent cli operator create --name NAME` (README "Operations"), then remove the variable.',
    );
  }
  const failures = new RateLimiterRedis({
    storeClient: services.redis,
    keyPrefix: `${services.config.QUEUE_PREFIX}:opsauth:address`,
    points: OPERATOR_FAILURE_LIMIT,
    duration: OPERATOR_FAILURE_WINDOW_SECONDS,
  });

  await app.register(
    async (scope) => {
      scope.setNotFoundHandler((_req, reply) => refuse(reply, 404, 'NOT_FOUND', 'not found'));

      // on the dashboard's own queue handles, so closing them leaves the services' connection open
      const queues = new Map<string, Queue>(
        Object.values(JOBS).map((job) => [job.queue, new Queue(job.queue, { connection: services.redis, prefix: services.config.QUEUE_PREFIX })]),
      );
      for (const queue of queues.values()) queue.on('error', () => {}); // the connection reports outages (createRedis)
      scope.addHook('onClose', async () => {
        await Promise.all([...queues.values()].map((q) => q.close()));
      });

      /** The operator of the request, or the answer already sent (404 off, 401, 429, 503). */
      async function operatorOf(req: FastifyRequest, reply: FastifyReply): Promise<TOperator | undefined> {
        const ip = req.ip;
        const credential = parseBasicCredential(req.headers.authorization);
        try {
          if (credential) {
            const held = await failures.get(ip);
            if (held && held.consumedPoints >= OPERATOR_FAILURE_LIMIT) {
              const seconds = Math.max(1, Math.ceil(held.msBeforeNext / 1000));
              reply.header('retry-after', String(seconds));
              refuse(reply, 429, 'TOO_MANY_REQUESTS', `too many failed operator credentials from this address; try again in ${Math.ceil(seconds / 60)} min`);
              return undefined;
            }
            const operator = await authenticateOperator(services.orm, credential.name, credential.secret);
            if (operator) return operator;
          }
          // off — nothing to see, not even that it exists — until the first operator is created
          if (!(await anyActiveOperator(services.orm))) {
            refuse(reply, 404, 'NOT_FOUND', 'not found');
            return undefined;
          }
          if (credential) {
            const counted = await failures.penalty(ip, 1);
            if (counted.consumedPoints === OPERATOR_FAILURE_LIMIT) {
              services.log.warn(
                { ip, name: credential.name, retryInMinutes: Math.ceil(counted.msBeforeNext / 60_000) },
                'queue dashboard: too many failed operator credentials from an address; it waits until the window ends',
              );
            }
          }
        } catch (err) {
          services.log.warn({ err: (err as Error).message }, 'queue dashboard: cannot check an operator credential (database or Redis unreachable)');
          refuse(reply, 503, 'SERVICE_UNAVAILABLE', 'cannot check the credential right now; retry later');
          return undefined;
        }
        reply.header('www-authenticate', BASIC_CHALLENGE);
        refuse(reply, 401, 'UNAUTHORIZED', 'an operator credential is required (cli operator create); tenant accounts do not open the queue dashboard');
        return undefined;
      }

      /** The first request of a credential from an address in an hour is the operator's sign-in: recorded before it is answered. */
      async function recordSignIn(operator: TOperator, req: FastifyRequest): Promise<boolean> {
        const key = `${services.config.QUEUE_PREFIX}:opsauth:signin:${operator.id}:${req.ip}`;
        try {
          if ((await services.redis.set(key, '1', 'EX', SIGN_IN_RECORD_SECONDS, 'NX')) !== 'OK') return true;
          const userAgent = req.headers['user-agent']?.slice(0, 300);
          await recordOperatorAction(services.orm, {
            operator: operator.name,
            action: 'SIGN_IN',
            clientAddress: req.ip,
            detail: userAgent ? { userAgent } : {},
          });
          services.log.info({ operator: operator.name, ip: req.ip }, 'queue dashboard: operator signed in');
          return true;
        } catch (err) {
          await services.redis.del(key).catch(() => {});
          services.log.error({ err: (err as Error).message, operator: operator.name }, 'queue dashboard: cannot record an operator sign-in');
          return false;
        }
      }

      /**
       * Retries failed jobs on the operator's behalf: the operator_actions row first (when it cannot
       * be written nothing is retried), then the retries, then JOBS_REDRIVEN in each tenant's log for
       * the ingest jobs that were retried (through the ingest pipeline, like every administrative event).
       */
      async function retry(operator: TOperator, req: FastifyRequest, reply: FastifyReply, queue: Queue, jobs: Job[], single: boolean) {
        const action = single ? 'RETRY_JOB' : 'RETRY_FAILED_JOBS';
        const detail = single
          ? { queue: queue.name, jobId: jobs[0]!.id, tenants: countByTenant(jobs) }
          : { queue: queue.name, jobs: jobs.length, tenants: countByTenant(jobs) };
        try {
          await recordOperatorAction(services.orm, { operator: operator.name, action, clientAddress: req.ip, detail });
        } catch (err) {
          services.log.error({ err: (err as Error).message, operator: operator.name, action }, 'queue dashboard: cannot record a retry; nothing retried');
          return refuse(reply, 503, 'SERVICE_UNAVAILABLE', 'cannot record the retry right now, so nothing was retried; retry later');
        }
        const retried: Job[] = [];
        for (const job of jobs) {
          try {
            // from attempt one again, as `cli jobs retry`: its retries with backoff, not a single try
            await job.retry('failed', { resetAttemptsMade: true });
            retried.push(job);
          } catch (err) {
            if (single) throw err;
            // it left the failed set meanwhile (retried by someone else, or by the CLI): skipped, as bull-board does
          }
        }
        services.log.info(
          { operator: operator.name, ip: req.ip, queue: queue.name, retried: retried.length, jobIds: retried.map((j) => j.id) },
          'queue dashboard: operator re-drove jobs',
        );
        if (queue.name === JOBS.ingest.queue) {
          const actor = operatorActorOf(operator.name);
          const context = isIP(req.ip) ? { ip: req.ip } : {};
          const events = Object.entries(countByTenant(retried)).map(([tenantId, counts]) =>
            administrationEvent(tenantId, 'JOBS_REDRIVEN', actor, undefined, { metadata: { ...counts, queue: queue.name, via: 'queue-dashboard' }, context }),
          );
          try {
            await recordAdministration(services, events, { credential: operatorCredential(operator.name), sourceAddress: req.ip ?? null });
          } catch (err) {
            services.log.error({ err: (err as Error).message, events }, 'queue dashboard: jobs re-driven, but their JOBS_REDRIVEN events could not be queued');
            return refuse(
              reply,
              503,
              'SERVICE_UNAVAILABLE',
              "the jobs were retried, but their record in the tenants' logs could not be queued (see the service log)",
            );
          }
        }
        return single ? reply.status(204).send() : reply.status(200).send({ retried: retried.length, skipped: jobs.length - retried.length });
      }

      scope.addHook('onRequest', async (req, reply) => {
        reply.header('cache-control', 'no-store');
        const operator = await operatorOf(req, reply);
        if (!operator) return reply;
        if (!(await recordSignIn(operator, req))) return refuse(reply, 503, 'SERVICE_UNAVAILABLE', 'cannot record the sign-in right now; retry later');

        const action = classifyDashboardRequest(req.method, routeOf(req), req.params as Record<string, string | undefined>);
        if (action.kind === 'read') return undefined; // bull-board answers
        if (action.kind === 'refused') {
          services.log.warn(
            { operator: operator.name, ip: req.ip, method: req.method, url: req.url },
            'queue dashboard: refused a change (view and retry only)',
          );
          return refuse(reply, 403, 'FORBIDDEN', 'the queue dashboard only views jobs and retries failed ones: accepted audit events are never removed');
        }
        const queue = queues.get(action.queueName);
        if (!queue) return refuse(reply, 404, 'NOT_FOUND', 'no such queue');
        if (action.kind === 'retryOne') {
          const job = await queue.getJob(action.jobId);
          const state = job ? await job.getState() : 'unknown';
          if (!job || state === 'unknown') return refuse(reply, 404, 'NOT_FOUND', 'no such job');
          if (state !== 'failed') return refuse(reply, 409, 'CONFLICT', `only failed jobs are retried here; this one is ${state}`);
          return retry(operator, req, reply, queue, [job], true);
        }
        return retry(operator, req, reply, queue, await queue.getFailed(0, -1), false);
      });

      const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_PREFIX);
      // not bull-board's readOnlyMode: it hides the retry buttons too; the hook above allows exactly
      // reads and retries of failed jobs (allowCompletedRetries is honoured at run time, missing from the typings)
      const adapterOptions = { readOnlyMode: false, allowRetries: true, allowCompletedRetries: false };
      createBullBoard({
        queues: [...queues.values()].map((queue) => new BullMQAdapter(queue, { ...adapterOptions, description: DESCRIPTIONS[queue.name] ?? '' })),
        serverAdapter,
        options: {
          uiConfig: { boardTitle: 'Modula Audit queues' },
          // a second lock inside bull-board, should a route ever bypass the hook: reads only (the
          // hook answers retries itself, so a retry that reached bull-board would go unrecorded)
          handlerHooks: {
            before: ({ method, route, request }) =>
              classifyDashboardRequest(method.toUpperCase(), route, (request?.params ?? {}) as Record<string, string | undefined>).kind === 'read'
                ? { allow: true }
                : { allow: false, status: 403 },
          },
        },
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PREFIX },
  );
}
