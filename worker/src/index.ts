export { startIngestWorker, type TIngestWorker } from './ingest-worker.ts';
export { startCheckpointWorker, type TCheckpointWorker } from './checkpoint-worker.ts';
export { startExportWorker, type TExportWorker } from './export-worker.ts';
export { startStreamWorker, type TStreamWorker } from './stream-worker.ts';
export { startAlertWorker, type TAlertWorker } from './alert-worker.ts';
