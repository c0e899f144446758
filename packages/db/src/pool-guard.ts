import type { Pool, PoolClient } from 'pg';

/**
 * Frees the pool slot of a connection that dies while checked out.
 *
 * Kysely (under MikroORM 7) releases a transaction's connection only when COMMIT or ROLLBACK
 * succeeds; when the server went away mid-transaction both fail and the connection is never
 * given back. Each database outage would then leak up to one connection per concurrent job
 * until the pool is exhausted and the worker waits forever. Releasing the dead client with an
 * error makes pg-pool discard it and open a fresh one on demand.
 */
export function guardPool(pool: Pool): void {
  pool.on('connect', (client: PoolClient) => {
    client.once('end', () => {
      const checkedOut = pool as unknown as { _clients: PoolClient[]; _idle: { client: PoolClient }[] };
      const idle = checkedOut._idle.some((entry) => entry.client === client);
      if (idle || !checkedOut._clients.includes(client)) return;
      try {
        client.release(new Error('connection ended while checked out'));
      } catch {
        // already released by its holder: nothing leaked
      }
    });
  });
}
