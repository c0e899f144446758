export * from './catalog.ts';
export * from './limits.ts';
export * from './safe-values.ts';
export * from './audit-event.ts';
export * from './ingest.ts';
export * from './jobs.ts';
export * from './read.ts';
export * from './integrity.ts';
