import { z } from 'zod';
import { ZRole } from './audit-event.ts';
import { readText, ZEventsFilter } from './read.ts';
import { safeString, ZUuid } from './safe-values.ts';

// --- actors.list: the team-member picker (people, not ids) ---

export const ZActorsListInput = z
  .strictObject({
    /** Case-insensitive substring of the actor's name or id (`%` and `_` are literal). */
    search: readText(100).optional(),
    roles: z.array(ZRole).max(3).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .optional();
export type TActorsListInput = z.input<typeof ZActorsListInput>;

/** An actor the tenant's log has seen: the name and role of their latest event that has them. */
export const ZActorSummary = z.object({
  id: z.string(),
  type: z.enum(['USER', 'SYSTEM']),
  name: z.string().nullable(),
  role: ZRole.nullable(),
  firstAt: z.iso.datetime(),
  lastAt: z.iso.datetime(),
  events: z.number().int(),
});
export type TActorSummary = z.infer<typeof ZActorSummary>;
export const ZActorsListOutput = z.object({ items: z.array(ZActorSummary) });

// --- events.timeline: a count per day of the current filter ---

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The longest span a timeline counts (a longer filter is cut to its last 366 days). */
export const TIMELINE_MAX_DAYS = 366;
/** The span of a timeline whose filter has no `from`: its last 30 days. */
export const TIMELINE_DEFAULT_DAYS = 30;

export const ZEventsTimelineInput = ZEventsFilter.extend({
  /** The IANA time zone whose calendar days are counted (the viewer's); UTC when absent. */
  timeZone: z.string().max(64).refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/Madrid' }).default('UTC'),
});
export type TEventsTimelineInput = z.input<typeof ZEventsTimelineInput>;

export const ZEventsTimelineOutput = z.object({
  timeZone: z.string(),
  /** The instants counted, both inclusive (the filter's, else the last 30 days; at most 366 days). */
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** Every calendar day of the range in `timeZone`, oldest first, with its count (0 included). */
  days: z.array(z.object({ day: z.iso.date(), count: z.number().int() })),
  total: z.number().int(),
  /**
   * false when the filter needed the log itself (target, session, IP, device, credential or search)
   * and matched more events than one timeline counts: days before `countedFrom` are then incomplete.
   */
  complete: z.boolean(),
  countedFrom: z.iso.datetime().nullable(),
});
export type TEventsTimelineOutput = z.infer<typeof ZEventsTimelineOutput>;

// --- savedViews.*: an Admin's named filters ---

/** A date range that moves with the clock, recomputed whenever a saved view is opened. */
export const VIEW_RANGES = ['1h', '24h', '7d', '30d', 'today', 'week', 'month'] as const;
export const ZViewRange = z.enum(VIEW_RANGES);
export type TViewRange = z.infer<typeof ZViewRange>;

/** What a saved view shows: an events.list filter, and optionally a moving `range` in place of from/to. */
export const ZSavedViewFilter = ZEventsFilter.extend({ range: ZViewRange.optional() });
export type TSavedViewFilter = z.infer<typeof ZSavedViewFilter>;

export const ZSavedView = z.object({
  id: z.uuid(),
  name: z.string(),
  view: ZSavedViewFilter,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TSavedView = z.infer<typeof ZSavedView>;

export const ZSavedViewsListOutput = z.object({ items: z.array(ZSavedView) });
/** Saves a view under a name; a view of the same name (of this Admin) is replaced. */
export const ZSavedViewSaveInput = z.strictObject({
  name: safeString(80)
    .transform((s) => s.trim())
    .pipe(z.string().min(1, { error: 'must not be empty' })),
  view: ZSavedViewFilter,
});
export const ZSavedViewDeleteInput = z.strictObject({ id: ZUuid });
export const ZSavedViewDeleteOutput = z.object({ deleted: z.literal(true) });
/** How many views one Admin may keep. */
export const SAVED_VIEWS_MAX = 50;
