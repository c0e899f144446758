import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookieName } from '../auth-settings.ts';
import type { TServices } from '../context.ts';
import { QUEUE_DASHBOARD_PREFIX } from './queue-dashboard.ts';

const SELF = "'self'";
const NONE = "'none'";

/**
 * The viewer's policy: its own scripts only (the Vite build has no inline script), no framing
 * anywhere. Styles allow 'unsafe-inline' because Mantine writes its CSS variables into a <style>
 * element at run time and React renders style attributes; images allow data: (the enrolment QR
 * code and the icons in Mantine's CSS).
 */
function viewerDirectives(secure: boolean) {
  return {
    'default-src': [SELF],
    'base-uri': [NONE],
    'script-src': [SELF],
    'script-src-attr': [NONE],
    'style-src': [SELF, "'unsafe-inline'"],
    'img-src': [SELF, 'data:'],
    'font-src': [SELF],
    'connect-src': [SELF],
    'object-src': [NONE],
    'form-action': [SELF],
    'frame-ancestors': [NONE],
    // behind HTTPS only: on plain HTTP there is nothing to upgrade to
    ...(secure ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/** bull-board's page sets a <base href>, uses inline styles and loads its fonts from Google Fonts. */
function dashboardDirectives(secure: boolean) {
  const viewer = viewerDirectives(secure);
  return {
    ...viewer,
    'base-uri': [SELF],
    'style-src': [...viewer['style-src'], 'https://fonts.googleapis.com'],
    'font-src': [SELF, 'https://fonts.gstatic.com'],
  };
}

/** A tRPC-shaped FORBIDDEN (JSON-RPC code -32003), as the procedures answer it. */
function refuseCrossOrigin(reply: FastifyReply, message: string) {
  return reply
    .status(403)
    .header('cache-control', 'no-store')
    .send({ error: { message, code: -32003, data: { code: 'FORBIDDEN', httpStatus: 403 } } });
}

/** The origins this service is reached at: PUBLIC_ORIGIN, or the request's own (Host and scheme, forwarded ones only from a trusted proxy). */
function ownOrigins(services: TServices, req: FastifyRequest): string[] {
  if (services.config.PUBLIC_ORIGIN.length > 0) return services.config.PUBLIC_ORIGIN;
  try {
    return [new URL(`${req.protocol}://${req.host}`).origin];
  } catch {
    return []; // no usable Host: nothing matches
  }
}

function originOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    const origin = new URL(header).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * Security headers on every answer (@fastify/helmet: CSP with frame-ancestors 'none', nosniff,
 * X-Frame-Options DENY, HSTS behind HTTPS) — a relaxed CSP on the queue dashboard only — and the
 * Origin check: a tRPC mutation that carries the session cookie must come from the service's own
 * origin, or it is refused (403 FORBIDDEN) before any procedure runs. Requests without the cookie
 * (API keys of tills, which send no Origin) are not concerned. Register after @fastify/cookie and
 * before the routes.
 */
export async function registerBrowserHardening(app: FastifyInstance, services: TServices): Promise<void> {
  const secure = services.config.COOKIE_SECURE;
  const options: FastifyHelmetOptions = {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: viewerDirectives(secure) },
    xFrameOptions: { action: 'deny' },
    // not helmet's no-referrer: under it a browser sends `Origin: null` on the viewer's own POSTs,
    // which the Origin check would refuse; same-origin still gives other sites no referrer at all
    referrerPolicy: { policy: 'same-origin' },
    // COOKIE_SECURE says the service is behind HTTPS; no includeSubDomains: the operator's other hosts are not ours to pin
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  };
  await app.register(fastifyHelmet, options);

  // bull-board registers its own routes: give them the dashboard's policy as they are added
  const dashboard = { contentSecurityPolicy: { useDefaults: false, directives: dashboardDirectives(secure) } } as const;
  app.addHook('onRoute', (route) => {
    if (route.url === QUEUE_DASHBOARD_PREFIX || route.url.startsWith(`${QUEUE_DASHBOARD_PREFIX}/`)) {
      route.config = { ...route.config, helmet: dashboard } as typeof route.config;
    }
  });

  const cookieName = sessionCookieName(services.config);
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    // by the route the request matched, not its URL: /%74rpc/auth.logout is routed to tRPC too
    if (!req.routeOptions.url?.startsWith('/trpc/')) return;
    if (!req.cookies[cookieName]) return; // API keys and anonymous calls: no ambient credential to abuse
    const origin = originOf(req.headers.origin);
    // a missing Origin is refused too: browsers send one with every POST, and only a browser holds the cookie
    if (origin !== undefined && ownOrigins(services, req).includes(origin)) return;
    services.log.warn({ origin: req.headers.origin ?? null, url: req.url.split('?')[0], ip: req.ip }, 'refused a signed-in mutation from another origin');
    return refuseCrossOrigin(
      reply,
      origin === undefined
        ? 'a signed-in change needs the Origin header of the viewer'
        : `a signed-in change must come from the viewer's own origin, not ${origin}`,
    );
  });
}
