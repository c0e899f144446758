import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { LIMITS } from '@modula/contracts';
import { dbOf, sql } from '@modula/db';
import { authenticateReadToken, findSession, isReadTokenText, type TReadTokenHolder } from '@modula/domain';
import { fastifyTRPCPlugin, type CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { TRPCError } from '@trpc/server';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { authSettingsOf, sessionCookieName } from '../auth-settings.ts';
import type { TContext, TServices } from '../context.ts';
import { appRouter } from '../routers/app.router.ts';
import { deviceCookieName } from '../sign-in-guard.ts';
import { ApiKeyCache, apiKeyFingerprint, type TApiKeyHolder } from './api-key-cache.ts';
import { registerBrowserHardening } from './browser-hardening.ts';
import { registerKeysRoute } from './keys-route.ts';
import { registerExportDownloads } from './export-downloads.ts';
import { registerEventsNdjson } from './events-ndjson.ts';
import { registerQueueDashboard } from './queue-dashboard.ts';
import { retryAfterMeta } from './retry-after.ts';

const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));
const WEB_PLACEHOLDER = fileURLToPath(new URL('../../../web/public', import.meta.url));

/** A tRPC-shaped error for failures that happen before tRPC sees the request (body too large, bad JSON). */
function transportError(code: string, httpStatus: number, message: string) {
  return { error: { message, code: httpStatus === 413 ? -32600 : -32700, data: { code, httpStatus } } };
}

export async function buildApp(services: TServices): Promise<FastifyInstance> {
  const requestTimeoutMs = services.config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000;
  const app = Fastify({
    // a full batch plus its envelope; larger bodies are refused with 413 before they are read whole
    bodyLimit: LIMITS.batchMaxBytes,
    logger: false,
    // the client's address as the configured proxies report it (none by default): it is recorded in sign-in events
    trustProxy: services.config.TRUST_PROXY,
    routerOptions: { maxParamLength: 5000 },
    // a query carries its input in the URL: ingest.status with its 1000 ids is about 46 KB of
    // request line, beyond Node's default 16 KB header limit (which cut it at about 340 ids)
    http: {
      maxHeaderSize: 128 * 1024,
      // Node enforces the request deadline only with the headers' deadline no longer than it
      headersTimeout: Math.min(60_000, requestTimeoutMs),
      connectionsCheckingInterval: Math.min(30_000, requestTimeoutMs / 2),
    },
    // Fastify's default is no deadline at all: a request whose body never completed held its socket forever
    requestTimeout: requestTimeoutMs,
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .status(413)
        .send(
          transportError(
            'PAYLOAD_TOO_LARGE',
            413,
            `request body larger than ${LIMITS.batchMaxBytes} bytes (at most ${LIMITS.batchMaxEvents} events per batch)`,
          ),
        );
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send(transportError(err.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'PARSE_ERROR', err.statusCode, err.message));
    }
    services.log.error({ err: err.message }, 'unhandled HTTP error');
    return reply.status(500).send(transportError('INTERNAL_SERVER_ERROR', 500, 'internal error'));
  });

  const apiKeys = new ApiKeyCache(services, services.config.API_KEY_CACHE_SECONDS * 1000);
  await app.register(fastifyCookie);
  await registerBrowserHardening(app, services); // security headers and the Origin check of signed-in mutations
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }: CreateFastifyContextOptions) => createHttpContext(services, apiKeys, req, res),
      responseMeta: retryAfterMeta, // Retry-After on TOO_MANY_REQUESTS that knows its wait
      onError: ({ error, path }: { error: TRPCError; path?: string }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') services.log.error({ path, err: error.cause?.message ?? error.message }, 'procedure failed');
      },
    },
  });

  app.get('/healthz', async (_req, reply) => {
    const checks = await Promise.allSettled([sql`select 1`.execute(dbOf(services.orm.em.fork())), services.redis.ping()]);
    const [db, redis] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const ok = db === 'ok' && redis === 'ok';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database: db, queue: redis });
  });

  registerKeysRoute(app, services);
  registerExportDownloads(app, services);
  registerEventsNdjson(app, services); // issue 16: bulk pulls of a filter
  await registerQueueDashboard(app, services); // before the viewer's static files: bull-board brings its own @fastify/static

  app.get('/metrics', async (_req, reply) => {
    const text = await services.metrics.registry.metrics();
    return reply.header('content-type', services.metrics.registry.contentType).send(text);
  });

  const webRoot = existsSync(WEB_DIST) ? WEB_DIST : WEB_PLACEHOLDER;
  await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false });
  // the viewer routes on the client: unknown GET paths outside the API get its index page
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/trpc')) return reply.sendFile('index.html');
    return reply.status(404).send(transportError('NOT_FOUND', 404, `no route ${req.method} ${req.url.split('?')[0]}`));
  });
  return app;
}

async function createHttpContext(services: TServices, apiKeys: ApiKeyCache, req: FastifyRequest, res: FastifyReply): Promise<TContext> {
  const authorization = req.headers.authorization;
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  let holder: TApiKeyHolder | undefined;
  let readToken: TReadTokenHolder | undefined;
  try {
    // a read token (mrt_) is never tried as an ingest key, nor an ingest key as a read token
    if (match && isReadTokenText(match[1]!)) readToken = await authenticateReadToken(services.orm, match[1]!);
    else holder = match ? await apiKeys.holderOf(match[1]!) : undefined;
  } catch (err) {
    services.log.warn({ err: (err as Error).message }, 'cannot verify an API key: database unreachable');
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'cannot verify the API key right now; retry later' });
  }
  const cookieName = sessionCookieName(services.config);
  const sessionToken = req.cookies[cookieName];
  const settings = authSettingsOf(services.config);
  const cookie = { path: '/', httpOnly: true, sameSite: 'strict', secure: services.config.COOKIE_SECURE } as const;
  const http = {
    ip: req.ip ?? null,
    sessionToken,
    setSessionCookie: (token: string) => void res.setCookie(cookieName, token, { ...cookie, maxAge: Math.floor(settings.absoluteHours * 3600) }),
    clearSessionCookie: () => void res.clearCookie(cookieName, cookie),
    deviceToken: req.cookies[deviceCookieName(services.config)],
    setDeviceCookie: (token: string, maxAgeSeconds: number) =>
      void res.setCookie(deviceCookieName(services.config), token, { ...cookie, maxAge: maxAgeSeconds }),
  };
  let session = null;
  try {
    session = sessionToken ? ((await findSession(services.orm, settings, sessionToken)) ?? null) : null;
  } catch (err) {
    services.log.warn({ err: (err as Error).message }, 'cannot check a session: database unreachable');
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'cannot check the session right now; retry later' });
  }
  const principal = holder
    ? { kind: 'apiKey' as const, tenantId: holder.tenantId, apiKeyId: holder.apiKeyId, scope: holder.scope, keyId: apiKeyFingerprint(match![1]!) }
    : null;
  return { services, principal, session, readToken: readToken ?? null, http };
}
