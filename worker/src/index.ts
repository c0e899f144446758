export { startIngestWorker, type TIngestWorker } from './ingest-worker.ts';
