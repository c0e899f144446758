import { router } from '../trpc.ts';
import { ingestRouter } from './ingest.router.ts';
import { authRouter } from './auth.router.ts';
import { eventsRouter } from './events.router.ts';
import { branchesRouter } from './branches.router.ts';
import { insightsRouter } from './insights.router.ts';
import { integrityRouter } from './integrity.router.ts';
import { exportsRouter } from './exports.router.ts';
import { timeRouter } from './time.router.ts';
import { devicesRouter } from './devices.router.ts';
import { aiRouter } from './ai.router.ts';
import { actorsRouter } from './actors.router.ts';
import { savedViewsRouter } from './saved-views.router.ts';
import { streamsRouter } from './streams.router.ts';
import { readTokensRouter } from './read-tokens.router.ts';
import { alertsRouter } from './alerts.router.ts';

export const appRouter = router({
  ingest: ingestRouter,
  auth: authRouter,
  events: eventsRouter,
  branches: branchesRouter,
  insights: insightsRouter,
  integrity: integrityRouter,
  exports: exportsRouter,
  time: timeRouter,
  devices: devicesRouter,
  ai: aiRouter,
  actors: actorsRouter,
  savedViews: savedViewsRouter,
  streams: streamsRouter,
  readTokens: readTokensRouter,
  alerts: alertsRouter,
});

/** The only thing clients import from the server: the router's type. */
export type AppRouter = typeof appRouter;
