import {
  ACTIONS,
  DENIAL_REASONS,
  MODULES,
  OUTCOMES,
  ROLES,
  type TAction,
  type TDenialReason,
  type TModule,
  type TOutcome,
  type TRole,
} from '@modula/contracts';

/** Ranges that move with the clock: the last hour, 24 hours, 7 days, 30 days (until now and on). */
export const RELATIVE_PRESETS = ['1h', '24h', '7d', '30d'] as const;
export type TRelativePreset = (typeof RELATIVE_PRESETS)[number];
export const DATE_PRESETS = ['today', 'week', 'month', 'custom', ...RELATIVE_PRESETS] as const;
export type TDatePreset = (typeof DATE_PRESETS)[number];

/** What the log is filtered by, as the filter bar and the URL hold it. */
export interface TLogFilters {
  /** null: all time. */
  range: TDatePreset | null;
  /** First and last day (YYYY-MM-DD, in the viewer's time zone) of a custom range, both inclusive. */
  from: string | null;
  to: string | null;
  branchIds: string[];
  modules: TModule[];
  actions: TAction[];
  actorIds: string[];
  outcomes: TOutcome[];
  reasons: TDenialReason[];
  sessionId: string | null;
  /** Everything one credential wrote (`apikey:<id>`, `user:<id>`, …). */
  credential: string | null;
  entityType: string | null;
  entityId: string | null;
  search: string;
  ips: string[];
  deviceIds: string[];
  /** Role of the actor at the time. */
  roles: TRole[];
  /** Negation: not these actions, not these people. */
  excludeActions: TAction[];
  excludeActorIds: string[];
}

export const EMPTY_FILTERS: TLogFilters = {
  range: null,
  from: null,
  to: null,
  branchIds: [],
  modules: [],
  actions: [],
  actorIds: [],
  outcomes: [],
  reasons: [],
  sessionId: null,
  credential: null,
  entityType: null,
  entityId: null,
  search: '',
  ips: [],
  deviceIds: [],
  roles: [],
  excludeActions: [],
  excludeActorIds: [],
};

/** The query-string key of each filter (short, so that shared links stay readable). */
const KEYS = {
  range: 'range',
  from: 'from',
  to: 'to',
  branchIds: 'branch',
  modules: 'module',
  actions: 'action',
  actorIds: 'actor',
  outcomes: 'outcome',
  reasons: 'reason',
  sessionId: 'session',
  credential: 'credential',
  entityType: 'entityType',
  entityId: 'entity',
  search: 'q',
  ips: 'ip',
  deviceIds: 'device',
  roles: 'role',
  excludeActions: 'notAction',
  excludeActorIds: 'notActor',
} as const satisfies Record<keyof TLogFilters, string>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 128;

/** The values of `values` that are in `allowed`, each once, at most `max`. */
export function oneOf<T extends string>(allowed: readonly T[], values: readonly string[], max = allowed.length): T[] {
  const set = new Set<string>(allowed);
  return [...new Set(values)].filter((v): v is T => set.has(v)).slice(0, max);
}

function text(value: string | null, max = MAX_TEXT): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, max) : null;
}

/**
 * Reads the filters from a query string. Anything that is not a valid value (a hand-edited or
 * outdated link) is dropped rather than sent to the service to be refused.
 */
export function filtersFromSearch(params: URLSearchParams): TLogFilters {
  const texts = (key: string, max = MAX_TEXT) =>
    [
      ...new Set(
        params
          .getAll(key)
          .map((v) => text(v, max))
          .filter((v): v is string => v !== null),
      ),
    ].slice(0, 100);
  const day = (key: string) => {
    const v = params.get(key);
    return v && DAY.test(v) ? v : null;
  };
  const from = day(KEYS.from);
  const to = day(KEYS.to);
  const rawRange = params.get(KEYS.range);
  let range = oneOf(DATE_PRESETS, rawRange ? [rawRange] : [], 1)[0] ?? null;
  if (!range && (from || to)) range = 'custom';
  return {
    range,
    from: range === 'custom' ? from : null,
    to: range === 'custom' ? to : null,
    branchIds: [...new Set(params.getAll(KEYS.branchIds).filter((v) => UUID.test(v)))].slice(0, 100),
    modules: oneOf(MODULES, params.getAll(KEYS.modules), 20),
    actions: oneOf(ACTIONS, params.getAll(KEYS.actions), 100),
    actorIds: [
      ...new Set(
        params
          .getAll(KEYS.actorIds)
          .map((v) => text(v))
          .filter((v): v is string => v !== null),
      ),
    ].slice(0, 100),
    outcomes: oneOf(OUTCOMES, params.getAll(KEYS.outcomes), 3),
    reasons: oneOf(DENIAL_REASONS, params.getAll(KEYS.reasons), 6),
    sessionId: text(params.get(KEYS.sessionId)),
    credential: text(params.get(KEYS.credential), 200),
    entityType: text(params.get(KEYS.entityType)),
    entityId: text(params.get(KEYS.entityId)),
    search: text(params.get(KEYS.search), 200) ?? '',
    ips: texts(KEYS.ips, 64),
    deviceIds: texts(KEYS.deviceIds),
    roles: oneOf(ROLES, params.getAll(KEYS.roles), 3),
    excludeActions: oneOf(ACTIONS, params.getAll(KEYS.excludeActions), 100),
    excludeActorIds: texts(KEYS.excludeActorIds),
  };
}

/**
 * Writes the filters into a query string, replacing the filter keys of `base` and keeping its
 * other keys (such as the open entry). Empty filters leave no key behind.
 */
export function searchWithFilters(filters: TLogFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(base);
  for (const key of Object.values(KEYS)) out.delete(key);
  const set = (key: string, value: string | null) => {
    if (value) out.set(key, value);
  };
  const setAll = (key: string, values: readonly string[]) => {
    for (const v of values) out.append(key, v);
  };
  set(KEYS.range, filters.range);
  if (filters.range === 'custom') {
    set(KEYS.from, filters.from);
    set(KEYS.to, filters.to);
  }
  setAll(KEYS.branchIds, filters.branchIds);
  setAll(KEYS.modules, filters.modules);
  setAll(KEYS.actions, filters.actions);
  setAll(KEYS.actorIds, filters.actorIds);
  setAll(KEYS.outcomes, filters.outcomes);
  setAll(KEYS.reasons, filters.reasons);
  set(KEYS.sessionId, filters.sessionId);
  set(KEYS.credential, filters.credential);
  set(KEYS.entityType, filters.entityType);
  set(KEYS.entityId, filters.entityId);
  set(KEYS.search, filters.search.trim() || null);
  setAll(KEYS.ips, filters.ips);
  setAll(KEYS.deviceIds, filters.deviceIds);
  setAll(KEYS.roles, filters.roles);
  setAll(KEYS.excludeActions, filters.excludeActions);
  setAll(KEYS.excludeActorIds, filters.excludeActorIds);
  return out;
}

/** A link to the log with just these filters, e.g. `/?session=s-1`. */
export function logHref(filters: Partial<TLogFilters>): string {
  const qs = searchWithFilters({ ...EMPTY_FILTERS, ...filters }).toString();
  return qs ? `/?${qs}` : '/';
}

/** How many filters are set (the date range counts as one). */
export function countFilters(f: TLogFilters): number {
  const lists = [f.branchIds, f.modules, f.actions, f.actorIds, f.outcomes, f.reasons, f.ips, f.deviceIds, f.roles, f.excludeActions, f.excludeActorIds].filter(
    (l) => l.length > 0,
  ).length;
  const singles = [f.range, f.sessionId, f.credential, f.entityType, f.entityId, f.search || null].filter((v) => v !== null).length;
  return lists + singles;
}
