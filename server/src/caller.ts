import { createSystemContext, type TServices } from './context.ts';
import { appRouter } from './routers/app.router.ts';
import { createCallerFactory } from './trpc.ts';

const createCaller = createCallerFactory(appRouter);

/**
 * The in-process caller for other modules of the monolith: same procedures, same validation,
 * no HTTP, and a system context that may ingest for any tenant.
 *
 * @example
 *   const audit = createSystemCaller(services);
 *   await audit.ingest.record({ eventId, tenantId, action: 'SALE_FINALIZED', ... });
 */
export function createSystemCaller(services: TServices) {
  return createCaller(createSystemContext(services));
}
