import { useSyncExternalStore } from 'react';

/** Whose clock the viewer's times follow: the browser's (the default) or the tenant's (tenants.time_zone). */
export type TZoneChoice = 'viewer' | 'tenant';

export const ZONE_STORAGE_KEY = 'modula.timeZone';

interface TZoneState {
  choice: TZoneChoice;
  /** The signed-in tenant's zone (auth.me), once known. */
  tenantZone: string | null;
}

const listeners = new Set<() => void>();

function readChoice(): TZoneChoice {
  try {
    return localStorage.getItem(ZONE_STORAGE_KEY) === 'tenant' ? 'tenant' : 'viewer';
  } catch {
    return 'viewer';
  }
}

let state: TZoneState = { choice: typeof localStorage === 'undefined' ? 'viewer' : readChoice(), tenantZone: null };

function update(next: TZoneState): void {
  if (next.choice === state.choice && next.tenantZone === state.tenantZone) return;
  state = next;
  for (const listener of listeners) listener();
}

/** Remembers the choice in localStorage and re-renders whoever shows a time. */
export function setZoneChoice(choice: TZoneChoice): void {
  try {
    localStorage.setItem(ZONE_STORAGE_KEY, choice);
  } catch {
    // private mode: the choice holds until the page is reloaded
  }
  update({ ...state, choice });
}

/** The tenant's zone as auth.me tells it (set by the signed-in frame). */
export function setTenantZone(tenantZone: string): void {
  update({ ...state, tenantZone });
}

export function useZoneState(): TZoneState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

/** The browser's own zone. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The zone times are shown in: the tenant's when chosen and known, else the browser's. */
export function effectiveZone(s: TZoneState): string {
  return s.choice === 'tenant' && s.tenantZone ? s.tenantZone : browserTimeZone();
}
