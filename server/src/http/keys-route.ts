import { publishedKeys } from '@modula/domain';
import type { FastifyInstance } from 'fastify';
import type { TServices } from '../context.ts';

export const KEYS_PATH = '/.well-known/modula-audit/keys.json';

/** The public keys that verify checkpoints and export manifests, old ones included (rotation keeps them); the owner publishes them (`cli migrate`). */
export function registerKeysRoute(app: FastifyInstance, services: TServices): void {
  app.get(KEYS_PATH, async (_req, reply) => {
    const keys = await publishedKeys(services.orm);
    return reply.header('cache-control', 'public, max-age=300').send(keys);
  });
}
