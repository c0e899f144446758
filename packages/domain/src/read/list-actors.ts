import type { TActorsListInput, TActorSummary } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { likePattern } from './events-filter.ts';

type TActorRow = { id: string; type: 'USER' | 'SYSTEM'; name: string | null; role: TActorSummary['role']; first_at: string; last_at: string; events: string };

const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * The actors the tenant's log has seen, most recently seen first (the people at work now), from the event_actors projection (never
 * the log): each with the name and role of their latest event, when first and last seen, and how
 * many events they have. `search` is a case-insensitive substring of the name or the id.
 */
export async function listActors(orm: Orm, tenantId: string, input: NonNullable<TActorsListInput> = {}): Promise<TActorSummary[]> {
  const where = [sql`tenant_id = ${tenantId}`];
  if (input.search) {
    const p = likePattern(input.search);
    where.push(sql`(actor_name ilike ${p} or actor_id ilike ${p})`);
  }
  if (input.roles?.length) where.push(sql`actor_role = any(${input.roles}::text[])`);
  const rows = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (
        await sql<TActorRow>`select actor_id as id, actor_type as type, actor_name as name, actor_role as role,
          ${iso('first_at')} as first_at, ${iso('last_at')} as last_at, events
        from event_actors where ${sql.join(where, sql` and `)}
        order by last_at desc, actor_id limit ${input.limit ?? 100}`.execute(dbOf(em))
      ).rows,
  );
  return rows.map((r) => ({ id: r.id, type: r.type, name: r.name, role: r.role, firstAt: r.first_at, lastAt: r.last_at, events: Number(r.events) }));
}
