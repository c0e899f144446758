import { SAVED_VIEWS_MAX, ZSavedViewFilter, type TSavedView, type TSavedViewFilter } from '@modula/contracts';
import { dbOf, sql, withTenant, type Orm } from '@modula/db';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../app-error.ts';

type TViewRow = { id: string; name: string; view: unknown; created_at: string; updated_at: string };

const COLUMNS = sql.raw(`id, name, view,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
  to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as updated_at`);

/** A stored view, re-read with today's schema (a view saved by an older version keeps what still parses). */
function toSavedView(r: TViewRow): TSavedView {
  const parsed = ZSavedViewFilter.safeParse(r.view);
  return { id: r.id, name: r.name, view: parsed.success ? parsed.data : {}, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** One Admin's saved views of the log, by name. Another Admin's (or tenant's) are never listed. */
export async function listSavedViews(orm: Orm, tenantId: string, userId: string): Promise<TSavedView[]> {
  return withTenant(orm, tenantId, async (em) => {
    const { rows } =
      await sql<TViewRow>`select ${COLUMNS} from saved_views where tenant_id = ${tenantId} and user_id = ${userId} order by lower(name), id`.execute(dbOf(em));
    return rows.map(toSavedView);
  });
}

/**
 * Saves a view of an Admin under a name; the Admin's view of the same name is replaced (same id).
 * `created`: whether it is new. CONFLICT past SAVED_VIEWS_MAX views.
 */
export async function saveView(
  orm: Orm,
  tenantId: string,
  userId: string,
  name: string,
  view: TSavedViewFilter,
): Promise<{ view: TSavedView; created: boolean }> {
  return withTenant(orm, tenantId, async (em) => {
    const db = dbOf(em);
    const json = JSON.stringify(view);
    const replaced = (
      await sql<TViewRow>`update saved_views set view = ${json}::jsonb, updated_at = now()
        where tenant_id = ${tenantId} and user_id = ${userId} and name = ${name} returning ${COLUMNS}`.execute(db)
    ).rows[0];
    if (replaced) return { view: toSavedView(replaced), created: false };
    const count = Number(
      (await sql<{ n: string }>`select count(*) as n from saved_views where tenant_id = ${tenantId} and user_id = ${userId}`.execute(db)).rows[0]?.n ?? 0,
    );
    if (count >= SAVED_VIEWS_MAX) throw new AppError('CONFLICT', `at most ${SAVED_VIEWS_MAX} saved views per Admin: delete one first`);
    const inserted = (
      await sql<TViewRow>`insert into saved_views (tenant_id, id, user_id, name, view)
        values (${tenantId}, ${uuidv7()}, ${userId}, ${name}, ${json}::jsonb)
        on conflict (tenant_id, user_id, name) do update set view = excluded.view, updated_at = now() returning ${COLUMNS}`.execute(db)
    ).rows[0];
    if (!inserted) throw new Error('saved view not inserted');
    return { view: toSavedView(inserted), created: true };
  });
}

/** Deletes one of the Admin's own views; NOT_FOUND for an unknown id or another Admin's view. */
export async function deleteSavedView(orm: Orm, tenantId: string, userId: string, id: string): Promise<TSavedView> {
  const row = await withTenant(
    orm,
    tenantId,
    async (em) =>
      (
        await sql<TViewRow>`delete from saved_views where tenant_id = ${tenantId} and user_id = ${userId} and id = ${id}::uuid returning ${COLUMNS}`.execute(
          dbOf(em),
        )
      ).rows[0],
  );
  if (!row) throw new AppError('NOT_FOUND', `no saved view ${id}`);
  return toSavedView(row);
}
