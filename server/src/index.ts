export { buildApp } from './http/app.ts';
export { createServices } from './services.ts';
export { createSystemCaller } from './caller.ts';
export { appRouter, type AppRouter } from './routers/app.router.ts';
export type { TServices, TContext } from './context.ts';
