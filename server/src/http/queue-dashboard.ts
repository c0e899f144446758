import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { JOBS } from '@modula/contracts';
import { findSession, type TSession } from '@modula/domain';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authSettingsOf, sessionCookieName } from '../auth-settings.ts';
import type { TServices } from '../context.ts';
import { checkOperator, classifyDashboardRequest } from './queue-dashboard-policy.ts';

export const QUEUE_DASHBOARD_PREFIX = '/admin/queues';

const DESCRIPTIONS: Record<string, string> = {
  [JOBS.ingest.queue]: 'Accepted audit events not stored yet (every tenant). Failed jobs ran out of retries: retrying them is safe, each event is stored once.',
};

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).send({ error: { message, data: { code, httpStatus: status } } });
}

/** The dashboard's page and assets are answered with a redirect to sign in; its API with 401. */
function wantsPage(req: FastifyRequest): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith(`${QUEUE_DASHBOARD_PREFIX}/api/`);
}

/** The matched route without the dashboard's prefix, as bull-board names its routes. */
function routeOf(req: FastifyRequest): string | undefined {
  return req.routeOptions.url?.slice(QUEUE_DASHBOARD_PREFIX.length);
}

/**
 * bull-board at /admin/queues: operators see every queue (quarantine is the ingest queue's failed
 * set) and re-drive failed jobs. One onRequest hook on the prefix checks every request — page,
 * assets, API — before bull-board sees it: a signed-in Admin on OPS_DASHBOARD_ADMIN_EMAILS, and
 * only reads and retries of failed jobs. Off (404) while the allow-list is empty.
 */
export async function registerQueueDashboard(app: FastifyInstance, services: TServices): Promise<void> {
  const allowList = services.config.OPS_DASHBOARD_ADMIN_EMAILS;
  const settings = authSettingsOf(services.config);
  await app.register(async (scope) => {
    scope.setNotFoundHandler((_req, reply) => refuse(reply, 404, 'NOT_FOUND', 'not found'));
    // off: every path under the prefix answers 404 and no queue handle is opened
    if (allowList.length === 0) return;

    // on the dashboard's own queue handles, so closing them leaves the services' connection open
    const queues = new Map<string, Queue>(Object.values(JOBS).map((job) => [job.queue, new Queue(job.queue, { connection: services.redis, prefix: services.config.QUEUE_PREFIX })]));
    for (const queue of queues.values()) queue.on('error', () => {}); // the connection reports outages (createRedis)
    scope.addHook('onClose', async () => { await Promise.all([...queues.values()].map((q) => q.close())); });

    scope.addHook('onRequest', async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const token = req.cookies[sessionCookieName(services.config)];
      let session: TSession | undefined;
      try {
        session = token ? await findSession(services.orm, settings, token) : undefined;
      } catch (err) {
        services.log.warn({ err: (err as Error).message }, 'queue dashboard: cannot check a session (database unreachable)');
        return refuse(reply, 503, 'SERVICE_UNAVAILABLE', 'cannot check the session right now; retry later');
      }
      const who = checkOperator(session, allowList);
      if (!who.ok) {
        if (who.status === 401 && wantsPage(req)) return reply.redirect('/', 302);
        return refuse(reply, who.status, who.code, who.message);
      }
      const action = classifyDashboardRequest(req.method, routeOf(req), req.params as Record<string, string | undefined>);
      const operator = { email: who.session.email, tenantId: who.session.tenantId, method: req.method, url: req.url };
      if (action.kind === 'refused') {
        services.log.warn(operator, 'queue dashboard: refused a change (view and retry only)');
        return refuse(reply, 403, 'FORBIDDEN', 'the queue dashboard only views jobs and retries failed ones: accepted audit events are never removed');
      }
      if (action.kind === 'retryOne') {
        const state = await queues.get(action.queueName)?.getJobState(action.jobId);
        if (!state || state === 'unknown') return refuse(reply, 404, 'NOT_FOUND', 'no such job');
        if (state !== 'failed') return refuse(reply, 409, 'CONFLICT', `only failed jobs are retried here; this one is ${state}`);
      }
      if (action.kind !== 'read') services.log.info({ ...operator, action: action.kind }, 'queue dashboard: operator re-drove jobs');
    });

    const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_PREFIX);
    // not bull-board's readOnlyMode: it refuses retries too (405); the hook above allows exactly reads
    // and retries of failed jobs (allowCompletedRetries is honoured at run time, missing from the typings)
    const adapterOptions = { readOnlyMode: false, allowRetries: true, allowCompletedRetries: false };
    createBullBoard({
      queues: [...queues.values()].map((queue) => new BullMQAdapter(queue, { ...adapterOptions, description: DESCRIPTIONS[queue.name] ?? '' })),
      serverAdapter,
      options: {
        uiConfig: { boardTitle: 'Modula Audit queues' },
        // a second lock on the same rule, inside bull-board, should a route ever bypass the hook
        handlerHooks: {
          before: ({ method, route, request }) => classifyDashboardRequest(method.toUpperCase(), route, (request?.params ?? {}) as Record<string, string | undefined>).kind === 'refused'
            ? { allow: false, status: 403 }
            : { allow: true },
        },
      },
    });
    await scope.register(serverAdapter.registerPlugin());
  }, { prefix: QUEUE_DASHBOARD_PREFIX });
}
