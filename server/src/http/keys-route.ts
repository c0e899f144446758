import { publishedKeys, loadSigner } from '@modula/domain';
import type { FastifyInstance } from 'fastify';
import type { TServices } from '../context.ts';

export const KEYS_PATH = '/.well-known/modula-audit/keys.json';

/** The public keys that verify checkpoints and export manifests, old ones included (rotation keeps them). */
export function registerKeysRoute(app: FastifyInstance, services: TServices): void {
  app.get(KEYS_PATH, async (_req, reply) => {
    const keys = await publishedKeys(services.orm, loadSigner(services.config));
    return reply.header('cache-control', 'public, max-age=300').send(keys);
  });
}
