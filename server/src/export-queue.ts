import { ExportQueue } from '@modula/queue';
import type { TServices } from './context.ts';

const queues = new WeakMap<TServices, ExportQueue>();

/** The producer of `audit-exports`, one per process, on the services' Redis connection (closed with it). */
export function exportQueueOf(services: TServices): ExportQueue {
  let queue = queues.get(services);
  if (!queue) {
    queue = new ExportQueue(services.redis, services.config.QUEUE_PREFIX);
    queues.set(services, queue);
  }
  return queue;
}
