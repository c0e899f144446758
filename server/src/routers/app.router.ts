import { router } from '../trpc.ts';
import { ingestRouter } from './ingest.router.ts';

export const appRouter = router({
  ingest: ingestRouter,
});

/** The only thing clients import from the server: the router's type. */
export type AppRouter = typeof appRouter;
